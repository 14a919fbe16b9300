import type { BuilderTrait } from '@/components/cohorts/cohort-builder';
import { listProductsAndCategories } from '@/lib/services/datasets';
import type { Tenant } from '@/lib/services/tenant';
import { listAccountTraits } from '@/lib/services/traits';

/** What the cohort builder offers: the account's traits, products and categories. */
export async function loadBuilderData(tenant: Tenant) {
  const [traits, pc] = await Promise.all([listAccountTraits(tenant), listProductsAndCategories(tenant)]);
  const builderTraits: BuilderTrait[] = traits.map((t) => ({
    key: t.key,
    label: t.label,
    type: t.type,
    categories: t.categories,
    source: t.source,
    coverage: t.coverage,
    unit: t.unit,
  }));
  return { traits: builderTraits, products: pc.products, categories: pc.categories };
}
