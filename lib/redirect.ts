// Where to send a person after sign-in: only a path of this origin. Browsers read `\` as `/`, skip tabs and
// newlines inside URLs and resolve `//host` off-site, so anything that is not a plain path is refused, in its
// percent-decoded forms too.
const ORIGIN = 'https://facet.invalid';
const MAX_LENGTH = 2048;

/** True when `s` is a plain absolute path: one leading `/`, no backslash, no control or space characters. */
function plainPath(s: string): boolean {
  if (!s.startsWith('/') || s.startsWith('//')) return false;
  return !/[\\\u0000-\u0020\u007f-\u00a0\u1680\u2000-\u200f\u2028-\u202f\u205f\u2060\u3000\ufeff]/.test(s);
}

/** The value after percent-decoding until it no longer changes (null when an escape is malformed). */
function fullyDecoded(s: string): string | null {
  let current = s;
  for (let i = 0; i < 4; i++) {
    let next: string;
    try {
      next = decodeURIComponent(current);
    } catch {
      return null;
    }
    if (next === current) return current;
    current = next;
  }
  return null;
}

/**
 * `value` when it is a path of this origin (`/persona-sets?tab=flow`), otherwise `fallback`. The answer is the path
 * as the URL parser reads it, so what is returned resolves against any base to that base's origin.
 */
export function sameOriginPath(value: unknown, fallback = '/persona-sets'): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_LENGTH) return fallback;
  if (!plainPath(value)) return fallback;
  const decoded = fullyDecoded(value);
  if (decoded === null || !plainPath(decoded)) return fallback;
  let url: URL;
  try {
    url = new URL(value, ORIGIN);
  } catch {
    return fallback;
  }
  if (url.origin !== ORIGIN) return fallback;
  const path = `${url.pathname}${url.search}${url.hash}`;
  // `/.//x` parses to the path `//x`, which is off-site once written into a Location header
  return plainPath(path) ? path : fallback;
}
