// Drift of a scored set against its build: the persona mix (share change, PSI) and each persona's centre (in the
// encoder's standardized units). Above DRIFT_THRESHOLDS an alert is raised, at most one per set and day, and the
// set's creator and watchers are emailed through the outbox like the "ready" email.
import 'server-only';
import { and, desc, eq } from 'drizzle-orm';
import { driftAlerts, personaSetWatchers, personaSets, type DriftAlert, type DriftMetrics } from '@/db/schema';
import { encodeTable, type Encoder, type PersonaModel } from '@/lib/clustering';
import { env } from '@/lib/env';
import { deliverEmail } from '../email';
import { ServiceError, notFound } from '../errors';
import { isUuid } from '../ids';
import type { Tenant } from '../tenant';
import { resolveTraitColumns } from '../trait-reader';
import { loadMemberMatrix } from './member-matrix';
import { getPersonaSetOrThrow, requestRebuild } from './sets';

/**
 * When a set counts as drifted (any one suffices). The one place these numbers live; the Scoring tab shows them.
 * - shareChangePoints: a persona's share of the set moved this many percentage points since the build;
 * - relativeShareChange (with at least minRelativePoints): a persona grew or shrank by this fraction of its share at
 *   the build (a fifth of a persona moving elsewhere is drift, whatever the persona's size);
 * - psi: population stability index of the mix, Σ (now − then) · ln(now / then); 0.1 is the customary "moderate shift";
 * - centreShift: a persona's centre moved this far on one trait, in standardized units (robust SDs; a categorical
 *   trait's one-hot block counts as one trait);
 * - minMembers: smaller sets are not checked (their shares are noise).
 */
export const DRIFT_THRESHOLDS = {
  shareChangePoints: 5,
  relativeShareChange: 0.15,
  minRelativePoints: 1,
  psi: 0.1,
  centreShift: 0.25,
  minMembers: 50,
} as const;

const EPS = 1e-4;

/** The metrics from counts per persona (then and now) and each persona's summed encoded rows now. Pure. */
export function driftMetrics(input: {
  personaIds: string[];
  baseline: number[];
  current: number[];
  encoder: Encoder;
  centroids: number[][];
  /** per persona: the sum of its members' encoded rows (length d), and how many rows */
  sums: Float64Array[];
  rows: number[];
}): DriftMetrics {
  const { personaIds, baseline, current, encoder, centroids, sums, rows } = input;
  const totalThen = baseline.reduce((a, b) => a + b, 0);
  const totalNow = current.reduce((a, b) => a + b, 0);
  let psi = 0;
  const personas = personaIds.map((personaId, j) => {
    const then = totalThen ? baseline[j] / totalThen : 0;
    const now = totalNow ? current[j] / totalNow : 0;
    psi += (Math.max(now, EPS) - Math.max(then, EPS)) * Math.log(Math.max(now, EPS) / Math.max(then, EPS));
    let centreShift = 0;
    let centreShiftTrait: string | null = null;
    if (rows[j] > 0 && centroids[j]) {
      for (const t of encoder.traits) {
        const width = t.type === 'categorical' ? Math.max(1, t.categories.length) : 1;
        const scale = t.type === 'categorical' ? 1 : t.weight || 1;
        let ss = 0;
        for (let q = 0; q < width; q++) {
          const diff = sums[j][t.offset + q] / rows[j] - centroids[j][t.offset + q];
          ss += diff * diff;
        }
        const shift = Math.sqrt(ss) / scale;
        if (shift > centreShift) [centreShift, centreShiftTrait] = [shift, t.key];
      }
    }
    return { personaId, baselineShare: then, share: now, shareChangePoints: (now - then) * 100, centreShift, centreShiftTrait };
  });
  return {
    members: totalNow,
    baselineMembers: totalThen,
    psi,
    maxShareChangePoints: Math.max(0, ...personas.map((p) => Math.abs(p.shareChangePoints))),
    maxCentreShift: Math.max(0, ...personas.map((p) => p.centreShift)),
    personas,
  };
}

/** Why the metrics count as drift, in words; empty when they do not. */
export function driftReasons(m: DriftMetrics, names: Map<string, string>): string[] {
  if (m.members < DRIFT_THRESHOLDS.minMembers) return [];
  const out: string[] = [];
  for (const p of m.personas) {
    const name = names.get(p.personaId) ?? 'A persona';
    const relative = p.baselineShare > 0 ? Math.abs(p.share - p.baselineShare) / p.baselineShare : p.share > 0 ? Infinity : 0;
    if (
      Math.abs(p.shareChangePoints) >= DRIFT_THRESHOLDS.shareChangePoints ||
      (relative >= DRIFT_THRESHOLDS.relativeShareChange && Math.abs(p.shareChangePoints) >= DRIFT_THRESHOLDS.minRelativePoints)
    )
      out.push(`${name}: ${(p.baselineShare * 100).toFixed(1)}% → ${(p.share * 100).toFixed(1)}% of the set (${p.shareChangePoints > 0 ? '+' : ''}${p.shareChangePoints.toFixed(1)} points)`);
    if (p.centreShift >= DRIFT_THRESHOLDS.centreShift)
      out.push(`${name}: centre moved ${p.centreShift.toFixed(2)} standard units on ${p.centreShiftTrait}`);
  }
  if (m.psi >= DRIFT_THRESHOLDS.psi) out.push(`Persona mix PSI ${m.psi.toFixed(3)} (threshold ${DRIFT_THRESHOLDS.psi})`);
  return out;
}

