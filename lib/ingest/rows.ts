// Turns parsed CSV records into people and order rows, or a reason why a row cannot be used.
import { normalizeEmail } from '@/lib/identity-graph/normalize';
import { customTraitKey, parseBoolean, parseNumber, type ColumnMapping, type CustomTraitType } from './mapping';

export type RowResult<T> = { ok: true; row: T } | { ok: false; reason: string };

export interface CustomColumn {
  index: number;
  header: string;
  key: string;
  type: CustomTraitType;
}

export interface PeoplePlan {
  kind: 'people';
  width: number;
  cols: Partial<Record<'external_id' | 'email' | 'first_name' | 'last_name' | 'street' | 'city' | 'state' | 'postcode' | 'phone', number>>;
  custom: CustomColumn[];
}

export interface OrdersPlan {
  kind: 'orders';
  width: number;
  cols: Partial<Record<'order_id' | 'person_external_id' | 'person_email' | 'ordered_at' | 'amount' | 'product' | 'category' | 'quantity', number>>;
}

export type IngestPlan = PeoplePlan | OrdersPlan;

/** Column indexes of each mapped field, from the file's header and the confirmed mapping. */
export function planFor(kind: 'people' | 'orders', headers: string[], mapping: ColumnMapping): IngestPlan {
  if (kind === 'people') {
    const plan: PeoplePlan = { kind, width: headers.length, cols: {}, custom: [] };
    headers.forEach((h, i) => {
      const t = mapping[h] ?? 'ignore';
      if (t.startsWith('trait:')) plan.custom.push({ index: i, header: h, key: customTraitKey(h), type: t.slice(6) as CustomTraitType });
      else if (t !== 'ignore') plan.cols[t as keyof PeoplePlan['cols']] = i;
    });
    return plan;
  }
  const plan: OrdersPlan = { kind, width: headers.length, cols: {} };
  headers.forEach((h, i) => {
    const t = mapping[h] ?? 'ignore';
    if (t !== 'ignore') plan.cols[t as keyof OrdersPlan['cols']] = i;
  });
  return plan;
}

const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const MAX_FIELD = 1000;

function cell(fields: string[], i: number | undefined): string | null {
  if (i === undefined) return null;
  const v = fields[i]?.trim();
  return v ? v : null;
}

export interface PersonRow {
  externalId: string | null;
  email: string | null;
  emailNorm: string | null;
  firstName: string | null;
  lastName: string | null;
  street: string | null;
  city: string | null;
  state: string | null;
  postcode: string | null;
  phone: string | null;
  custom: Record<string, string | number | boolean> | null;
}

export function toPersonRow(plan: PeoplePlan, fields: string[]): RowResult<PersonRow> {
  if (fields.length !== plan.width) return { ok: false, reason: `expected ${plan.width} fields but found ${fields.length}` };
  const c = plan.cols;
  for (let i = 0; i < fields.length; i++)
    if (fields[i].length > MAX_FIELD) return { ok: false, reason: `field ${i + 1} is longer than ${MAX_FIELD} characters` };
  const externalId = cell(fields, c.external_id);
  let email = cell(fields, c.email);
  if (email && !EMAIL_RE.test(email)) return { ok: false, reason: `invalid email "${email.slice(0, 80)}"` };
  if (!externalId && !email) return { ok: false, reason: 'no external id and no email: the row cannot be identified' };
  email = email ?? null;
  const postcodeRaw = cell(fields, c.postcode);
  let custom: Record<string, string | number | boolean> | null = null;
  for (const col of plan.custom) {
    const raw = cell(fields, col.index);
    if (raw === null) continue;
    let v: string | number | boolean | null;
    if (col.type === 'numeric') {
      v = parseNumber(raw);
      if (v === null) return { ok: false, reason: `"${col.header}" should be a number, got "${raw.slice(0, 40)}"` };
    } else if (col.type === 'boolean') {
      v = parseBoolean(raw);
      if (v === null) return { ok: false, reason: `"${col.header}" should be yes/no, got "${raw.slice(0, 40)}"` };
    } else v = raw;
    (custom ??= {})[col.key] = v;
  }
  return {
    ok: true,
    row: {
      externalId,
      email,
      emailNorm: email ? normalizeEmail(email) : null,
      firstName: cell(fields, c.first_name),
      lastName: cell(fields, c.last_name),
      street: cell(fields, c.street),
      city: cell(fields, c.city),
      state: cell(fields, c.state),
      postcode: postcodeRaw,
      phone: cell(fields, c.phone),
      custom,
    },
  };
}

