// The security headers of every page and API answer, built in one place: proxy.ts sets them on what Next serves,
// and the production server's real-time assignment fast path (lib/api/realtime-assignment.ts) on what it answers.
// Pure: no Next or Node imports, so both can use it.
import { env } from '@/lib/env';

export interface SecurityHeaderOptions {
  /** a page: its CSP allows the scripts carrying this request's nonce; an API answer loads nothing */
  kind: 'page' | 'api';
  /** fresh per request (pages only) */
  nonce?: string;
  /** the answer travels over https: HSTS and upgrade-insecure-requests (neither means anything over http) */
  https: boolean;
  /** `next dev`: React's dev build needs eval for its error overlays */
  dev?: boolean;
}

/** A nonce: 128 random bits, base64. */
export function newNonce(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return btoa(String.fromCharCode(...bytes));
}

/**
 * The page CSP. Scripts: only those carrying the nonce (Next puts it on its own scripts when it finds it in the
 * request's CSP header), and what they load ('strict-dynamic'). Styles: 'unsafe-inline', because React renders
 * `style` attributes (chart sizes, progress bars, avatar colours), Radix positions its popovers with inline styles
 * and injects <style> elements when a dialog locks scrolling; a nonce cannot cover style attributes, and a nonce
 * next to 'unsafe-inline' would switch 'unsafe-inline' off. Injected CSS cannot run code; scripts stay locked.
 */
export function pageCsp({ nonce, https, dev }: { nonce: string; https: boolean; dev?: boolean }): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${dev ? " 'unsafe-eval'" : ''}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' blob: data:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    ...(https ? ['upgrade-insecure-requests'] : []),
  ].join('; ');
}

/** An API answer is data: it may load nothing and be framed by no one. */
export const API_CSP = "default-src 'none'; frame-ancestors 'none'";

/** One year, subdomains included; sent only over https (browsers ignore it over http anyway). */
export const HSTS = 'max-age=31536000; includeSubDomains';

export function securityHeaders(o: SecurityHeaderOptions): Record<string, string> {
  if (o.kind === 'page' && !o.nonce) throw new Error('a page needs a nonce for its CSP');
  return {
    'Content-Security-Policy': o.kind === 'page' ? pageCsp({ nonce: o.nonce!, https: o.https, dev: o.dev }) : API_CSP,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'strict-origin-when-cross-origin',
    // frame-ancestors for browsers that predate it
    'X-Frame-Options': 'DENY',
    ...(o.https ? { 'Strict-Transport-Security': HSTS } : {}),
  };
}

/**
 * Whether the answer goes out over https: Facet's public address says so (APP_URL https), or a proxy Facet is told
 * to trust (TRUSTED_PROXIES set) says the client connected with https. Without a trusted proxy the header is
 * the client's own word and is not taken.
 */
export function servedOverHttps(o: { appUrl: string; forwardedProto: string | null | undefined; trustProxy: boolean }): boolean {
  if (o.appUrl.toLowerCase().startsWith('https:')) return true;
  if (!o.trustProxy || !o.forwardedProto) return false;
  // a chain of proxies: the first value is the client's
  return o.forwardedProto.split(',')[0].trim().toLowerCase() === 'https';
}

/** servedOverHttps with Facet's own settings (APP_URL, TRUSTED_PROXIES), for the request's X-Forwarded-Proto. */
export function requestServedOverHttps(forwardedProto: string | null | undefined): boolean {
  return servedOverHttps({ appUrl: env.APP_URL, forwardedProto, trustProxy: Boolean(process.env.TRUSTED_PROXIES) });
}

