import { apiRoute, json } from '@/lib/api/handler';
import { operations } from '@/lib/api/operations';
import { getAnalysis, listPersonas } from '@/lib/services/persona-sets';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const GET = apiRoute(operations.getFlow, async ({ tenant, params }) => {
  const flow = await getAnalysis(tenant, params.id, 'flow', 'daily');
  const names = new Map((await listPersonas(tenant, params.id)).map((p) => [p.id, p.name]));
  return json({
    personaSetId: params.id,
    days: flow?.days ?? [],
    personas: (flow?.personas ?? []).map((p) => ({ personaId: p.personaId, name: names.get(p.personaId) ?? null, counts: p.counts })),
  });
});
