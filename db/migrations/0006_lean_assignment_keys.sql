ALTER TABLE "assignments" DROP CONSTRAINT "assignments_persona_set_id_persona_sets_id_fk";
--> statement-breakpoint
ALTER TABLE "assignments" DROP CONSTRAINT "assignments_person_id_people_id_fk";
