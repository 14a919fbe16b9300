ALTER TABLE "job_runs" ADD COLUMN "concurrency_limit" integer;--> statement-breakpoint
ALTER TABLE "job_steps" ADD COLUMN "wake_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "job_steps" ADD COLUMN "seq" bigint NOT NULL GENERATED ALWAYS AS IDENTITY (sequence name "job_steps_seq_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1);--> statement-breakpoint
CREATE INDEX "job_runs_account_created_idx" ON "job_runs" USING btree ("account_id","created_at");--> statement-breakpoint
CREATE INDEX "job_runs_concurrency_idx" ON "job_runs" USING btree ("concurrency_key","status");