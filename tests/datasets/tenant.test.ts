import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { setDatabase, type Database } from '@/db/client';
import type { Viewer } from '@/lib/auth';
import { createCohort, cohortHistory, cohortMembersAt, getCohortOrThrow, listCohorts, previewCohortSize, recomputeCohort, updateCohort } from '@/lib/services/cohorts';
import {
  confirmDatasetMapping,
  createDatasetFromUpload,
  deleteDataset,
  getDatasetOrThrow,
  ingestDatasetRows,
  listDatasets,
  listRowErrors,
  matchDatasetPeople,
  readDatasetPreview,
  rowErrorsCsv,
} from '@/lib/services/datasets';
import { listAccountTraits } from '@/lib/services/traits';
import { testDatabases } from '../helpers/db';
import { chunked, createAccount } from './fixtures';
import { tenantOf } from '@/lib/services/tenant';
import { setEnqueuer, type QueuedEvent } from '@/lib/services/enqueue';

// The route handlers and actions read the session through lib/auth; here the "session" is whoever `viewer` is.
let viewer: Viewer | null = null;
vi.mock('server-only', () => ({}));
vi.mock('next/cache', () => ({ revalidatePath: () => {} }));
vi.mock('@/lib/auth', () => ({ getViewer: async () => viewer, requireViewer: async () => viewer }));
// the job queue as the services see it: every event they queue lands here
const sent: QueuedEvent[] = [];
let queueDown = false;
setEnqueuer(async (event) => {
  if (queueDown) throw new Error('queue unreachable');
  sent.push(event);
});
afterAll(() => setEnqueuer(undefined));

process.env.FACET_UPLOAD_DIR = fs.mkdtempSync(path.join(os.tmpdir(), 'facet-uploads-'));
afterAll(() => fs.rmSync(process.env.FACET_UPLOAD_DIR!, { recursive: true, force: true }));

const asViewer = (accountId: string): Viewer => ({ userId: `u-${accountId}`, name: 'x', email: 'x@x', accountId, accountName: 'x', isDemo: false, emailVerified: true, demoReadOnly: false });
const notFound = { code: 'not_found' };

