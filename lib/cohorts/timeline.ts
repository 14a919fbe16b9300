import type { CohortDefinition, EventCondition, TraitCondition } from './definition';

/** Days since 1970-01-01 (UTC); cohort history is kept per day. */
export type Day = number;
export const DAY_MS = 86_400_000;
export const toDay = (d: Date | string): Day => Math.floor(new Date(d).getTime() / DAY_MS);
export const dayToIso = (d: Day): string => new Date(d * DAY_MS).toISOString().slice(0, 10);

export interface PersonOrders {
  /** order days, ascending */
  days: Int32Array | number[];
  amounts: Float64Array | number[];
  products?: (string | null)[];
  categories?: (string | null)[];
}

export interface Stay {
  entered: Day;
  exited: Day | null;
}

function windowDays(c: EventCondition): number | null {
  if (c.kind === 'order_count' || c.kind === 'total_spend' || c.kind === 'bought') return c.window?.days ?? null;
  return null;
}

function inRange(v: number, min?: number, max?: number): boolean {
  return (min === undefined || v >= min) && (max === undefined || v <= max);
}

/** Whether one event condition holds at the end of day `d`, given the person's orders. */
export function eventConditionHolds(c: EventCondition, o: PersonOrders, d: Day): boolean {
  const w = windowDays(c);
  const lo = w === null ? -Infinity : d - w; // orders on days (d - w, d] count
  if (c.kind === 'order_count' || c.kind === 'total_spend') {
    let count = 0;
    let spend = 0;
    for (let i = 0; i < o.days.length; i++) {
      const od = o.days[i];
      if (od > d) break;
      if (od > lo) {
        count++;
        spend += o.amounts[i];
      }
    }
    return c.kind === 'order_count' ? inRange(count, c.min, c.max) : inRange(Math.round(spend * 100) / 100, c.min, c.max);
  }
  if (c.kind === 'bought') {
    const ps = c.products?.length ? new Set(c.products) : null;
    const cs = c.categories?.length ? new Set(c.categories) : null;
    for (let i = 0; i < o.days.length; i++) {
      const od = o.days[i];
      if (od > d) break;
      if (od <= lo) continue;
      const okP = ps ? ps.has(o.products?.[i] ?? '') : false;
      const okC = cs ? cs.has(o.categories?.[i] ?? '') : false;
      if ((!ps && !cs) || okP || okC) return true;
    }
    return false;
  }
  // first_order / last_order: the date of the first or last order up to d
  let idx = -1;
  if (c.kind === 'first_order') idx = o.days.length && o.days[0] <= d ? 0 : -1;
  else for (let i = o.days.length - 1; i >= 0; i--) if (o.days[i] <= d) { idx = i; break; }
  if (idx < 0) return false;
  const od = o.days[idx];
  if (c.withinDays !== undefined && !(od > d - c.withinDays)) return false;
  if (c.olderThanDays !== undefined && !(od <= d - c.olderThanDays)) return false;
  if (c.from !== undefined && od < toDay(c.from)) return false;
  if (c.to !== undefined && od > toDay(c.to)) return false;
  return true;
}

/** Days on which membership may change: creation, each order, each order leaving a window or a date bound. */
function candidateDays(def: CohortDefinition, o: PersonOrders, start: Day, today: Day): Day[] {
  const set = new Set<Day>([start]);
  const shifts = new Set<number>([0]);
  for (const c of def.events) {
    const w = windowDays(c);
    if (w !== null) shifts.add(w);
    if (c.kind === 'first_order' || c.kind === 'last_order') {
      if (c.withinDays) shifts.add(c.withinDays);
      if (c.olderThanDays) shifts.add(c.olderThanDays);
      if (c.from) set.add(toDay(c.from));
      if (c.to) set.add(toDay(c.to) + 1);
    }
  }
  for (let i = 0; i < o.days.length; i++) for (const s of shifts) set.add(o.days[i] + s);
  return [...set].filter((d) => d >= start && d <= today).sort((a, b) => a - b);
}

/**
 * The stays of one person in a cohort from `start` (when they became known) to `today`, from the event conditions.
 * Trait conditions are evaluated by the caller (they do not vary over time here).
 */
export function cohortStays(def: CohortDefinition, o: PersonOrders, start: Day, today: Day): Stay[] {
  const stays: Stay[] = [];
  let inside = false;
  for (const d of candidateDays(def, o, start, today)) {
    const holds = def.events.every((c) => eventConditionHolds(c, o, d));
    if (holds && !inside) {
      stays.push({ entered: d, exited: null });
      inside = true;
    } else if (!holds && inside) {
      stays[stays.length - 1].exited = d;
      inside = false;
    }
  }
  return stays;
}

export type TraitValue = string | number | boolean | null | undefined;

export function traitConditionHolds(c: TraitCondition, value: TraitValue): boolean {
  if (value === null || value === undefined || (typeof value === 'number' && Number.isNaN(value))) return false;
  if (c.values?.length) return c.values.some((v) => String(v) === String(value));
  const n = typeof value === 'boolean' ? Number(value) : Number(value);
  if (!Number.isFinite(n)) return false;
  return inRange(n, c.min, c.max);
}
