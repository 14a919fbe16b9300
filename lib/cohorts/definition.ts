import { z } from 'zod';

const window = z
  .object({ days: z.number().int().positive().max(36500) })
  .nullable()
  .optional()
  .describe('relative window: only orders in the last N days count');

const range = { min: z.number().finite().optional(), max: z.number().finite().optional() };
const dateRange = {
  withinDays: z.number().int().positive().optional(),
  olderThanDays: z.number().int().positive().optional(),
  from: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional(),
  to: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional(),
};

export const eventConditionSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('order_count'), ...range, window }),
  z.object({ kind: z.literal('total_spend'), ...range, window }),
  z.object({ kind: z.literal('first_order'), ...dateRange }),
  z.object({ kind: z.literal('last_order'), ...dateRange }),
  z.object({
    kind: z.literal('bought'),
    products: z.array(z.string().min(1)).optional(),
    categories: z.array(z.string().min(1)).optional(),
    window,
  }),
]);

export const traitConditionSchema = z.object({
  key: z.string().min(1),
  min: z.number().finite().optional(),
  max: z.number().finite().optional(),
  values: z.array(z.union([z.string(), z.number(), z.boolean()])).optional(),
});

export const cohortDefinitionSchema = z.object({
  events: z.array(eventConditionSchema).default([]),
  traits: z.array(traitConditionSchema).default([]),
});

export type EventCondition = z.infer<typeof eventConditionSchema>;
export type TraitCondition = z.infer<typeof traitConditionSchema>;
export type CohortDefinition = z.infer<typeof cohortDefinitionSchema>;

/** A readable one-line summary of a definition, for lists. */
export function describeDefinition(def: CohortDefinition): string {
  const parts: string[] = [];
  const win = (w?: { days: number } | null) => (w ? ` in the last ${w.days} days` : '');
  const rng = (min?: number, max?: number, unit = '') =>
    min !== undefined && max !== undefined
      ? `between ${unit}${min} and ${unit}${max}`
      : min !== undefined
        ? `at least ${unit}${min}`
        : max !== undefined
          ? max === 0
            ? 'none'
            : `at most ${unit}${max}`
          : 'any';
  for (const c of def.events) {
    if (c.kind === 'order_count') parts.push(`orders${win(c.window)}: ${rng(c.min, c.max)}`);
    else if (c.kind === 'total_spend') parts.push(`spend${win(c.window)}: ${rng(c.min, c.max, '$')}`);
    else if (c.kind === 'bought')
      parts.push(`bought ${[...(c.products ?? []), ...(c.categories ?? [])].join(' or ') || 'anything'}${win(c.window)}`);
    else {
      const label = c.kind === 'first_order' ? 'first order' : 'last order';
      if (c.withinDays) parts.push(`${label} in the last ${c.withinDays} days`);
      if (c.olderThanDays) parts.push(`${label} over ${c.olderThanDays} days ago`);
      if (c.from) parts.push(`${label} on or after ${c.from}`);
      if (c.to) parts.push(`${label} on or before ${c.to}`);
    }
  }
  for (const t of def.traits) {
    if (t.values?.length) parts.push(`${t.key} is ${t.values.join(' or ')}`);
    else parts.push(`${t.key} ${rng(t.min, t.max)}`);
  }
  return parts.join('; ') || 'everyone';
}

/** Whether membership changes with the calendar alone (a window or an age of orders): such cohorts are recomputed daily. */
export function definitionDependsOnTime(def: CohortDefinition): boolean {
  return def.events.some((c) =>
    c.kind === 'first_order' || c.kind === 'last_order' ? c.withinDays !== undefined || c.olderThanDays !== undefined : !!c.window,
  );
}
