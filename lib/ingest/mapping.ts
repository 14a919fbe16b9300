// Column mapping of an uploaded CSV: which column is which identity or order field, and which become custom traits.
import { z } from 'zod';
import { GRAPH_TRAIT_INDEX, parseBooleanWord } from '@/lib/identity-graph/catalog';

export const PEOPLE_FIELDS = [
  'external_id',
  'email',
  'first_name',
  'last_name',
  'street',
  'city',
  'state',
  'postcode',
  'phone',
] as const;
export const ORDER_FIELDS = [
  'order_id',
  'person_external_id',
  'person_email',
  'ordered_at',
  'amount',
  'product',
  'category',
  'quantity',
] as const;
export type PeopleField = (typeof PEOPLE_FIELDS)[number];
export type OrderField = (typeof ORDER_FIELDS)[number];

export const TRAIT_TYPES = ['numeric', 'boolean', 'categorical'] as const;
export type CustomTraitType = (typeof TRAIT_TYPES)[number];

/** A column's target: an identity or order field, `trait:<type>` (people only), or `ignore`. */
export type ColumnTarget = PeopleField | OrderField | `trait:${CustomTraitType}` | 'ignore';
export type DatasetKind = 'people' | 'orders';
/** header -> target */
export type ColumnMapping = Record<string, string>;

export const FIELD_LABELS: Record<PeopleField | OrderField, string> = {
  external_id: 'External id',
  email: 'Email',
  first_name: 'First name',
  last_name: 'Last name',
  street: 'Street address',
  city: 'City',
  state: 'State',
  postcode: 'Postcode',
  phone: 'Phone',
  order_id: 'Order id',
  person_external_id: 'Person: external id',
  person_email: 'Person: email',
  ordered_at: 'Order date',
  amount: 'Amount',
  product: 'Product',
  category: 'Category',
  quantity: 'Quantity',
};

export function targetLabel(target: string): string {
  if (target === 'ignore') return 'Ignore';
  if (target.startsWith('trait:')) return `Custom trait (${target.slice(6)})`;
  return FIELD_LABELS[target as PeopleField] ?? target;
}

export function targetsFor(kind: DatasetKind): string[] {
  return kind === 'people'
    ? [...PEOPLE_FIELDS, ...TRAIT_TYPES.map((t) => `trait:${t}`), 'ignore']
    : [...ORDER_FIELDS, 'ignore'];
}

const squash = (h: string) =>
  h
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '');

// Header spellings seen in CRM and shop exports, squashed (lower case, no punctuation).
const PEOPLE_SYNONYMS: Record<PeopleField, string[]> = {
  external_id: ['externalid', 'id', 'customerid', 'contactid', 'personid', 'userid', 'memberid', 'clientid', 'crmid', 'custid', 'customerno', 'customernumber', 'leadid'],
  email: ['email', 'emailaddress', 'mail', 'email1', 'primaryemail', 'emailaddr'],
  first_name: ['firstname', 'first', 'givenname', 'fname', 'forename'],
  last_name: ['lastname', 'last', 'surname', 'familyname', 'lname'],
  street: ['street', 'address', 'address1', 'addressline1', 'streetaddress', 'addr', 'addr1', 'street1', 'mailingaddress', 'homeaddress'],
  city: ['city', 'town', 'locality'],
  state: ['state', 'region', 'province', 'st', 'statecode', 'stateprovince'],
  postcode: ['postcode', 'zip', 'zipcode', 'postalcode', 'zip5', 'postal'],
  phone: ['phone', 'phonenumber', 'mobile', 'cell', 'telephone', 'tel', 'mobilephone', 'homephone'],
};
const ORDER_SYNONYMS: Record<OrderField, string[]> = {
  order_id: ['orderid', 'ordernumber', 'orderno', 'id', 'transactionid', 'invoiceid', 'invoice'],
  person_external_id: ['customerid', 'externalid', 'personid', 'contactid', 'userid', 'memberid', 'clientid', 'custid', 'personexternalid', 'customerexternalid'],
  person_email: ['email', 'customeremail', 'emailaddress', 'personemail'],
  ordered_at: ['orderedat', 'orderdate', 'date', 'purchasedate', 'createdat', 'timestamp', 'ordertime', 'transactiondate', 'purchasedat'],
  amount: ['amount', 'total', 'ordertotal', 'revenue', 'value', 'price', 'totalamount', 'sales', 'spend', 'subtotal'],
  product: ['product', 'productname', 'item', 'sku', 'itemname', 'productid'],
  category: ['category', 'productcategory', 'department', 'productline', 'producttype'],
  quantity: ['quantity', 'qty', 'units', 'count', 'items'],
};

/** Guesses whether a file holds people or orders from its header. */
export function detectKind(headers: string[]): DatasetKind {
  const h = new Set(headers.map(squash));
  const has = (list: string[]) => list.some((s) => h.has(s));
  const dated = has(ORDER_SYNONYMS.ordered_at);
  const priced = has(ORDER_SYNONYMS.amount);
  return dated && priced ? 'orders' : 'people';
}

/** A key usable in SQL and JSON paths for a custom trait made from a header. */
export function customTraitKey(header: string): string {
  const k = header
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 60);
  const key = k ? (/^[0-9]/.test(k) ? `c_${k}` : k) : 'column';
  // a column named like a graph trait ("age") must not shadow it: cohorts and clustering read graph keys first
  return GRAPH_TRAIT_INDEX[key] !== undefined ? `my_${key}` : key;
}

/** Values that read as booleans: the trait catalog's vocabulary. */
export const parseBoolean: (raw: string) => boolean | null = parseBooleanWord;

