ALTER TABLE "people" DROP CONSTRAINT "people_account_id_accounts_id_fk";
