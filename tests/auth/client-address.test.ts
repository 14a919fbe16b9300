import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import {
  CLIENT_ADDRESS_HEADER,
  PEER_HEADER,
  UNKNOWN_ADDRESS,
  clientAddress,
  normalizeAddress,
  parseTrustedProxies,
  stampPeerAddress,
  withClientAddress,
} from '@/lib/client-address';

const h = (o: Record<string, string>) => new Headers(o);

describe('the client address', () => {
  it('is the socket peer; X-Forwarded-For counts only from a trusted proxy', () => {
    const none = parseTrustedProxies(undefined);
    const proxies = parseTrustedProxies('10.0.0.0/8, 192.0.2.7, fd00::/8');
    const headers = h({ [PEER_HEADER]: '10.1.2.3', 'x-forwarded-for': '198.51.100.1, 203.0.113.9' });
    // no trusted proxy: what the client wrote is ignored
    expect(clientAddress(headers, { trusted: none, stamped: true })).toBe('10.1.2.3');
    // from a trusted proxy: the right-most hop that is not one of ours (the left ones are the client's to choose)
    expect(clientAddress(headers, { trusted: proxies, stamped: true })).toBe('203.0.113.9');
    const chain = h({ [PEER_HEADER]: '::ffff:192.0.2.7', 'x-forwarded-for': '1.2.3.4, 203.0.113.5, 10.9.9.9' });
    expect(clientAddress(chain, { trusted: proxies, stamped: true })).toBe('203.0.113.5');
    // an untrusted peer with a forwarded header is still the peer
    expect(clientAddress(h({ [PEER_HEADER]: '203.0.113.77', 'x-forwarded-for': '10.0.0.1' }), { trusted: proxies, stamped: true })).toBe('203.0.113.77');
  });

  it('believes the peer header only where Facet’s server wrote it', () => {
    const headers = h({ [PEER_HEADER]: '203.0.113.1' });
    expect(clientAddress(headers, { stamped: false })).toBe(UNKNOWN_ADDRESS);
    expect(clientAddress(h({}), { stamped: true })).toBe(UNKNOWN_ADDRESS);
  });

  it('keys IPv6 by its /64 and IPv4-mapped addresses as IPv4', () => {
    expect(normalizeAddress('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(normalizeAddress('2001:db8:1:2:bbbb:cccc:dddd:eeee')).toBe('2001:db8:1:2::/64');
    expect(normalizeAddress('::1')).toBe('0:0:0:0::/64');
    expect(normalizeAddress('::ffff:203.0.113.4')).toBe('203.0.113.4');
    expect(normalizeAddress('not an address')).toBeNull();
    expect(() => parseTrustedProxies('10.0.0.0/x')).toThrow(/TRUSTED_PROXIES/);
  });

  it('Facet’s server writes the socket address over the one a client sent', async () => {
    const seen: string[] = [];
    const server = http.createServer((req, res) => {
      stampPeerAddress(req);
      seen.push(clientAddress(new Headers(req.headers as Record<string, string>), { trusted: parseTrustedProxies('') }));
      res.end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as AddressInfo).port;
    for (const localAddress of ['127.0.0.1', '127.0.0.2'])
      await new Promise<void>((resolve, reject) => {
        const req = http.request({ host: '127.0.0.1', port, localAddress, method: 'GET', headers: { [PEER_HEADER]: '198.51.100.200', 'x-forwarded-for': '198.51.100.201' } }, (res) => {
          res.resume();
          res.on('end', resolve);
        });
        req.on('error', reject);
        req.end();
      });
    server.close();
    expect(seen).toEqual(['127.0.0.1', '127.0.0.2']);
    // and better-auth gets the resolved address, not one the client chose
    const out = withClientAddress(h({ [PEER_HEADER]: '127.0.0.2', [CLIENT_ADDRESS_HEADER]: '6.6.6.6' }));
    expect(out.get(CLIENT_ADDRESS_HEADER)).toBe('127.0.0.2');
  });
});

describe('TRUSTED_PROXIES', () => {
  it('stops Facet at start with one line when an entry is not an address or range', async () => {
    const { spawnSync } = await import('node:child_process');
    const run = (value: string) =>
      spawnSync(process.execPath, ['--import', 'tsx', '-e', "import('./lib/env.ts').then(() => console.log('fine'))"], {
        env: { ...process.env, TRUSTED_PROXIES: value },
        encoding: 'utf8',
      });
    expect(run('10.0.0.0/8, 192.0.2.7, fd00::/8').stdout.trim()).toBe('fine');
    for (const bad of ['10.0.0.0/33', 'proxy.internal', '10.0.0.1/8/9']) {
      const r = run(bad);
      expect(r.status).not.toBe(0);
      expect(r.stderr).toContain('Invalid environment: TRUSTED_PROXIES: TRUSTED_PROXIES takes addresses or CIDR ranges');
    }
  });
});
