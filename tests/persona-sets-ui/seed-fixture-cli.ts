// Dev helper: `FACET_DATA_DIR=... tsx tests/persona-sets-ui/seed-fixture-cli.ts "High-value customers" "HV personas"`
// (with the server stopped: the embedded database has one owner).
import { getDatabase } from '@/db/client';
import { seedReadyPersonaSet } from './fixture';

async function main() {
  const [cohortName = 'High-value customers', name = 'Fixture personas'] = process.argv.slice(2);
  const database = await getDatabase();
  const { rows } = await database.query<{ id: string; account_id: string }>(
    `select c.id, c.account_id from cohorts c join accounts a on a.id = c.account_id where a.is_demo and c.name = $1 limit 1`,
    [cohortName],
  );
  if (!rows.length) throw new Error(`no demo cohort ${cohortName}`);
  const t0 = Date.now();
  const out = await seedReadyPersonaSet(database, rows[0].account_id, rows[0].id, name, { showInExplore: true });
  console.log(`seeded ${name}: ${out.personaIds.length} personas in ${Date.now() - t0} ms`, out.setId);
  await database.close();
}
main().catch((e) => {
  console.error(e);
  process.exit(1);
});
