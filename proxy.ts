// Next's proxy (the file convention that replaced middleware): every page and API answer gets Facet's security
// headers (lib/security-headers.ts). A page gets a fresh nonce: it goes into the request's CSP header too, where
// Next finds it and puts it on the scripts it renders (which is why every page renders per request: app/layout.tsx).
import { NextResponse, type NextRequest } from 'next/server';
import { newNonce, requestServedOverHttps, securityHeaders } from '@/lib/security-headers';

export function proxy(request: NextRequest) {
  const https = requestServedOverHttps(request.headers.get('x-forwarded-proto'));
  const api = request.nextUrl.pathname.startsWith('/api/');
  const nonce = api ? undefined : newNonce();
  const headers = securityHeaders({ kind: api ? 'api' : 'page', nonce, https, dev: process.env.NODE_ENV === 'development' });
  let response: NextResponse;
  if (nonce) {
    const forwarded = new Headers(request.headers);
    forwarded.set('x-nonce', nonce);
    forwarded.set('Content-Security-Policy', headers['Content-Security-Policy']);
    response = NextResponse.next({ request: { headers: forwarded } });
  } else response = NextResponse.next();
  for (const [name, value] of Object.entries(headers)) response.headers.set(name, value);
  return response;
}

export const config = {
  matcher: [
    // pages (a server action's body is capped at 1 MB by Next); not the build's static files and images, nor public/
    '/((?!_next/static|_next/image|favicon\\.svg|favicon\\.ico|api/).*)',
    // API requests without a body. For one with a body Next would first read all of it to copy it for the proxy
    // (keeping 10 MB at most): an upload would reach its route cut short and the API's body limits would act
    // only after the reading. Those routes set the same headers (lib/api/security.ts).
    { source: '/api/:path*', missing: [{ type: 'header', key: 'content-length' }, { type: 'header', key: 'transfer-encoding' }] },
  ],
};