/** A plain decimal ("12", "-3.50", ".5"), short enough to be read exactly; most cells of an export are. */
function isPlainDecimal(v: string): boolean {
  const n = v.length;
  if (n === 0 || n > 15) return false;
  let i = v.charCodeAt(0) === 45 ? 1 : 0; // '-'
  let digits = 0;
  let dot = false;
  for (; i < n; i++) {
    const c = v.charCodeAt(i);
    if (c >= 48 && c <= 57) digits++;
    else if (c === 46 && !dot) dot = true;
    else return false;
  }
  return digits > 0;
}

/** Numbers as people write them: "$1,234.50", "12%", " 7 ". */
export function parseNumber(raw: string): number | null {
  if (isPlainDecimal(raw)) return Number(raw);
  let v = raw.trim();
  if (!v) return null;
  v = v.replace(/^\$|^USD\s*/i, '').replace(/,/g, '').replace(/%$/, '');
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(v)) return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
}

/**
 * Infers a custom trait's type from sample values (empty values ignored). A stray bad value (up to 5%, at least one)
 * does not turn a numeric or yes/no column into text: that row is reported instead.
 */
export function inferTraitType(values: string[]): CustomTraitType {
  const seen = values.map((v) => v.trim()).filter((v) => v !== '');
  if (!seen.length) return 'categorical';
  const tolerated = Math.max(1, Math.floor(seen.length * 0.05));
  const fits = (ok: (v: string) => boolean) => {
    const bad = seen.filter((v) => !ok(v)).length;
    return bad === 0 || (bad <= tolerated && seen.length - bad >= 3 * bad);
  };
  // 0/1 columns read as boolean; other small integers stay numeric
  if (fits((v) => parseBoolean(v) !== null) && new Set(seen.filter((v) => parseBoolean(v) !== null).map((v) => v.toLowerCase())).size <= 4)
    return 'boolean';
  if (fits((v) => parseNumber(v) !== null)) return 'numeric';
  return 'categorical';
}

/** Proposes a target for every column from its header and sample values. */
export function proposeMapping(kind: DatasetKind, headers: string[], sample: string[][]): ColumnMapping {
  const mapping: ColumnMapping = {};
  const taken = new Set<string>();
  const synonyms: Record<string, string[]> = kind === 'people' ? PEOPLE_SYNONYMS : ORDER_SYNONYMS;
  const fields = kind === 'people' ? PEOPLE_FIELDS : ORDER_FIELDS;
  // exact synonyms first, in field order, so "id" goes to the first field that claims it
  headers.forEach((h) => {
    const s = squash(h);
    for (const f of fields) {
      if (!taken.has(f) && synonyms[f].includes(s)) {
        mapping[h] = f;
        taken.add(f);
        return;
      }
    }
  });
  headers.forEach((h, col) => {
    if (mapping[h]) return;
    const s = squash(h);
    // loose match: a header containing a field's main word ("Customer E-mail", "Billing zip")
    const loose: [string, string][] =
      kind === 'people'
        ? [['email', 'email'], ['zip', 'postcode'], ['postal', 'postcode'], ['phone', 'phone'], ['street', 'street'], ['address', 'street'], ['firstname', 'first_name'], ['lastname', 'last_name'], ['surname', 'last_name'], ['city', 'city']]
        : [['email', 'person_email'], ['customer', 'person_external_id'], ['date', 'ordered_at'], ['amount', 'amount'], ['total', 'amount'], ['product', 'product'], ['category', 'category'], ['qty', 'quantity'], ['quantity', 'quantity']];
    for (const [word, f] of loose) {
      if (!taken.has(f) && s.includes(word)) {
        mapping[h] = f;
        taken.add(f);
        return;
      }
    }
    mapping[h] = kind === 'people' ? `trait:${inferTraitType(sample.map((r) => r[col] ?? ''))}` : 'ignore';
  });
  return mapping;
}

export const mappingSchema = z.record(z.string(), z.string());

/** Checks that a mapping can be ingested; answers readable problems keyed by header (or `_`). */
export function validateMapping(kind: DatasetKind, headers: string[], mapping: ColumnMapping): Record<string, string[]> {
  const problems: Record<string, string[]> = {};
  const allowed = new Set(targetsFor(kind));
  const seen = new Map<string, string>();
  for (const h of headers) {
    const t = mapping[h] ?? 'ignore';
    if (!allowed.has(t)) {
      (problems[h] ??= []).push(`"${targetLabel(t)}" is not a column of a ${kind} file`);
      continue;
    }
    if (t === 'ignore' || t.startsWith('trait:')) continue;
    const prev = seen.get(t);
    if (prev !== undefined) (problems[h] ??= []).push(`${targetLabel(t)} is already taken by "${prev}"`);
    else seen.set(t, h);
  }
  for (const h of Object.keys(mapping)) if (!headers.includes(h)) (problems._ ??= []).push(`"${h}" is not a column of the file`);
  if (kind === 'people') {
    if (!seen.has('external_id') && !seen.has('email'))
      (problems._ ??= []).push('Map an External id or an Email column: people are updated by one of them on the next upload.');
  } else {
    if (!seen.has('person_external_id') && !seen.has('person_email'))
      (problems._ ??= []).push('Map the person of each order: a Person: external id or Person: email column.');
    if (!seen.has('ordered_at')) (problems._ ??= []).push('Map the Order date column.');
    if (!seen.has('amount')) (problems._ ??= []).push('Map the Amount column.');
  }
  // two headers giving the same custom trait key would overwrite each other
  const keys = new Map<string, string>();
  for (const h of headers) {
    if (!(mapping[h] ?? '').startsWith('trait:')) continue;
    const k = customTraitKey(h);
    if (keys.has(k)) (problems[h] ??= []).push(`gives the same trait key "${k}" as "${keys.get(k)}"`);
    else keys.set(k, h);
  }
  return problems;
}
