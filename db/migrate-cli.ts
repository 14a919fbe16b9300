// npm run db:migrate — applies the migrations to the configured database (DATABASE_URL, or the embedded one in .data/).
import { DatabaseConfigError, openConfiguredDatabase } from './client';
import { embeddedIfUnset } from './server';

embeddedIfUnset()
  .then(async (stopEmbedded) => {
    const database = await openConfiguredDatabase();
    console.log('migrations applied');
    await database.close();
    await stopEmbedded();
  })
  .catch((err) => {
    console.error(`facet: ${err instanceof DatabaseConfigError ? err.message : `migration failed: ${err?.message ?? err}`}`);
    process.exit(1);
  });
