import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { setDatabase, type Database } from '@/db/client';
import { seedGraph, seedTraitCatalog } from '@/scripts/seed';
import { ingestDataset, removeStaleUploadsDaily } from '@/inngest/functions/datasets';
import { startEmbeddedRunner, type EmbeddedRunner } from '@/inngest/runner';
import type { Viewer } from '@/lib/auth';
import { HEAD_BYTES, MAX_FIELD_CHARS, MAX_RECORD_CHARS, uploadPath } from '@/lib/ingest/file';
import {
  confirmDatasetMapping,
  createDatasetFromUpload,
  FileTooLargeError,
  getAccountStorage,
  getDatasetOrThrow,
  listRowErrors,
  StorageQuotaError,
} from '@/lib/services/datasets';
import { tenantOf } from '@/lib/services/tenant';
import { testDatabases } from '../helpers/db';
import { chunked, createAccount } from './fixtures';

// a folder of uploads per database: the daily sweep reads every account folder of it against its own database
const uploadDirs: string[] = [];
afterAll(() => uploadDirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

let viewer: Viewer | null = null;
vi.mock('server-only', () => ({}));
vi.mock('@/lib/auth', () => ({ getViewer: async () => viewer, requireViewer: async () => viewer }));

/** A body that says whether anything read it. */
function watchedBody(text: string) {
  const state = { read: false };
  async function* gen() {
    state.read = true;
    yield Buffer.from(text);
  }
  return { body: Readable.from(gen()), state };
}

for (const target of testDatabases()) {
  describe(`upload limits on ${target.name}`, () => {
    let database: Database;
    let runner: EmbeddedRunner;
    let accountId: string;

    beforeAll(async () => {
      process.env.FACET_UPLOAD_DIR = fs.mkdtempSync(path.join(os.tmpdir(), 'facet-uploads-'));
      uploadDirs.push(process.env.FACET_UPLOAD_DIR);
      database = await target.open();
      setDatabase(database);
      await seedTraitCatalog(database);
      await seedGraph(database, 200);
      accountId = await createAccount(database, 'Limits');
      runner = await startEmbeddedRunner({ database, functions: [ingestDataset], pollMs: 25, backoffMs: () => 20, cron: false });
    });
    afterAll(async () => {
      await runner?.stop();
      setDatabase(undefined);
      await target.dispose(database);
    });

    it('turns a value past 64 KB and a row past 1 MB into row errors, and keeps every good row', async () => {
      const good = (i: number) => `P-${i},person${i}@example.com,Name${i},note ${i}`;
      const lines = ['id,email,first name,notes'];
      for (let i = 1; i <= 40; i++) {
        if (i === 7) lines.push(`P-7,p7@example.com,Seven,"${'n'.repeat(MAX_FIELD_CHARS + 1)}"`);
        // under the field cap, over the row cap: many values of 60 KB
        else if (i === 20) lines.push(`P-20,p20@example.com,Twenty,"${Array(20).fill('v'.repeat(60 * 1024)).join('","')}"`);
        else lines.push(good(i));
      }
      const tenant = tenantOf(database, accountId);
      const up = await createDatasetFromUpload(tenant, { fileName: 'long.csv', body: chunked(lines.join('\n') + '\n', 64 * 1024) });
      expect(up.headers).toEqual(['id', 'email', 'first name', 'notes']);
      // the sample skips the rows past a cap
      expect(up.sample.map((r) => r[0])).not.toContain('P-7');
      await confirmDatasetMapping(tenant, up.dataset.id, { kind: 'people', mapping: up.dataset.mapping! });
      await runner.drain(60_000);
      const d = await getDatasetOrThrow(tenant, up.dataset.id);
      expect([d.status, d.rowCount, d.okCount, d.errorCount]).toEqual(['ready', 40, 38, 2]);
      const errors = await listRowErrors(tenant, d.id);
      expect(errors.map((e) => e.line)).toEqual([8, 21]);
      expect(errors[0].reason).toMatch(/value is longer than 64 KB \(65,536 characters\)/);
      expect(errors[1].reason).toMatch(/row is longer than 1 MB \(1,048,576 characters\)/);
      const people = await database.query<{ external_id: string }>('select external_id from people where account_id = $1 order by id', [accountId]);
      expect(people.rows.map((r) => r.external_id).sort()).toEqual(
        Array.from({ length: 40 }, (_, i) => `P-${i + 1}`)
          .filter((x) => x !== 'P-7' && x !== 'P-20')
          .sort(),
      );
    });

    it('refuses a file whose header row is past a cap, with the reason', async () => {
      const tenant = tenantOf(database, accountId);
      const wide = Array.from({ length: 20_000 }, (_, i) => `column_${i}_${'h'.repeat(50)}`).join(',');
      expect(wide.length).toBeGreaterThan(MAX_RECORD_CHARS);
      await expect(createDatasetFromUpload(tenant, { fileName: 'wide.csv', body: chunked(`${wide}\n1,2\n`, 64 * 1024) })).rejects.toThrow(
        /header row is too long: the row is longer than 1 MB/,
      );
      // longer than the head that is read: the header never ends there
      const endless = 'h'.repeat(HEAD_BYTES + 10);
      await expect(createDatasetFromUpload(tenant, { fileName: 'endless.csv', body: chunked(`${endless}\n`, 64 * 1024) })).rejects.toThrow(
        /header row is too long/,
      );
      // neither file is kept
      const kept = fs.readdirSync(path.join(process.env.FACET_UPLOAD_DIR!, accountId));
      const ds = await database.query<{ n: number }>('select count(*)::int as n from datasets where account_id = $1', [accountId]);
      expect(kept).toHaveLength(ds.rows[0].n);
    });

    it("caps the account's storage: refused before reading when the size is declared, stopped at the quota when not", async () => {
      const other = await createAccount(database, 'Quota');
      const tenant = tenantOf(database, other);
      const csv = (n: number) => `email,name\n${'x'.repeat(n - 20)}@e.com,A\n`;
      const quotaBytes = 1000;
      const first = await createDatasetFromUpload(tenant, { fileName: 'a.csv', body: chunked(csv(600), 64), quotaBytes });
      expect(first.dataset.byteSize).toBe(600);
      expect(await getAccountStorage(tenant, { quotaBytes })).toEqual({ usedBytes: 600, quotaBytes, uploadLimitBytes: 400 });

      const declared = watchedBody(csv(600));
      const refused = createDatasetFromUpload(tenant, { fileName: 'b.csv', body: declared.body, declaredBytes: 600, quotaBytes });
      await expect(refused).rejects.toBeInstanceOf(StorageQuotaError);
      await expect(refused).rejects.toThrow(/does not fit in the account's storage: 0 MB of 0 MB are used/);
      expect(declared.state.read).toBe(false);

      // no size given: the stream stops at what is left, and nothing of it stays
      await expect(createDatasetFromUpload(tenant, { fileName: 'c.csv', body: chunked(csv(600), 64), quotaBytes })).rejects.toBeInstanceOf(
        StorageQuotaError,
      );
      // the per-file limit is its own message
      await expect(
        createDatasetFromUpload(tenant, { fileName: 'd.csv', body: chunked(csv(300), 64), limitBytes: 200, quotaBytes }),
      ).rejects.toSatisfy((e: unknown) => e instanceof FileTooLargeError && !(e instanceof StorageQuotaError));
      // no partial file of either stays behind
      expect(fs.readdirSync(path.join(process.env.FACET_UPLOAD_DIR!, other))).toEqual([`${first.dataset.id}.csv`]);
      // what fits still goes in
      const fits = await createDatasetFromUpload(tenant, { fileName: 'e.csv', body: chunked(csv(400), 64), quotaBytes });
      expect(fits.dataset.byteSize).toBe(400);
      await expect(createDatasetFromUpload(tenant, { fileName: 'f.csv', body: chunked(csv(20), 64), quotaBytes })).rejects.toBeInstanceOf(
        StorageQuotaError,
      );
    });

    it('the upload route answers 413 with the storage message when the declared size does not fit', async () => {
      const full = await createAccount(database, 'Full');
      // the default quota (FACET_ACCOUNT_STORAGE_MB, 2048 MB) nearly used up by one dataset
      await database.query(
        `insert into datasets (id, account_id, name, kind, status, file_name, byte_size) values ($1, $2, 'big', 'people', 'ready', 'big.csv', $3)`,
        [randomUUID(), full, 2048 * 1024 * 1024 - 100],
      );
      const { POST } = await import('@/app/api/datasets/upload/route');
      viewer = { userId: `u-${full}`, name: 'x', email: 'x@x', accountId: full, accountName: 'x', isDemo: false, emailVerified: true, demoReadOnly: false };
      try {
        const res = await POST(
          new Request('http://x/api/datasets/upload?fileName=a.csv', { method: 'POST', body: 'email,name\na@b.com,A\n', headers: { 'content-length': '1000' } }),
        );
        expect(res.status).toBe(413);
        expect(((await res.json()) as { error: string }).error).toBe(
          "This file does not fit in the account's storage: 2,048 MB of 2,048 MB are used by its datasets. Delete datasets you no longer need, or upload a smaller file.",
        );
      } finally {
        viewer = null;
      }
    });

    it('a daily job removes unfinished and unowned upload files a day old, and keeps datasets\' files', async () => {
      const tenant = tenantOf(database, accountId);
      const kept = await createDatasetFromUpload(tenant, { fileName: 'kept.csv', body: chunked('email,name\nk@e.com,K\n') });
      const dir = path.dirname(uploadPath(accountId, kept.dataset.id));
      const old = new Date('2030-01-01T00:00:00Z');
      const put = (name: string, at: Date) => {
        const file = path.join(dir, name);
        fs.writeFileSync(file, 'email\n');
        fs.utimesSync(file, at, at);
        return file;
      };
      const stalePart = put(`${randomUUID()}.csv.part`, old);
      const freshPart = put(`${randomUUID()}.csv.part`, new Date('2030-01-02T03:00:00Z'));
      const orphan = put(`${randomUUID()}.csv`, old);
      fs.utimesSync(uploadPath(accountId, kept.dataset.id), old, old);
      // a folder of an account this database does not know: its finished files are not this database's to judge
      const stranger = path.dirname(uploadPath(randomUUID(), randomUUID()));
      fs.mkdirSync(stranger, { recursive: true });
      const strangerFile = path.join(stranger, `${randomUUID()}.csv`);
      const strangerPart = `${strangerFile}.part`;
      for (const f of [strangerFile, strangerPart]) {
        fs.writeFileSync(f, 'email\n');
        fs.utimesSync(f, old, old);
      }
      const cron = await startEmbeddedRunner({
        database,
        functions: [removeStaleUploadsDaily],
        pollMs: 25,
        cron: true,
        now: () => Date.parse('2030-01-02T03:50:10Z'),
      });
      await new Promise((r) => setTimeout(r, 200));
      await cron.drain(20_000);
      await cron.stop();
      expect([fs.existsSync(stalePart), fs.existsSync(freshPart), fs.existsSync(orphan)]).toEqual([false, true, false]);
      expect(fs.existsSync(uploadPath(accountId, kept.dataset.id))).toBe(true);
      expect([fs.existsSync(strangerFile), fs.existsSync(strangerPart)]).toEqual([true, false]);
      const { rows } = await database.query<{ status: string; output: { partial: number; orphaned: number } }>(
        `select status, output from job_runs where function_id = 'facet-remove-stale-uploads-daily'`,
      );
      expect(rows).toEqual([{ status: 'completed', output: expect.objectContaining({ partial: 2, orphaned: 1 }) }]);
    });
  });
}
