import { apiRoute, json } from '@/lib/api/handler';
import { operations } from '@/lib/api/operations';
import { presentPersonaSet } from '@/lib/api/present';
import { createPersonaSet, getPersonaSetOrThrow, listPersonaSets } from '@/lib/services/persona-sets';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const GET = apiRoute(operations.listPersonaSets, async ({ tenant, query }) => {
  const items = await listPersonaSets(tenant, { includeArchived: query.includeArchived === 'true' });
  // the list item lacks a few columns of the full shape; read the rows (one query per page of sets is fine here)
  const sets = await Promise.all(items.map((i) => getPersonaSetOrThrow(tenant, i.id)));
  return json({ data: sets.map(presentPersonaSet) });
});

export const POST = apiRoute(operations.createPersonaSet, async ({ tenant, body }) => {
  const set = await createPersonaSet(tenant, { ...body, via: 'api' });
  return json(presentPersonaSet(set), 201);
});
