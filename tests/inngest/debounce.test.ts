// Debounce in the embedded runner: events for one key within the period make one run, with the latest event, once
// the quiet period is over on the runner's clock (injected here, never waited); other keys run on their own; the
// timeout caps how far a steady stream of events pushes the run back.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InngestFunction } from 'inngest';
import type { Database } from '@/db/client';
import { inngest } from '@/inngest/client';
import { startEmbeddedRunner, type EmbeddedRunner } from '@/inngest/runner';
import { durationMs } from '@/inngest/runner/debounce';
import { testDatabases } from '../helpers/db';

const MIN = 60_000;

describe('debounce durations', () => {
  it('reads Inngest time strings', () => {
    expect(durationMs('2m')).toBe(120_000);
    expect(durationMs('1h30m')).toBe(5_400_000);
    expect(durationMs('soon')).toBeNull();
  });
});

for (const target of testDatabases()) {
  describe(`debounced functions on the embedded runner (${target.name})`, () => {
    let database: Database;
    const runners: EmbeddedRunner[] = [];
    let clock = Date.UTC(2030, 0, 1, 10, 0);

    beforeAll(async () => {
      database = await target.open();
    });
    afterAll(async () => {
      for (const r of runners) await r.stop();
      await target.dispose(database);
    });

    const setup = (timeout?: string) => {
      const id = `debounced-${randomUUID().slice(0, 6)}`;
      const seen: { key: string; n: number }[] = [];
      const fn = inngest.createFunction(
        { id, debounce: { key: 'event.data.key', period: '5m', ...(timeout ? { timeout: timeout as '12m' } : {}) }, triggers: [{ event: `test/${id}` }] },
        async ({ event }) => {
          const data = event.data as { key: string; n: number };
          seen.push(data);
          return data;
        },
      );
      return { id, fn: fn as InngestFunction.Any, seen, send: (runner: EmbeddedRunner, key: string, n: number) => runner.send({ name: `test/${id}`, data: { key, n } }) };
    };
    const runsOf = async (id: string) =>
      (await database.query<{ status: string; event: { data: { n: number } } }>('select status, event from job_runs where function_id = $1 order by created_at', [`facet-${id}`])).rows;

    it('runs once per key after the quiet period, with the latest event', async () => {
      const t = setup();
      const runner = await startEmbeddedRunner({ database, functions: [t.fn], pollMs: 25, cron: false, now: () => clock, log: () => {} });
      runners.push(runner);
      await t.send(runner, 'a', 1);
      clock += 3 * MIN;
      await t.send(runner, 'a', 2);
      await t.send(runner, 'b', 1);
      clock += 3 * MIN; // 6 minutes after the first event of 'a', 3 after its latest: nothing is due yet
      await runner.drain(10_000);
      expect(t.seen).toEqual([]);
      expect((await runsOf(t.id)).map((r) => r.status)).toEqual(['debounced', 'debounced']);
      await t.send(runner, 'a', 3);
      clock += 4 * MIN; // 'b' is quiet for 7 minutes, 'a' for 4
      await runner.drain(10_000);
      expect(t.seen).toEqual([{ key: 'b', n: 1 }]);
      clock += 2 * MIN;
      await runner.drain(10_000);
      expect(t.seen).toEqual([{ key: 'b', n: 1 }, { key: 'a', n: 3 }]);
      const runs = await runsOf(t.id);
      expect(runs.map((r) => r.status)).toEqual(['completed', 'completed']);
      // an event after the run starts a new debounce
      await t.send(runner, 'a', 4);
      clock += 6 * MIN;
      await runner.drain(10_000);
      expect(t.seen.at(-1)).toEqual({ key: 'a', n: 4 });
      expect(await runsOf(t.id)).toHaveLength(3);
    });

    it('never pushes a run past the timeout after its first event', async () => {
      const t = setup('12m');
      const runner = await startEmbeddedRunner({ database, functions: [t.fn], pollMs: 25, cron: false, now: () => clock, log: () => {} });
      runners.push(runner);
      for (let n = 1; n <= 4; n++) {
        await t.send(runner, 'x', n);
        clock += 4 * MIN; // always within the period
        await runner.drain(10_000);
        if (n < 3) expect(t.seen).toEqual([]);
      }
      // first event at 0, deadline at 12 minutes: the run started at the 12-minute mark with the third event; the
      // fourth (sent at 12) waits for a quiet period of its own
      expect(t.seen).toEqual([{ key: 'x', n: 3 }]);
      clock += 1 * MIN;
      await runner.drain(10_000);
      expect(t.seen).toEqual([{ key: 'x', n: 3 }, { key: 'x', n: 4 }]);
    });
  });
}
