// The real-time part of npm run bench:api: Facet's assignment endpoint against a bare node:http server answering
// the same POSTs, with the same load generator (autocannon) in the same run, and the batch endpoint in contacts/s.
import { fork } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';

export interface CannonResult {
  latency: { p50: number; p99: number; average: number; max: number };
  requests: { average: number; total: number };
  duration: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  '2xx': number;
}
const autocannon = createRequire(import.meta.url)('autocannon') as (opts: Record<string, unknown>) => Promise<CannonResult>;

export interface Load {
  url: string;
  bodies: string[];
  headers: Record<string, string>;
  connections: number;
}

export const cannon = (load: Load, duration: number) =>
  autocannon({
    url: load.url,
    connections: load.connections,
    duration,
    requests: load.bodies.map((body) => ({ method: 'POST', body, headers: { 'content-type': 'application/json', ...load.headers } })),
  });

export const errorsOf = (r: CannonResult) => r.errors + r.timeouts + r.non2xx;

/** Two runs of one load as one: requests over the whole time, the worse p99 and p50 of the two. */
function merge(a: CannonResult, b: CannonResult): CannonResult {
  const total = a.requests.total + b.requests.total;
  const seconds = a.duration + b.duration;
  return {
    latency: {
      p50: Math.max(a.latency.p50, b.latency.p50),
      p99: Math.max(a.latency.p99, b.latency.p99),
      average: (a.latency.average * a.requests.total + b.latency.average * b.requests.total) / Math.max(1, total),
      max: Math.max(a.latency.max, b.latency.max),
    },
    requests: { average: total / seconds, total },
    duration: seconds,
    errors: a.errors + b.errors,
    timeouts: a.timeouts + b.timeouts,
    non2xx: a.non2xx + b.non2xx,
    '2xx': a['2xx'] + b['2xx'],
  };
}

/**
 * Several loads, each measured for `duration` seconds in `rounds` short runs, the order reversed every other round
 * (A B C, C B A, A B C, ...), so that a change in the shared machine's load, gradual or sudden, weighs on all alike.
 */
export async function compareLoads(loads: Load[], duration: number, rounds = 4): Promise<CannonResult[]> {
  const slice = Math.max(1, Math.round(duration / rounds));
  const results: (CannonResult | undefined)[] = loads.map(() => undefined);
  for (let r = 0; r < rounds; r++) {
    const order = loads.map((_, i) => (r % 2 ? loads.length - 1 - i : i));
    for (const i of order) {
      const one = await cannon(loads[i], slice);
      results[i] = results[i] ? merge(results[i]!, one) : one;
    }
  }
  return results as CannonResult[];
}

/** Starts the bare node:http server on `port`, answering `answer` (with `headers`) to every JSON POST; resolves once it listens. */
export async function startBareServer(port: number, answer: string, headers: Record<string, string> = {}): Promise<{ pid: number; stop: () => void }> {
  const child = fork(path.join(import.meta.dirname, 'bare-http-server.mjs'), [String(port), answer, JSON.stringify(headers)], {
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  await new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    child.once('exit', (code) => reject(new Error(`the bare server exited (${code})`)));
  });
  return { pid: child.pid!, stop: () => child.kill('SIGTERM') };
}
