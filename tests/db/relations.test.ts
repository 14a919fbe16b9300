import { is } from 'drizzle-orm';
import { PgTable, getTableConfig } from 'drizzle-orm/pg-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '@/db/client';
import { parseAnalysis, parseTraitSelection } from '@/db/json';
import * as schema from '@/db/schema';
import { accounts, assignments, cohorts, personaSetAnalyses, personaSets, personas } from '@/db/schema';
import type { AvatarSpec } from '@/lib/clustering/types';
import { testDatabases } from '../helpers/db';

// tables nothing relates to: better-auth's verification tokens and the runner's received events
const STANDALONE = new Set(['verifications', 'job_events']);

describe('schema relations', () => {
  it('every table but the stand-alone ones has its relations exported beside it', () => {
    const exported = schema as Record<string, unknown>;
    const tables = Object.entries(exported).filter(([, v]) => is(v, PgTable)) as [string, PgTable][];
    expect(tables.length).toBeGreaterThan(20);
    const missing = tables
      .filter(([name, t]) => !STANDALONE.has(getTableConfig(t).name) && !exported[`${name}Relations`])
      .map(([name]) => name);
    expect(missing).toEqual([]);
  });
});

describe.each(testDatabases())('relational queries on $name', (target) => {
  let database: Database;
  let setId: string;
  let personaIds: string[];
  beforeAll(async () => {
    database = await target.open();
    const { db } = database;
    const [account] = await db.insert(accounts).values({ name: 'Rel', slug: 'rel' }).returning();
    const [cohort] = await db.insert(cohorts).values({ accountId: account.id, name: 'All', definition: { events: [], traits: [] } }).returning();
    const [set] = await db
      .insert(personaSets)
      .values({
        accountId: account.id,
        cohortId: cohort.id,
        name: 'Set',
        slug: 'set',
        selection: { traits: ['age', 'income'], chosenBy: 'analyst', report: [] },
      })
      .returning();
    setId = set.id;
    const avatar: AvatarSpec = { ageBand: 'adult', gender: 'mixed', household: 'couple', badges: [], hue: 200, seed: 1 };
    const rows = await db
      .insert(personas)
      .values(
        [0, 1].map((position) => ({
          accountId: account.id,
          personaSetId: set.id,
          position,
          name: `P${position}`,
          shortName: `P${position}`,
          avatar,
          centre: { age: 40 + position },
          centroid: [position, 0],
          salient: [],
        })),
      )
      .returning({ id: personas.id });
    personaIds = rows.map((r) => r.id);
    const person = await database.query<{ id: number }>(`insert into people (account_id) values ($1) returning id`, [account.id]);
    await db.insert(assignments).values({
      accountId: account.id,
      personaSetId: set.id,
      personId: person.rows[0].id,
      personaId: personaIds[0],
      runnerUpPersonaId: personaIds[1],
      distance: 0.5,
    });
    await db.insert(personaSetAnalyses).values({
      personaSetId: set.id,
      kind: 'geo',
      key: 'state',
      data: { states: [{ state: 'CA', total: 1, counts: { [personaIds[0]]: 1 } }] },
    });
  });
  afterAll(() => target.dispose(database));

  it('reads a set with its cohort, personas, both persona relations of an assignment, and analyses', async () => {
    const set = await database.db.query.personaSets.findFirst({
      where: (t, { eq }) => eq(t.id, setId),
      with: {
        cohort: true,
        personas: { orderBy: (p, { asc }) => [asc(p.position)], with: { assignments: true, runnerUpAssignments: true } },
        assignments: { with: { person: true, persona: true, runnerUp: true } },
        analyses: true,
      },
    });
    expect(set?.cohort.name).toBe('All');
    expect(parseTraitSelection(set?.selection).traits).toEqual(['age', 'income']);
    expect(set?.personas.map((p) => [p.assignments.length, p.runnerUpAssignments.length])).toEqual([
      [1, 0],
      [0, 1],
    ]);
    expect(set?.assignments[0].persona.id).toBe(personaIds[0]);
    expect(set?.assignments[0].runnerUp?.id).toBe(personaIds[1]);
    expect(set?.assignments[0].person.id).toBeGreaterThan(0);
    const geo = parseAnalysis('geo', set?.analyses[0].data);
    expect(geo.states[0].counts[personaIds[0]]).toBe(1);
  });
});
