// npm run db:seed — migrates the configured database and seeds the demo account (idempotent).
import { DatabaseConfigError, openConfiguredDatabase } from '@/db/client';
import { DEMO_EMAIL, DEMO_PASSWORD, seedDemo } from './seed';
import { embeddedIfUnset } from '@/db/server';

async function main() {
  const t0 = Date.now();
  let database;
  let stopEmbedded = async () => {};
  try {
    stopEmbedded = await embeddedIfUnset();
    database = await openConfiguredDatabase();
  } catch (err) {
    if (err instanceof DatabaseConfigError) {
      console.error(`facet: ${err.message}`);
      process.exit(1);
    }
    throw err;
  }
  const people = Number(process.env.FACET_SEED_PEOPLE ?? 50_000);
  const graphSize = Number(process.env.FACET_SEED_GRAPH ?? 200_000);
  const quiet = process.argv.includes('--quiet');
  try {
    const res = await seedDemo(database, {
      people,
      graphSize,
      log: (line) => {
        if (!quiet || !line.startsWith('  ')) console.log(`[seed] ${line}`);
      },
    });
    console.log(
      res.seeded
        ? `[seed] demo account seeded in ${((Date.now() - t0) / 1000).toFixed(1)} s — sign in as ${DEMO_EMAIL} / ${DEMO_PASSWORD}`
        : `[seed] demo account already present (${DEMO_EMAIL} / ${DEMO_PASSWORD})`,
    );
  } finally {
    await database.close();
    await stopEmbedded();
  }
}

main().catch((err) => {
  console.error(`facet: seeding failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
