// npm run db:migrate — applies the migrations to the configured database (PGlite in .data/ or DATABASE_URL).
import { DatabaseConfigError, openConfiguredDatabase } from './client';

openConfiguredDatabase()
  .then(async (database) => {
    console.log(`migrations applied (${database.driver})`);
    await database.close();
  })
  .catch((err) => {
    console.error(`facet: ${err instanceof DatabaseConfigError ? err.message : `migration failed: ${err?.message ?? err}`}`);
    process.exit(1);
  });
