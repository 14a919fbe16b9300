// npm run bench — every Facet benchmark in turn, each printing its figures beside the peers and targets.
// Pass names to run a subset: npm run bench -- cluster build
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const ALL = ['cluster', 'build', 'ingest', 'api'];
const chosen = process.argv.slice(2).filter((a) => ALL.includes(a));
let failed = 0;
for (const name of chosen.length ? chosen : ALL) {
  console.log(`\n=== bench:${name} ===\n`);
  // react-server: the benchmarks call services, which are marked server-only
  const r = spawnSync(path.join('node_modules', '.bin', 'tsx'), ['--conditions=react-server', `bench/${name}.ts`], { stdio: 'inherit' });
  if (r.status !== 0) {
    failed++;
    console.log(`bench:${name} exited with ${r.status}`);
  }
}
process.exit(failed ? 1 : 0);
