ALTER TABLE "job_runs" ADD COLUMN "concurrency_keys" text[] DEFAULT '{}'::text[] NOT NULL;--> statement-breakpoint
ALTER TABLE "job_runs" ADD COLUMN "concurrency_limits" integer[] DEFAULT '{}'::integer[] NOT NULL;--> statement-breakpoint
-- runs still to run keep the one rule they were queued with (finished runs are never claimed again)
UPDATE "job_runs" SET "concurrency_keys" = ARRAY["concurrency_key"], "concurrency_limits" = ARRAY["concurrency_limit"]
WHERE "concurrency_key" IS NOT NULL AND "concurrency_limit" IS NOT NULL AND "status" IN ('queued', 'running', 'sleeping');--> statement-breakpoint
DROP INDEX "job_runs_concurrency_idx";--> statement-breakpoint
ALTER TABLE "job_runs" DROP COLUMN "concurrency_key";--> statement-breakpoint
ALTER TABLE "job_runs" DROP COLUMN "concurrency_limit";
