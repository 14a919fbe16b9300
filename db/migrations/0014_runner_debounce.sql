ALTER TABLE "job_runs" ADD COLUMN "debounce_key" text;--> statement-breakpoint
ALTER TABLE "job_runs" ADD COLUMN "debounce_until" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "job_runs" ADD COLUMN "debounce_deadline" timestamp with time zone;--> statement-breakpoint
CREATE UNIQUE INDEX "job_runs_debounce_pending_idx" ON "job_runs" USING btree ("debounce_key") WHERE "job_runs"."status" = 'debounced';