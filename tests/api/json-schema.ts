// A small JSON Schema (2020-12) subset validator: enough for the schemas zod's toJSONSchema emits.
type Schema = Record<string, unknown> | boolean;

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

const typeMatches = (t: string, v: unknown) => {
  const actual = typeOf(v);
  return t === actual || (t === 'number' && actual === 'integer');
};

export function validateJsonSchema(schema: unknown, value: unknown, root: Record<string, unknown>, at = '$'): string[] {
  const s = schema as Schema;
  if (s === true || s === undefined) return [];
  if (s === false) return [`${at}: no value allowed`];
  const errs: string[] = [];
  if (typeof s.$ref === 'string') {
    const target = (s.$ref as string)
      .replace(/^#\//, '')
      .split('/')
      .reduce<unknown>((o, k) => (o as Record<string, unknown>)?.[k], root);
    if (!target) return [`${at}: unresolved ${s.$ref}`];
    errs.push(...validateJsonSchema(target, value, root, at));
  }
  if (s.type !== undefined) {
    const types = Array.isArray(s.type) ? (s.type as string[]) : [s.type as string];
    if (!types.some((t) => typeMatches(t, value))) return [...errs, `${at}: expected ${types.join('|')}, got ${typeOf(value)}`];
  }
  if (s.const !== undefined && JSON.stringify(s.const) !== JSON.stringify(value)) errs.push(`${at}: expected ${JSON.stringify(s.const)}`);
  if (Array.isArray(s.enum) && !s.enum.some((e) => JSON.stringify(e) === JSON.stringify(value))) errs.push(`${at}: ${JSON.stringify(value)} not in enum`);
  if (typeof value === 'number') {
    if (typeof s.minimum === 'number' && value < s.minimum) errs.push(`${at}: below minimum`);
    if (typeof s.maximum === 'number' && value > s.maximum) errs.push(`${at}: above maximum`);
  }
  if (typeof value === 'string') {
    if (typeof s.pattern === 'string' && !new RegExp(s.pattern).test(value)) errs.push(`${at}: does not match ${s.pattern}`);
    if (typeof s.minLength === 'number' && value.length < s.minLength) errs.push(`${at}: too short`);
    if (typeof s.maxLength === 'number' && value.length > s.maxLength) errs.push(`${at}: too long`);
  }
  if (Array.isArray(value)) {
    if (s.items !== undefined) value.forEach((v, i) => errs.push(...validateJsonSchema(s.items, v, root, `${at}[${i}]`)));
    if (typeof s.minItems === 'number' && value.length < s.minItems) errs.push(`${at}: too few items`);
    if (typeof s.maxItems === 'number' && value.length > s.maxItems) errs.push(`${at}: too many items`);
  }
  if (typeOf(value) === 'object') {
    const obj = value as Record<string, unknown>;
    const props = (s.properties ?? {}) as Record<string, unknown>;
    for (const r of (s.required as string[] | undefined) ?? []) if (!(r in obj)) errs.push(`${at}.${r}: required`);
    for (const [k, v] of Object.entries(obj)) {
      if (k in props) errs.push(...validateJsonSchema(props[k], v, root, `${at}.${k}`));
      else if (s.additionalProperties === false) errs.push(`${at}.${k}: not allowed`);
      else if (s.additionalProperties !== undefined) errs.push(...validateJsonSchema(s.additionalProperties, v, root, `${at}.${k}`));
    }
  }
  for (const sub of (s.allOf as unknown[] | undefined) ?? []) errs.push(...validateJsonSchema(sub, value, root, at));
  if (Array.isArray(s.anyOf) && !s.anyOf.some((sub) => validateJsonSchema(sub, value, root, at).length === 0)) errs.push(`${at}: matches no anyOf branch`);
  if (Array.isArray(s.oneOf) && s.oneOf.filter((sub) => validateJsonSchema(sub, value, root, at).length === 0).length !== 1)
    errs.push(`${at}: must match exactly one oneOf branch`);
  return errs;
}
