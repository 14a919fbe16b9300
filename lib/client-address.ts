// The address a request came from, for limits keyed on it. Route handlers and server actions see headers only, so
// Facet's production server (scripts/server.ts) writes the socket's address into PEER_HEADER of every request,
// over whatever the client sent. X-Forwarded-For counts only when that peer is one of TRUSTED_PROXIES. Where no
// server of Facet's stamps requests (`next dev`, a bare `next start`), the address is unknown: one shared value.
import type { IncomingMessage } from 'node:http';
import net from 'node:net';
import { env } from './env';

export const PEER_HEADER = 'x-facet-peer-address';
/** the resolved address, written for better-auth (its own limiter and the session's ip) */
export const CLIENT_ADDRESS_HEADER = 'x-facet-client-address';
export const UNKNOWN_ADDRESS = 'unknown';

const g = globalThis as unknown as { __facetPeerStamped?: boolean };

/** Facet's server: records the socket's address on the request (the process then believes PEER_HEADER). */
export function stampPeerAddress(req: IncomingMessage): void {
  g.__facetPeerStamped = true;
  req.headers[PEER_HEADER] = req.socket.remoteAddress ?? '';
}

/** The page renderer behind Facet's front (scripts/server.ts): the front stamped every request it forwards. */
export function markPeerStamped(): void {
  g.__facetPeerStamped = true;
}

/** Whether this process's requests carry a peer address its own server wrote. */
export const peerAddressIsStamped = (): boolean => g.__facetPeerStamped === true;

/** An address as a limit key: IPv4-mapped IPv6 as IPv4, IPv6 by its /64 (one host's usual share). */
export function normalizeAddress(raw: string): string | null {
  let s = raw.trim();
  if (s.startsWith('[') && s.endsWith(']')) s = s.slice(1, -1);
  const zone = s.indexOf('%');
  if (zone >= 0) s = s.slice(0, zone);
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(s);
  if (mapped) s = mapped[1];
  const kind = net.isIP(s);
  if (kind === 4) return s;
  if (kind !== 6) return null;
  const [head, tail = ''] = s.toLowerCase().split('::');
  const left = head ? head.split(':') : [];
  const right = s.includes('::') && tail ? tail.split(':') : [];
  const groups = s.includes('::') ? [...left, ...Array(8 - left.length - right.length).fill('0'), ...right] : left;
  return `${groups.slice(0, 4).map((x) => Number.parseInt(x, 16).toString(16)).join(':')}::/64`;
}

/** The trusted proxies of `spec` ("10.0.0.1, 10.1.0.0/16, fd00::/8"); a bad entry stops the caller with its name. */
export function parseTrustedProxies(spec: string | undefined): net.BlockList {
  const list = new net.BlockList();
  for (const entry of (spec ?? '').split(',').map((x) => x.trim()).filter(Boolean)) {
    const [addr, bits] = entry.split('/');
    const kind = net.isIP(addr);
    if (!kind || (bits !== undefined && !/^\d+$/.test(bits))) throw new Error(`TRUSTED_PROXIES: "${entry}" is not an address or CIDR range`);
    const type = kind === 4 ? 'ipv4' : 'ipv6';
    if (bits === undefined) list.addAddress(addr, type);
    else list.addSubnet(addr, Number(bits), type);
  }
  return list;
}

const trustedByEnv = parseTrustedProxies(env.TRUSTED_PROXIES);

function isTrusted(list: net.BlockList, address: string): boolean {
  const plain = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1] ?? address;
  const kind = net.isIP(plain);
  return kind !== 0 && list.check(plain, kind === 4 ? 'ipv4' : 'ipv6');
}

/**
 * The client's address for these request headers: the socket's peer, or, when the peer is a trusted proxy, the
 * right-most X-Forwarded-For entry that is not one (entries left of it are the client's to choose).
 */
export function clientAddress(headers: Headers, opts: { trusted?: net.BlockList; stamped?: boolean } = {}): string {
  const stamped = opts.stamped ?? peerAddressIsStamped();
  const peer = stamped ? headers.get(PEER_HEADER)?.trim() : undefined;
  if (!peer) return UNKNOWN_ADDRESS;
  const trusted = opts.trusted ?? trustedByEnv;
  let address = peer;
  if (isTrusted(trusted, peer)) {
    const hops = (headers.get('x-forwarded-for') ?? '').split(',').map((x) => x.trim()).filter(Boolean);
    for (let i = hops.length - 1; i >= 0; i--) {
      address = hops[i];
      if (!isTrusted(trusted, hops[i])) break;
    }
  }
  return normalizeAddress(address) ?? UNKNOWN_ADDRESS;
}

/** A copy of `headers` carrying the resolved address in CLIENT_ADDRESS_HEADER (a client's own value replaced). */
export function withClientAddress(headers: Headers): Headers {
  const out = new Headers(headers);
  out.set(CLIENT_ADDRESS_HEADER, clientAddress(headers));
  return out;
}
