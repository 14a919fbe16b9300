import { apiRoute, json } from '@/lib/api/handler';
import { operations } from '@/lib/api/operations';
import { listDimensionAnalyses } from '@/lib/services/persona-sets';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const GET = apiRoute(operations.getDimensions, async ({ tenant, params }) => {
  const dims = await listDimensionAnalyses(tenant, params.id);
  return json({
    personaSetId: params.id,
    dimensions: dims.map((d) => ({
      key: d.key,
      label: d.label,
      type: d.type,
      unit: d.unit ?? null,
      clustering: d.clustering,
      coverage: d.coverage,
      bins: d.bins.map((b) => ({ label: b.label, lo: b.lo ?? null, hi: b.hi ?? null })),
      cohort: d.cohort,
      personas: d.personas.map((p) => ({
        personaId: p.personaId,
        shares: p.shares,
        index: p.index,
        mean: p.mean ?? null,
        z: p.z ?? null,
        salient: p.salient,
      })),
    })),
  });
});