/** Measures the set's current members against its build: the mix then is read from the history at built_at. */
export async function measureDrift(tenant: Tenant, personaSetId: string): Promise<{ metrics: DriftMetrics; names: Map<string, string>; buildVersion: number }> {
  const { db, accountId } = tenant;
  const set = await getPersonaSetOrThrow(tenant, personaSetId);
  const model = set.model as PersonaModel | null;
  if (!model || !set.builtAt) throw new ServiceError('invalid', 'This persona set has not been built yet');
  const personas = await db.query<{ id: string; name: string; position: number }>(
    'select id::text, name, position from personas where account_id = $1 and persona_set_id = $2 and retired_at is null order by position',
    [accountId, personaSetId],
  );
  const ids = personas.rows.map((p) => p.id);
  const index = new Map(ids.map((id, j) => [id, j]));
  const counts = await db.query<{ pid: string; then: number; now: number }>(
    `select persona_id::text as pid,
       count(*) filter (where valid_from <= $3 and (valid_to is null or valid_to > $3))::int as then,
       count(*) filter (where valid_to is null)::int as now
     from assignments where account_id = $1 and persona_set_id = $2 group by 1`,
    [accountId, personaSetId, new Date(set.builtAt).toISOString()],
  );
  const baseline = ids.map(() => 0);
  const current = ids.map(() => 0);
  for (const r of counts.rows) {
    const j = index.get(r.pid);
    if (j === undefined) continue;
    baseline[j] = r.then;
    current[j] = r.now;
  }
  const columns = await resolveTraitColumns(tenant, model.encoder.specs.map((s) => s.key));
  const mt = await loadMemberMatrix(tenant, columns, { kind: 'cohort', personaSetId, cohortId: set.cohortId });
  const { matrix, d } = encodeTable(model.encoder, mt.table);
  const sums = ids.map(() => new Float64Array(d));
  const rows = ids.map(() => 0);
  for (let i = 0; i < mt.table.n; i++) {
    const j = mt.currentPersona[i] === null ? undefined : index.get(mt.currentPersona[i]!);
    if (j === undefined) continue;
    rows[j]++;
    const s = sums[j];
    for (let c = 0, o = i * d; c < d; c++) s[c] += matrix[o + c];
  }
  // personas are stored in centroid order (position = the label the model gives)
  const centroids = personas.rows.map((p) => model.centroids[p.position]);
  return {
    metrics: driftMetrics({ personaIds: ids, baseline, current, encoder: model.encoder, centroids, sums, rows }),
    names: new Map(personas.rows.map((p) => [p.id, p.name])),
    buildVersion: set.buildVersion,
  };
}

/**
 * After a scoring run: measures, and raises an alert when over the thresholds unless the set already had one that
 * day (UTC). Returns the new alert's id, or null. Idempotent: a retried check finds the day taken.
 */
export async function checkDriftAfterRun(tenant: Tenant, personaSetId: string, scoringRunId: string | null, at = new Date()): Promise<{ alertId: string | null; reasons: string[] }> {
  const { metrics, names, buildVersion } = await measureDrift(tenant, personaSetId);
  const reasons = driftReasons(metrics, names);
  if (!reasons.length) return { alertId: null, reasons };
  const rows = await tenant.db.query<{ id: string }>(
    `insert into drift_alerts (account_id, persona_set_id, scoring_run_id, build_version, day, metrics, reasons)
     values ($1, $2, $3, $4, $5::date, $6::jsonb, $7::jsonb) on conflict (persona_set_id, day) do nothing returning id`,
    [tenant.accountId, personaSetId, scoringRunId, buildVersion, at.toISOString().slice(0, 10), JSON.stringify(metrics), JSON.stringify(reasons)],
  );
  if (rows.rows.length) return { alertId: rows.rows[0].id, reasons };
  // a retried check of the same run finds its own alert (and its emails are keyed, so none goes twice)
  const own = await tenant.db.query<{ id: string }>(
    'select id from drift_alerts where account_id = $1 and persona_set_id = $2 and day = $3::date and scoring_run_id = $4',
    [tenant.accountId, personaSetId, at.toISOString().slice(0, 10), scoringRunId],
  );
  return { alertId: own.rows[0]?.id ?? null, reasons };
}

