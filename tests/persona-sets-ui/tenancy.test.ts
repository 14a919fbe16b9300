// Tenancy of the persona set screens: the actions refuse a signed-out caller and another account's ids,
// and every read model answers not found (or nothing) for a set of another account.
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Database } from '@/db/client';
import { accounts, cohorts } from '@/db/schema';
import { seedDemo } from '@/scripts/seed';
import { testDatabases } from '../helpers/db';
import { seedReadyPersonaSet } from './fixture';
import { tenantOf } from '@/lib/services/tenant';

vi.mock('server-only', () => ({}));
vi.mock('next/cache', () => ({ revalidatePath: vi.fn() }));
const viewerMock = vi.hoisted(() => ({ current: null as null | Record<string, unknown> }));
vi.mock('@/lib/auth', () => ({ getViewer: async () => viewerMock.current, requireViewer: async () => viewerMock.current }));
const dbMock = vi.hoisted(() => ({ current: null as unknown }));
vi.mock('@/db/client', async (orig) => ({ ...(await orig<object>()), getDatabase: async () => dbMock.current }));

const { ServiceError } = await import('@/lib/services/errors');
const sets = await import('@/lib/services/persona-sets');
const actions = await import('@/app/(app)/persona-sets/actions');

for (const tdb of testDatabases()) {
  describe(`persona set screens on ${tdb.name}`, () => {
    let database: Database;
    let demoAccount: string;
    let otherAccount: string;
    let setId: string;
    let personaId: string;

    beforeAll(async () => {
      database = await tdb.open();
      dbMock.current = database;
      ({ accountId: demoAccount } = await seedDemo(database, { people: 700, graphSize: 1500, today: new Date('2026-06-30T00:00:00Z') }));
      const [other] = await database.db.insert(accounts).values({ name: 'Other brand', slug: 'other-brand' }).returning();
      otherAccount = other.id;
      const [cohort] = await database.db.select().from(cohorts).where((await import('drizzle-orm')).eq(cohorts.accountId, demoAccount)).limit(1);
      const seeded = await seedReadyPersonaSet(database, demoAccount, cohort.id, 'Tenancy personas', { traitKeys: ['age', 'income', 'has_children', 'homeowner'], seed: 3 });
      setId = seeded.setId;
      personaId = seeded.personaIds[0];
    }, 240_000);
    afterAll(async () => {
      if (database) await tdb.dispose(database);
    });
    beforeEach(() => {
      viewerMock.current = null;
    });

    const asAccount = (accountId: string) => {
      viewerMock.current = { userId: 'u_test', name: 'T', email: 't@example.com', accountId, accountName: 'T', isDemo: false };
    };

    it('refuses every action from a signed-out caller, before touching the data', async () => {
      for (const call of [
        () => actions.setShowInExploreAction({ id: setId, showInExplore: true }),
        () => actions.renamePersonaSetAction({ id: setId, name: 'Hijacked' }),
        () => actions.deletePersonaSetAction({ id: setId }),
        () => actions.renamePersonaAction({ personaSetId: setId, personaId, name: 'Hijacked' }),
        () => actions.archivePersonaSetAction({ id: setId, archived: true }),
      ]) {
        const res = await call();
        expect(res).toEqual({ ok: false, error: 'You are signed out. Sign in again.' });
      }
      const detail = await sets.getPersonaSetDetail(tenantOf(database, demoAccount), setId);
      expect(detail.set.name).toBe('Tenancy personas');
      expect(detail.set.archivedAt).toBeNull();
    });

    it("answers not found for another account's set and persona ids, and changes nothing", async () => {
      asAccount(otherAccount);
      const rename = await actions.renamePersonaSetAction({ id: setId, name: 'Hijacked' });
      expect(rename).toMatchObject({ ok: false, error: 'Persona set not found' });
      const del = await actions.deletePersonaSetAction({ id: setId });
      expect(del).toMatchObject({ ok: false, error: 'Persona set not found' });
      const explore = await actions.setShowInExploreAction({ id: setId, showInExplore: true });
      expect(explore).toMatchObject({ ok: false, error: 'Persona set not found' });
      const persona = await actions.renamePersonaAction({ personaSetId: setId, personaId, name: 'Hijacked' });
      expect(persona).toMatchObject({ ok: false, error: 'Persona not found' });
      const detail = await sets.getPersonaSetDetail(tenantOf(database, demoAccount), setId);
      expect(detail.set.name).toBe('Tenancy personas');
      expect(detail.personas.find((p) => p.id === personaId)?.name).not.toBe('Hijacked');
    });

    it('validates input with field errors', async () => {
      asAccount(demoAccount);
      const res = await actions.createPersonaSetAction({ name: ' ', cohortId: 'nope', traitKeys: ['age'], k: 1 });
      expect(res.ok).toBe(false);
      if (res.ok) return;
      expect(Object.keys(res.fieldErrors ?? {}).sort()).toEqual(['cohortId', 'k', 'name', 'traitKeys']);
    });

    it('lets the owner rename a persona and show the set in Explore', async () => {
      asAccount(demoAccount);
      const res = await actions.renamePersonaAction({ personaSetId: setId, personaId, name: '  Weekend Gardeners ' });
      expect(res).toEqual({ ok: true, data: { id: personaId, name: 'Weekend Gardeners' } });
      const shown = await actions.setShowInExploreAction({ id: setId, showInExplore: true });
      expect(shown).toEqual({ ok: true, data: { id: setId, showInExplore: true } });
      const explore = await sets.getExploreSets(tenantOf(database, demoAccount));
      expect(explore.map((s) => s.id)).toEqual([setId]);
      expect(await sets.getExploreSets(tenantOf(database, otherAccount))).toEqual([]);
    });

    it('read models refuse a set of another account', async () => {
      const nf = (p: Promise<unknown>) => expect(p).rejects.toSatisfy((e) => e instanceof ServiceError && e.code === 'not_found');
      await nf(sets.computeDimensionAnalysis(tenantOf(database, otherAccount), setId, 'dog_owner'));
      await nf(sets.getAssignmentConfidence(tenantOf(database, otherAccount), setId));
      await nf(sets.getDimensionAnalyses(tenantOf(database, otherAccount), setId, ['age']));
      await nf(sets.getPersonaSetDetail(tenantOf(database, otherAccount), setId));
    });

    it('computes a dimension analysis on demand in the documented shape', async () => {
      const dog = await sets.computeDimensionAnalysis(tenantOf(database, demoAccount), setId, 'dog_owner');
      expect(dog.bins.map((b) => b.label)).toEqual(['No', 'Yes']);
      expect(dog.cohort.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
      const detail = await sets.getPersonaSetDetail(tenantOf(database, demoAccount), setId);
      expect(dog.personas.map((p) => p.personaId)).toEqual(detail.personas.map((p) => p.id));
      // sizes weighted shares give back the cohort share (only the persona mix differs)
      const total = detail.personas.reduce((s, p) => s + p.size, 0);
      const yes = dog.personas.reduce((s, p, i) => s + p.shares[1] * detail.personas[i].size, 0) / total;
      expect(yes).toBeCloseTo(dog.cohort[1], 1);
      const income = await sets.computeDimensionAnalysis(tenantOf(database, demoAccount), setId, 'income');
      expect(income.bins.length).toBeGreaterThanOrEqual(4);
      expect(income.cohortMean).toBeGreaterThan(1000);
      for (const p of income.personas) expect(p.z).toEqual(expect.any(Number));
      await expect(sets.computeDimensionAnalysis(tenantOf(database, demoAccount), setId, 'no_such_trait')).rejects.toBeInstanceOf(ServiceError);
    });

    it('summarizes assignment confidence per persona', async () => {
      const conf = await sets.getAssignmentConfidence(tenantOf(database, demoAccount), setId);
      const detail = await sets.getPersonaSetDetail(tenantOf(database, demoAccount), setId);
      expect(conf.map((c) => c.personaId).sort()).toEqual(detail.personas.map((p) => p.id).sort());
      for (const c of conf) {
        expect(c.members).toBe(detail.personas.find((p) => p.id === c.personaId)!.size);
        expect(c.clearShare).toBeGreaterThanOrEqual(0);
        expect(c.clearShare).toBeLessThanOrEqual(1);
      }
    });
  });
}
