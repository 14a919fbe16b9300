CREATE TABLE "scoring_run_chunks" (
	"scoring_run_id" uuid NOT NULL,
	"from_person_id" bigint NOT NULL,
	"to_person_id" bigint NOT NULL,
	"scored" integer NOT NULL,
	"changed" integer NOT NULL,
	"added" integer NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "scoring_run_chunks_scoring_run_id_from_person_id_pk" PRIMARY KEY("scoring_run_id","from_person_id")
);
--> statement-breakpoint
ALTER TABLE "persona_sets" ADD COLUMN "step_detail" text;--> statement-breakpoint
ALTER TABLE "scoring_run_chunks" ADD CONSTRAINT "scoring_run_chunks_scoring_run_id_scoring_runs_id_fk" FOREIGN KEY ("scoring_run_id") REFERENCES "public"."scoring_runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
-- a step resumed after a crash reads the build's members: PostgreSQL empties unlogged tables on crash recovery
ALTER TABLE "build_snapshots" SET LOGGED;
