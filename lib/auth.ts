import 'server-only';
import { betterAuth } from 'better-auth';
import { drizzleAdapter } from 'better-auth/adapters/drizzle';
import { nextCookies } from 'better-auth/next-js';
import { headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { getDatabase, type Database } from '@/db/client';
import { authCredentials, sessions, users, verifications } from '@/db/schema';
import { authSecret, env } from './env';
import { createAccountForUser, getMembershipOrThrow } from './services/accounts';
import { tenantOf, type Tenant } from './services/tenant';

function createAuth(database: Database) {
  return betterAuth({
    baseURL: env.APP_URL,
    secret: authSecret(),
    trustedOrigins: [env.APP_URL, 'http://localhost:3000', 'http://127.0.0.1:3000'],
    database: drizzleAdapter(database.db, {
      provider: 'pg',
      schema: { user: users, session: sessions, account: authCredentials, verification: verifications },
    }),
    emailAndPassword: { enabled: true, minPasswordLength: 8, maxPasswordLength: 128, autoSignIn: true },
    session: { expiresIn: 60 * 60 * 24 * 30, cookieCache: { enabled: true, maxAge: 60 } },
    databaseHooks: {
      user: {
        create: {
          after: async (user) => {
            await createAccountForUser({ db: database }, user);
          },
        },
      },
    },
    plugins: [nextCookies()],
  });
}

export type Auth = ReturnType<typeof createAuth>;

const globalForAuth = globalThis as unknown as { __facetAuth?: Promise<Auth> };

export function getAuth(): Promise<Auth> {
  if (!globalForAuth.__facetAuth) globalForAuth.__facetAuth = getDatabase().then(createAuth);
  return globalForAuth.__facetAuth;
}

export interface Viewer {
  userId: string;
  name: string;
  email: string;
  accountId: string;
  accountName: string;
  isDemo: boolean;
}

/** The signed-in user with their account, or null. */
export async function getViewer(): Promise<Viewer | null> {
  // headers first: it marks the page dynamic before anything opens the database (no database at build time)
  const requestHeaders = await headers();
  const auth = await getAuth();
  const session = await auth.api.getSession({ headers: requestHeaders });
  if (!session) return null;
  const database = await getDatabase();
  const m = await getMembershipOrThrow({ db: database }, session.user.id);
  return {
    userId: session.user.id,
    name: session.user.name,
    email: session.user.email,
    accountId: m.accountId,
    accountName: m.accountName,
    isDemo: m.isDemo,
  };
}

/** For pages: the viewer, or a redirect to sign-in. */
export async function requireViewer(): Promise<Viewer> {
  const viewer = await getViewer();
  if (!viewer) redirect('/sign-in');
  return viewer;
}

/** For pages: the viewer and the tenant the services take first, or a redirect to sign-in. */
export async function requireTenant(): Promise<{ viewer: Viewer; tenant: Tenant }> {
  const viewer = await requireViewer();
  return { viewer, tenant: tenantOf(await getDatabase(), viewer.accountId, viewer.userId) };
}
