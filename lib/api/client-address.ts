// The address of the client, as far as Facet can trust it. X-Forwarded-For is chosen by whoever sends the
// request, so Facet's server rewrites it from the connection: entries are believed only when they were added by
// a proxy listed in FACET_TRUSTED_PROXIES (comma-separated addresses). Everything downstream (Next, the API's
// limits, the auth endpoint) then reads one address it can key a limit on.
import type http from 'node:http';

const normalize = (address: string) => address.trim().replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, '');

export function trustedProxies(raw = process.env.FACET_TRUSTED_PROXIES): Set<string> {
  return new Set((raw ?? '').split(',').map(normalize).filter(Boolean));
}

/**
 * The client of a connection from `socketAddress` that carried `forwardedFor`: walking back from the
 * connection, the first address that is not a trusted proxy.
 */
export function resolveClientAddress(socketAddress: string | undefined, forwardedFor: string | string[] | undefined, trusted: Set<string>): string {
  const chain = [...(Array.isArray(forwardedFor) ? forwardedFor.join(',') : (forwardedFor ?? '')).split(','), socketAddress ?? '']
    .map(normalize)
    .filter(Boolean);
  for (let i = chain.length - 1; i >= 0; i--) if (!trusted.has(chain[i])) return chain[i];
  return chain[0] ?? 'unknown';
}

/** Facet's server: every request's X-Forwarded-For replaced by the one address resolved from its connection. */
export function withClientAddress(listener: http.RequestListener, trusted = trustedProxies()): http.RequestListener {
  return (req, res) => {
    req.headers['x-forwarded-for'] = resolveClientAddress(req.socket.remoteAddress, req.headers['x-forwarded-for'], trusted);
    listener(req, res);
  };
}

/** The client address of a request that went through Facet's server (the first X-Forwarded-For entry otherwise). */
export function requestAddress(forwardedFor: string | string[] | null | undefined): string {
  const first = (Array.isArray(forwardedFor) ? forwardedFor[0] : forwardedFor)?.split(',')[0];
  return first ? normalize(first) || 'unknown' : 'unknown';
}
