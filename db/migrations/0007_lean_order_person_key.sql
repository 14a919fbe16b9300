ALTER TABLE "orders" DROP CONSTRAINT "orders_person_id_people_id_fk";
