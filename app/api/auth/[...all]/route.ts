import { getAuth } from '@/lib/auth';
import { withClientAddress } from '@/lib/client-address';

export const dynamic = 'force-dynamic';

async function handle(req: Request) {
  const auth = await getAuth();
  // better-auth reads the client's address from a header: the one resolved here, never one the client sent
  return auth.handler(new Request(req, { headers: withClientAddress(req.headers) }));
}

export { handle as GET, handle as POST };
