ALTER TABLE "job_runs" ADD COLUMN "claimed_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "job_runs_account_claimed_idx" ON "job_runs" USING btree ("account_id","claimed_at");--> statement-breakpoint
CREATE INDEX "job_runs_account_queued_idx" ON "job_runs" USING btree ("account_id") WHERE "job_runs"."status" = 'queued';