import { getAuth } from '@/lib/auth';
import { withApiHeaders } from '@/lib/api/security';
import { withClientAddress } from '@/lib/client-address';

export const dynamic = 'force-dynamic';

// a request with a body skips proxy.ts (see lib/api/security.ts): the answer carries the API headers from here
const handle = withApiHeaders(async (req: Request) => {
  const auth = await getAuth();
  // better-auth reads the client's address from a header: the one resolved here, never one the client sent
  return auth.handler(new Request(req, { headers: withClientAddress(req.headers) }));
});

export { handle as GET, handle as POST };