export interface OrderRow {
  orderId: string | null;
  personExternalId: string | null;
  personEmailNorm: string | null;
  orderedAt: string; // ISO timestamp
  amount: number;
  product: string | null;
  category: string | null;
  quantity: number;
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/;
const US_DATE = /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?$/;

function digitsAt(v: string, from: number, count: number): number {
  let n = 0;
  for (let i = from; i < from + count; i++) {
    const c = v.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    n = n * 10 + c;
  }
  return n;
}

const isLeap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** A bare YYYY-MM-DD, the common case, read without a regex or a Date: undefined when `v` has another shape. */
function parseIsoDay(v: string): string | null | undefined {
  if (v.length !== 10 || v.charCodeAt(4) !== 45 || v.charCodeAt(7) !== 45) return undefined;
  const y = digitsAt(v, 0, 4);
  const mo = digitsAt(v, 5, 2);
  const d = digitsAt(v, 8, 2);
  if (y < 0 || mo < 0 || d < 0) return undefined;
  if (y < 1900 || y > 2200 || mo < 1 || mo > 12 || d < 1) return null;
  if (d > (mo === 2 && isLeap(y) ? 29 : MONTH_DAYS[mo - 1])) return null; // 2024-02-30
  return `${v}T00:00:00.000Z`;
}

/** Reads ISO (2024-03-01, 2024-03-01T10:00:00Z) and US (3/1/2024) dates; times without a zone are UTC. */
export function parseDate(raw: string): string | null {
  const v = raw.trim();
  const day = parseIsoDay(v);
  if (day !== undefined) return day;
  let y: number, mo: number, d: number, h = 0, mi = 0, s = 0;
  let m = ISO_DATE.exec(v);
  let zone: string | undefined;
  if (m) {
    [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
    h = Number(m[4] ?? 0);
    mi = Number(m[5] ?? 0);
    s = Number(m[6] ?? 0);
    zone = m[7];
  } else if ((m = US_DATE.exec(v))) {
    [mo, d, y] = [Number(m[1]), Number(m[2]), Number(m[3])];
    h = Number(m[4] ?? 0);
    mi = Number(m[5] ?? 0);
    s = Number(m[6] ?? 0);
  } else return null;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 59 || y < 1900 || y > 2200) return null;
  const t = Date.UTC(y, mo - 1, d, h, mi, s);
  const back = new Date(t);
  if (back.getUTCDate() !== d) return null; // 2024-02-30
  if (zone && zone !== 'Z') {
    const zm = /^([+-])(\d{2}):?(\d{2})$/.exec(zone)!;
    const off = (Number(zm[2]) * 60 + Number(zm[3])) * (zm[1] === '+' ? 1 : -1);
    return new Date(t - off * 60_000).toISOString();
  }
  return back.toISOString();
}

export function toOrderRow(plan: OrdersPlan, fields: string[]): RowResult<OrderRow> {
  if (fields.length !== plan.width) return { ok: false, reason: `expected ${plan.width} fields but found ${fields.length}` };
  const c = plan.cols;
  const personExternalId = cell(fields, c.person_external_id);
  const email = cell(fields, c.person_email);
  if (!personExternalId && !email) return { ok: false, reason: 'no person: the customer id and email are empty' };
  const dateRaw = cell(fields, c.ordered_at);
  if (!dateRaw) return { ok: false, reason: 'no order date' };
  const orderedAt = parseDate(dateRaw);
  if (!orderedAt) return { ok: false, reason: `unreadable date "${dateRaw.slice(0, 40)}" (use YYYY-MM-DD or M/D/YYYY)` };
  const amountRaw = cell(fields, c.amount);
  if (!amountRaw) return { ok: false, reason: 'no amount' };
  const amount = parseNumber(amountRaw);
  if (amount === null) return { ok: false, reason: `amount "${amountRaw.slice(0, 40)}" is not a number` };
  const qRaw = cell(fields, c.quantity);
  let quantity = 1;
  if (qRaw) {
    const q = parseNumber(qRaw);
    if (q === null || !Number.isInteger(q) || q < 0 || q > 1_000_000) return { ok: false, reason: `quantity "${qRaw.slice(0, 20)}" is not a whole number` };
    quantity = q;
  }
  return {
    ok: true,
    row: {
      orderId: cell(fields, c.order_id),
      personExternalId,
      personEmailNorm: email ? normalizeEmail(email) : null,
      orderedAt,
      amount,
      product: cell(fields, c.product),
      category: cell(fields, c.category),
      quantity,
    },
  };
}
