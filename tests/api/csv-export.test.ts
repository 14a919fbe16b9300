// The full CSV export (COPY on PostgreSQL, batched rows on PGlite) against the paged JSON payload of the same
// pipeline: same cells, RFC 4180 with CRLF, formulas neutralized, hostile text intact.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '@/db/client';
import { seedTraitCatalog } from '@/scripts/seed';
import { escapeFormula } from '@/lib/api/csv-stream';
import { payloadResponse } from '@/lib/api/payload';
import { parseCsvString } from '@/lib/csv';
import { GRAPH_TRAITS } from '@/lib/identity-graph/catalog';
import { createPipeline, readPayloadPage } from '@/lib/services/pipelines';
import { testDatabases } from '../helpers/db';
import { tenantOf } from '@/lib/services/tenant';

const HOSTILE = ['=cmd|" /C calc"!A0', '+1+1', '-2', '@SUM(A1)', 'say "hi", twice', 'two\nlines', 'crlf\r\nend', '\t=1', 'plain'];

describe.each(testDatabases())('full CSV export on $name', (target) => {
  let database: Database;
  let accountId: string;
  let pipelineId: string;

  beforeAll(async () => {
    database = await target.open();
    await seedTraitCatalog(database);
    const a = await database.query<{ id: string }>(`insert into accounts (name, slug) values ('A', 'a') returning id`);
    accountId = a.rows[0].id;
    await database.query(
      `insert into traits (account_id, key, label, category, type, source) values ($1, 'tier', 'Tier', 'custom', 'categorical', 'custom')`,
      [accountId],
    );
    const width = GRAPH_TRAITS.length;
    for (let i = 0; i < 60; i++) {
      const traits = Array.from({ length: width }, (_, j) => (j % 7 === i % 7 ? 'NaN' : String(((i + 1) * (j + 3) * 1234.567) % 97)));
      traits[GRAPH_TRAIT_POS.income] = String(123456.7 + i);
      traits[GRAPH_TRAIT_POS.gender] = String(i % 2);
      await database.query(
        `insert into people (account_id, external_id, email, graph_traits, custom_traits) values ($1, $2, $3, $4::real[], $5::jsonb)`,
        [accountId, HOSTILE[i % HOSTILE.length] + i, i % 3 ? `${HOSTILE[(i + 1) % HOSTILE.length]}@x.com` : null, `{${traits.join(',')}}`, JSON.stringify({ tier: HOSTILE[(i + 2) % HOSTILE.length] })],
      );
    }
    const c = await database.query<{ id: string }>(`insert into cohorts (account_id, name, definition) values ($1, 'All', '{}') returning id`, [accountId]);
    await database.query(
      `insert into cohort_memberships (account_id, cohort_id, person_id, entered_on) select $1, $2, id, current_date from people where account_id = $1`,
      [accountId, c.rows[0].id],
    );
    const s = await database.query<{ id: string }>(
      `insert into persona_sets (account_id, cohort_id, name, slug, status) values ($1, $2, 'Set "one"', 'set-one', 'ready') returning id`,
      [accountId, c.rows[0].id],
    );
    const p = await database.query<{ id: string }>(
      `insert into personas (account_id, persona_set_id, position, name, short_name, avatar, centre, centroid, salient)
       select $1, $2, i, n, n, '{}', '{}', '{}', '[]' from unnest($3::text[]) with ordinality as u(n, i) returning id`,
      [accountId, s.rows[0].id, ['=HYPERLINK("x")', 'Name, with "quotes"\nand a line']],
    );
    await database.query(
      `insert into assignments (account_id, persona_set_id, person_id, persona_id, distance)
       select $1, $2, id, ($3::uuid[])[1 + (id % 2)::int], 1 from people where account_id = $1 and id % 5 <> 0`,
      [accountId, s.rows[0].id, p.rows.map((r) => r.id)],
    );
    pipelineId = (
      await createPipeline(tenantOf(database, accountId), {
        name: 'Export',
        cohortIds: [c.rows[0].id],
        personaSetIds: [s.rows[0].id],
        traitKeys: ['income', 'gender', 'homeowner', 'tier'],
      })
    ).id;
  });
  afterAll(() => target.dispose(database));

  it('streams every row with the same cells as the JSON payload', async () => {
    const res = await payloadResponse(tenantOf(database, accountId), pipelineId, { format: 'csv', after: 0 });
    expect(res.headers.get('content-type')).toContain('text/csv');
    const text = await res.text();
    const records = text.split('\r\n');
    expect(records.at(-1)).toBe('');
    const parsed = parseCsvString(text).map((r) => r.fields);
    const page = await readPayloadPage(tenantOf(database, accountId), pipelineId, { after: 0, limit: 1000 });
    expect(parsed[0]).toEqual(page.columns);
    const expected = page.rows.map((r) => r.map((c) => (c === null ? '' : String(escapeFormula(c)))));
    expect(parsed.slice(1)).toEqual(expected);
    expect(parsed.length - 1).toBe(60);
    for (const row of parsed.slice(1)) for (const cell of row) expect(/^[=+\-@\t\r]/.test(cell) && !/^-\d/.test(cell)).toBe(false);
    // hostile text survives: a quoted line feed inside a persona name is data, not a record end
    expect(parsed.slice(1).some((r) => r.includes('Name, with "quotes"\nand a line'))).toBe(true);
    expect(parsed.slice(1).some((r) => r.includes("'=HYPERLINK(\"x\")"))).toBe(true);
    // money keeps the precision it is stored with
    expect(parsed.slice(1).some((r) => r.includes('123456.7'))).toBe(true);
  });

  it('streams every row as the JSON object of the JSON payload, byte for byte (NDJSON)', async () => {
    const res = await payloadResponse(tenantOf(database, accountId), pipelineId, { format: 'ndjson', after: 0 });
    expect(res.headers.get('content-type')).toContain('application/x-ndjson');
    const text = await res.text();
    const page = await readPayloadPage(tenantOf(database, accountId), pipelineId, { after: 0, limit: 1000 });
    const objects = page.rows.map((r) => Object.fromEntries(page.columns.map((c, i) => [c, r[i]])));
    expect(objects).toHaveLength(60);
    expect(text.split('\n').slice(0, -1).map((l) => JSON.parse(l))).toEqual(objects);
    // the same bytes JSON.stringify writes: key order, numbers, escapes of quotes, line feeds and tabs
    expect(text).toBe(objects.map((o) => JSON.stringify(o) + '\n').join(''));
    // NDJSON is not for spreadsheets: values are left as they are
    expect(objects.some((o) => Object.values(o).includes('=HYPERLINK("x")'))).toBe(true);
  });

  it('starts after a person id, and the CSV then carries the header and the rows after it', async () => {
    const page = await readPayloadPage(tenantOf(database, accountId), pipelineId, { after: 0, limit: 1000 });
    const after = page.rows[29][0] as number;
    const csv = await (await payloadResponse(tenantOf(database, accountId), pipelineId, { format: 'csv', after })).text();
    const parsed = parseCsvString(csv).map((r) => r.fields);
    expect(parsed[0]).toEqual(page.columns);
    expect(parsed.slice(1).map((r) => Number(r[0]))).toEqual(page.rows.slice(30).map((r) => r[0]));
    const ndjson = await (await payloadResponse(tenantOf(database, accountId), pipelineId, { format: 'ndjson', after })).text();
    expect(ndjson.split('\n').slice(0, -1).map((l) => JSON.parse(l).person_id)).toEqual(page.rows.slice(30).map((r) => r[0]));
  });
});

const GRAPH_TRAIT_POS = Object.fromEntries(GRAPH_TRAITS.map((t, i) => [t.key, i])) as Record<string, number>;