/** Emails the alert to the set's creator and watchers, once each (the outbox key holds the alert and the person). */
export async function emailDriftAlert(tenant: Tenant, alertId: string): Promise<{ sent: number }> {
  const { db, accountId } = tenant;
  const r = await db.query<{ set_id: string; set_name: string; reasons: string[] }>(
    `select s.id as set_id, s.name as set_name, a.reasons from drift_alerts a join persona_sets s on s.id = a.persona_set_id
     where a.id = $1 and a.account_id = $2`,
    [alertId, accountId],
  );
  const alert = r.rows[0];
  if (!alert) throw notFound('Drift alert');
  const people = await db.query<{ id: string; email: string }>(
    `select u.id, u.email from users u where u.id in (
       select created_by from persona_sets where id = $1 and account_id = $2
       union select user_id from persona_set_watchers where persona_set_id = $1 and account_id = $2)`,
    [alert.set_id, accountId],
  );
  const url = `${env.APP_URL}/persona-sets/${alert.set_id}?tab=scoring`;
  const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  for (const p of people.rows)
    await deliverEmail(tenant, {
      idempotencyKey: `drift-${alertId}-${p.id}`,
      to: p.email,
      subject: `Persona set “${alert.set_name}” has drifted`,
      text: `The latest scoring of “${alert.set_name}” moved away from its build:\n\n${alert.reasons.map((x) => `- ${x}`).join('\n')}\n\nReview it, and rebuild if the personas no longer fit: ${url}\n`,
      html: `<p>The latest scoring of <strong>${esc(alert.set_name)}</strong> moved away from its build:</p><ul>${alert.reasons
        .map((x) => `<li>${esc(x)}</li>`)
        .join('')}</ul><p><a href="${esc(url)}">Review it, and rebuild if the personas no longer fit</a></p>`,
    });
  return { sent: people.rows.length };
}

export interface DriftAlertView extends DriftAlert {
  setName: string;
}

/** The account's alerts (or one set's), newest first. */
export async function listDriftAlerts({ db, accountId }: Tenant, opts: { personaSetId?: string; openOnly?: boolean; limit?: number } = {}): Promise<DriftAlertView[]> {
  const where = [eq(driftAlerts.accountId, accountId)];
  if (opts.personaSetId) where.push(eq(driftAlerts.personaSetId, opts.personaSetId));
  if (opts.openOnly) where.push(eq(driftAlerts.status, 'open'));
  const rows = await db.db
    .select({ alert: driftAlerts, setName: personaSets.name })
    .from(driftAlerts)
    .innerJoin(personaSets, eq(personaSets.id, driftAlerts.personaSetId))
    .where(and(...where))
    .orderBy(desc(driftAlerts.createdAt))
    .limit(opts.limit ?? 50);
  return rows.map((r) => ({ ...r.alert, setName: r.setName }));
}

/** Dismisses an alert, or follows its suggestion and queues a rebuild of the set. */
export async function resolveDriftAlert(tenant: Tenant, alertId: string, resolution: 'dismissed' | 'rebuild'): Promise<DriftAlert> {
  const { db, accountId, userId } = tenant;
  if (!isUuid(alertId)) throw notFound('Drift alert');
  const found = await db.db.select().from(driftAlerts).where(and(eq(driftAlerts.accountId, accountId), eq(driftAlerts.id, alertId))).limit(1);
  if (!found.length) throw notFound('Drift alert');
  if (resolution === 'rebuild') await requestRebuild(tenant, found[0].personaSetId);
  const [alert] = await db.db
    .update(driftAlerts)
    .set({ status: resolution === 'rebuild' ? 'rebuild-requested' : 'dismissed', resolvedBy: userId, resolvedAt: new Date() })
    .where(and(eq(driftAlerts.accountId, accountId), eq(driftAlerts.id, alertId)))
    .returning();
  return alert;
}

/** Watch a set (drift emails) or stop. */
export async function setWatching(tenant: Tenant, personaSetId: string, watching: boolean): Promise<{ watching: boolean }> {
  const { db, accountId, userId } = tenant;
  if (!userId) throw new ServiceError('forbidden', 'Only a signed-in person can watch a set');
  await getPersonaSetOrThrow(tenant, personaSetId);
  if (watching)
    await db.query(
      `insert into persona_set_watchers (account_id, persona_set_id, user_id) values ($1, $2, $3) on conflict do nothing`,
      [accountId, personaSetId, userId],
    );
  else await db.query('delete from persona_set_watchers where account_id = $1 and persona_set_id = $2 and user_id = $3', [accountId, personaSetId, userId]);
  return { watching };
}

export async function isWatching({ db, accountId, userId }: Tenant, personaSetId: string): Promise<boolean> {
  if (!userId) return false;
  const rows = await db.db
    .select({ u: personaSetWatchers.userId })
    .from(personaSetWatchers)
    .where(and(eq(personaSetWatchers.accountId, accountId), eq(personaSetWatchers.personaSetId, personaSetId), eq(personaSetWatchers.userId, userId)))
    .limit(1);
  return rows.length > 0;
}
