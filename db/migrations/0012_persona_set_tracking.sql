CREATE TABLE "drift_alerts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"account_id" uuid NOT NULL,
	"persona_set_id" uuid NOT NULL,
	"scoring_run_id" uuid,
	"build_version" integer NOT NULL,
	"day" date NOT NULL,
	"metrics" jsonb NOT NULL,
	"reasons" jsonb NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	"resolved_by" text,
	"resolved_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "persona_set_watchers" (
	"account_id" uuid NOT NULL,
	"persona_set_id" uuid NOT NULL,
	"user_id" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "persona_set_watchers_persona_set_id_user_id_pk" PRIMARY KEY("persona_set_id","user_id")
);
--> statement-breakpoint
ALTER TABLE "members" ADD COLUMN "notify_api_sets_ready" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "persona_sets" ADD COLUMN "created_via" text DEFAULT 'app' NOT NULL;--> statement-breakpoint
ALTER TABLE "drift_alerts" ADD CONSTRAINT "drift_alerts_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "drift_alerts" ADD CONSTRAINT "drift_alerts_persona_set_id_persona_sets_id_fk" FOREIGN KEY ("persona_set_id") REFERENCES "public"."persona_sets"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "drift_alerts" ADD CONSTRAINT "drift_alerts_scoring_run_id_scoring_runs_id_fk" FOREIGN KEY ("scoring_run_id") REFERENCES "public"."scoring_runs"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "drift_alerts" ADD CONSTRAINT "drift_alerts_resolved_by_users_id_fk" FOREIGN KEY ("resolved_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "persona_set_watchers" ADD CONSTRAINT "persona_set_watchers_persona_set_id_persona_sets_id_fk" FOREIGN KEY ("persona_set_id") REFERENCES "public"."persona_sets"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "persona_set_watchers" ADD CONSTRAINT "persona_set_watchers_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "drift_alerts_set_day_uq" ON "drift_alerts" USING btree ("persona_set_id","day");--> statement-breakpoint
CREATE INDEX "drift_alerts_account_idx" ON "drift_alerts" USING btree ("account_id","created_at");