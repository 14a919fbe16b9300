CREATE TABLE "build_snapshots" (
	"persona_set_id" uuid NOT NULL,
	"build_version" integer NOT NULL,
	"person_id" bigint NOT NULL,
	CONSTRAINT "build_snapshots_persona_set_id_build_version_person_id_pk" PRIMARY KEY("persona_set_id","build_version","person_id")
);
--> statement-breakpoint
ALTER TABLE "persona_sets" ADD COLUMN "draft" jsonb;--> statement-breakpoint
ALTER TABLE "scoring_runs" ADD COLUMN "removed" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "scoring_runs" ADD COLUMN "chunks_total" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "scoring_runs" ADD COLUMN "chunks_done" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "build_snapshots" ADD CONSTRAINT "build_snapshots_persona_set_id_persona_sets_id_fk" FOREIGN KEY ("persona_set_id") REFERENCES "public"."persona_sets"("id") ON DELETE cascade ON UPDATE no action;