for (const target of testDatabases()) {
  describe(`tenant isolation on ${target.name}`, () => {
    let database: Database;
    let a: string;
    let b: string;
    let datasetA: string;
    let cohortA: string;

    beforeAll(async () => {
      database = await target.open();
      setDatabase(database);
      a = await createAccount(database, 'A');
      b = await createAccount(database, 'B');
      await database.query(`insert into users (id, name, email) values ($1, 'a', 'a@x'), ($2, 'b', 'b@x')`, [`u-${a}`, `u-${b}`]);
      const up = await createDatasetFromUpload(tenantOf(database, a), {
        fileName: 'a.csv',
        body: chunked('id,email,secret\nA1,a1@example.com,alpha\nA2,bad-email,beta\n'),
      });
      datasetA = up.dataset.id;
      await confirmDatasetMapping(tenantOf(database, a), datasetA, { kind: 'people', mapping: up.dataset.mapping! });
      expect(sent).toEqual([{ name: 'dataset/mapping-confirmed', data: { accountId: a, datasetId: datasetA } }]);
      sent.length = 0;
      await ingestDatasetRows(tenantOf(database, a), datasetA);
      cohortA = (await createCohort(tenantOf(database, a), { name: 'A everyone', definition: { events: [], traits: [] } })).id;
    });
    afterAll(async () => {
      setDatabase(undefined);
      await target.dispose(database);
    });

    it("B cannot read A's dataset through any dataset service", async () => {
      await expect(getDatasetOrThrow(tenantOf(database, b), datasetA)).rejects.toMatchObject(notFound);
      await expect(readDatasetPreview(tenantOf(database, b), datasetA)).rejects.toMatchObject(notFound);
      await expect(listRowErrors(tenantOf(database, b), datasetA)).rejects.toMatchObject(notFound);
      await expect(rowErrorsCsv(tenantOf(database, b), datasetA).next()).rejects.toMatchObject(notFound);
      expect(await listDatasets(tenantOf(database, b))).toEqual([]);
      expect((await listRowErrors(tenantOf(database, a), datasetA)).map((e) => e.line)).toEqual([3]);
      expect((await listAccountTraits(tenantOf(database, b))).filter((t) => t.source === 'custom')).toEqual([]);
      expect((await listAccountTraits(tenantOf(database, a))).filter((t) => t.source === 'custom').map((t) => t.key)).toEqual(['secret']);
    });

    it("B cannot change A's dataset through any dataset service", async () => {
      await expect(confirmDatasetMapping(tenantOf(database, b), datasetA, { kind: 'people', mapping: { id: 'external_id' } })).rejects.toMatchObject(notFound);
      await expect(ingestDatasetRows(tenantOf(database, b), datasetA)).rejects.toMatchObject(notFound);
      await expect(matchDatasetPeople(tenantOf(database, b), datasetA)).rejects.toMatchObject(notFound);
      await expect(deleteDataset(tenantOf(database, b), datasetA)).rejects.toMatchObject(notFound);
      const d = await getDatasetOrThrow(tenantOf(database, a), datasetA);
      expect([d.status, d.okCount]).toEqual(['processing', 1]);
      const people = await database.query<{ n: number }>('select count(*)::int as n from people where account_id = $1', [b]);
      expect(people.rows[0].n).toBe(0);
    });

    it("B cannot read or change A's cohorts", async () => {
      await expect(getCohortOrThrow(tenantOf(database, b), cohortA)).rejects.toMatchObject(notFound);
      await expect(updateCohort(tenantOf(database, b), cohortA, { name: 'pwned' })).rejects.toMatchObject(notFound);
      await expect(recomputeCohort(tenantOf(database, b), cohortA)).rejects.toMatchObject(notFound);
      expect(await listCohorts(tenantOf(database, b))).toEqual([]);
      expect(await cohortMembersAt(tenantOf(database, a), cohortA, new Date())).toBe(1);
      expect(await cohortMembersAt(tenantOf(database, b), cohortA, new Date())).toBe(0);
      expect((await cohortHistory(tenantOf(database, b), [cohortA])).get(cohortA)!.every((p) => p.members === 0)).toBe(true);
      expect(await previewCohortSize(tenantOf(database, b), { events: [], traits: [] })).toBe(0);
      expect((await getCohortOrThrow(tenantOf(database, a), cohortA)).name).toBe('A everyone');
    });

    it("the errors download route answers 404 to another account's session", async () => {
      const { GET } = await import('@/app/api/datasets/[id]/errors/route');
      const call = () => GET(new Request('http://x/api/datasets/x/errors'), { params: Promise.resolve({ id: datasetA }) });
      viewer = asViewer(b);
      expect((await call()).status).toBe(404);
      viewer = null;
      expect((await call()).status).toBe(401);
      viewer = asViewer(a);
      const ok = await call();
      expect(ok.status).toBe(200);
      expect(await ok.text()).toBe('line,reason\r\n3,"invalid email ""bad-email"""\r\n');
    });

    it('the upload route files the upload under the session account only, and refuses oversized bodies with 413', async () => {
      const { POST } = await import('@/app/api/datasets/upload/route');
      viewer = asViewer(b);
      const res = await POST(
        new Request('http://x/api/datasets/upload?fileName=b.csv', { method: 'POST', body: 'email,name\nb@example.com,Bea\n', headers: { 'content-type': 'text/csv' } }),
      );
      expect(res.status).toBe(201);
      const body = (await res.json()) as { dataset: { id: string; kind: string } };
      expect((await getDatasetOrThrow(tenantOf(database, b), body.dataset.id)).accountId).toBe(b);
      await expect(getDatasetOrThrow(tenantOf(database, a), body.dataset.id)).rejects.toMatchObject(notFound);
      expect(fs.existsSync(path.join(process.env.FACET_UPLOAD_DIR!, b, `${body.dataset.id}.csv`))).toBe(true);

      const big = await POST(
        new Request('http://x/api/datasets/upload?fileName=big.csv', { method: 'POST', body: 'a', headers: { 'content-length': String(300 * 1024 * 1024) } }),
      );
      expect(big.status).toBe(413);
      expect(((await big.json()) as { error: string }).error).toMatch(/larger than 250 MB/);
      viewer = null;
      const anon = await POST(new Request('http://x/api/datasets/upload?fileName=c.csv', { method: 'POST', body: 'a,b\n1,2\n' }));
      expect(anon.status).toBe(401);
    });

    it("actions refuse another account's dataset and cohort", async () => {
      const { confirmMappingAction, deleteDatasetAction } = await import('@/app/(app)/datasets/actions');
      const { updateCohortAction, previewCohortAction } = await import('@/app/(app)/cohorts/actions');
      viewer = asViewer(b);
      const r1 = await confirmMappingAction({ datasetId: datasetA, kind: 'people', name: 'x', mapping: { id: 'external_id' } });
      expect(r1).toEqual({ ok: false, error: 'Dataset not found' });
      expect(await deleteDatasetAction({ datasetId: datasetA })).toEqual({ ok: false, error: 'Dataset not found' });
      const r2 = await updateCohortAction({ cohortId: cohortA, name: 'pwned', description: '', definition: { events: [], traits: [] } });
      expect(r2).toEqual({ ok: false, error: 'Cohort not found' });
      expect(await previewCohortAction({ definition: { events: [], traits: [] } })).toEqual({ ok: true, data: { members: 0 } });
      expect(sent).toEqual([]);
      viewer = asViewer(a);
      expect(await previewCohortAction({ definition: { events: [], traits: [] } })).toEqual({ ok: true, data: { members: 1 } });
      expect((await getCohortOrThrow(tenantOf(database, a), cohortA)).name).toBe('A everyone');
    });

    it('a confirmation whose processing cannot be queued says so, and the dataset tells why it did not start', async () => {
      const { confirmMappingAction } = await import('@/app/(app)/datasets/actions');
      viewer = asViewer(a);
      const up = await createDatasetFromUpload(tenantOf(database, a), { fileName: 'later.csv', body: chunked('id,email\nA3,a3@example.com\n') });
      queueDown = true;
      try {
        const r = await confirmMappingAction({ datasetId: up.dataset.id, kind: 'people', name: 'later', mapping: up.dataset.mapping! });
        expect(r).toEqual({ ok: false, error: 'Processing could not be started. Please try again.' });
      } finally {
        queueDown = false;
      }
      const d = await getDatasetOrThrow(tenantOf(database, a), up.dataset.id);
      expect(d).toMatchObject({ status: 'errored', error: 'Processing could not be started. Confirm the mapping again.' });
      expect(sent).toEqual([]);
    });
  });
}
