-- build snapshots are scratch data of builds in progress: no WAL for them
ALTER TABLE "build_snapshots" SET UNLOGGED;
