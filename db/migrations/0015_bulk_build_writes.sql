-- a build's snapshot becomes one row of ordered member ids (the rows of builds in progress carried over)
ALTER TABLE "build_snapshots" RENAME TO "build_snapshots_rows";--> statement-breakpoint
ALTER TABLE "build_snapshots_rows" DROP CONSTRAINT "build_snapshots_persona_set_id_persona_sets_id_fk";--> statement-breakpoint
ALTER TABLE "build_snapshots_rows" DROP CONSTRAINT "build_snapshots_persona_set_id_build_version_person_id_pk";--> statement-breakpoint
CREATE TABLE "build_snapshots" (
	"persona_set_id" uuid NOT NULL,
	"build_version" integer NOT NULL,
	"person_ids" bigint[] NOT NULL,
	CONSTRAINT "build_snapshots_persona_set_id_build_version_pk" PRIMARY KEY("persona_set_id","build_version")
);--> statement-breakpoint
INSERT INTO "build_snapshots" ("persona_set_id", "build_version", "person_ids")
	SELECT "persona_set_id", "build_version", array_agg("person_id" ORDER BY "person_id") FROM "build_snapshots_rows" GROUP BY 1, 2;--> statement-breakpoint
DROP TABLE "build_snapshots_rows";--> statement-breakpoint
-- assignments: no row id, no index by person alone; closed stays indexed apart from current ones
DROP INDEX "assignments_person_idx";--> statement-breakpoint
CREATE INDEX "assignments_closed_idx" ON "assignments" USING btree ("persona_set_id","person_id") WHERE valid_to is not null;--> statement-breakpoint
ALTER TABLE "assignments" DROP COLUMN "id";--> statement-breakpoint
ALTER TABLE "persona_sets" ADD COLUMN "build_timings" jsonb;
