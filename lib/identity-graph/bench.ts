// Benchmark: generate 1M people of the synthetic identity graph (traits + identities), in batches.
// Run: npx tsx lib/identity-graph/bench.ts [count=1000000] [batchSize=16384]
import { DEFAULT_GRAPH_SEED, generateGraph } from './generator';

function run(count: number, identities: boolean): void {
  const t0 = performance.now();
  let n = 0;
  let check = 0;
  for (const b of generateGraph({ seed: DEFAULT_GRAPH_SEED, count, batchSize: BATCH, identities })) {
    n += b.count;
    check += b.traits[0] + (identities ? b.identities[b.count - 1].email.length : 0);
  }
  const s = (performance.now() - t0) / 1000;
  const rss = process.resourceUsage().maxRSS / 1024;
  console.log(
    `${n.toLocaleString('en-US')} people, ${identities ? 'traits + identities' : 'traits only'}: ` +
      `${s.toFixed(2)} s, peak RSS ${rss.toFixed(0)} MB (check ${check.toFixed(0)})`,
  );
}

const count = Number(process.argv[2] ?? 1_000_000);
const BATCH = Number(process.argv[3] ?? 16_384);
run(count, true);
run(count, false);
