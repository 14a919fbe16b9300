ALTER TABLE "orders" DROP CONSTRAINT "orders_account_id_accounts_id_fk";
--> statement-breakpoint
ALTER TABLE "orders" DROP CONSTRAINT "orders_dataset_id_datasets_id_fk";
--> statement-breakpoint
ALTER TABLE "people" DROP CONSTRAINT "people_dataset_id_datasets_id_fk";
