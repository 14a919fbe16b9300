import { getAuth } from '@/lib/auth';

export const dynamic = 'force-dynamic';

async function handle(req: Request) {
  const auth = await getAuth();
  return auth.handler(req);
}

export { handle as GET, handle as POST };
