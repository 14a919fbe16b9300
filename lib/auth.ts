import 'server-only';
import { betterAuth } from 'better-auth';
import { drizzleAdapter } from 'better-auth/adapters/drizzle';
import { APIError, createAuthMiddleware } from 'better-auth/api';
import { nextCookies } from 'better-auth/next-js';
import { headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { cache } from 'react';
import { getDatabase, type Database } from '@/db/client';
import { authCredentials, sessions, users, verifications } from '@/db/schema';
import { consumeAuthAttempt, refundAuthAttempt, tooManyAttemptsMessage } from './auth-limit';
import { CLIENT_ADDRESS_HEADER, clientAddress } from './client-address';
import { authSecret, demoMode, env } from './env';
import { CONFIRMATION_LINK_SECONDS, sendAddressConfirmation, sendExistingAccountNotice } from './services/account-email';
import { createAccountForUser, getMembershipOrThrow, isDemoUserEmail } from './services/accounts';
import { tenantOf, type Tenant } from './services/tenant';

/** the endpoints that take a password or send mail: each call goes through the sign-in limiter */
const LIMITED_PATHS = new Set(['/sign-in/email', '/sign-up/email', '/send-verification-email', '/change-password']);

function createAuth(database: Database) {
  return betterAuth({
    baseURL: env.APP_URL,
    secret: authSecret(),
    trustedOrigins: [env.APP_URL, 'http://localhost:3000', 'http://127.0.0.1:3000'],
    database: drizzleAdapter(database.db, {
      provider: 'pg',
      schema: { user: users, session: sessions, account: authCredentials, verification: verifications },
    }),
    emailAndPassword: {
      enabled: true,
      minPasswordLength: 8,
      maxPasswordLength: 128,
      // no session at sign-up: a taken address then gets the same answer as a new one (better-auth answers a
      // look-alike user) and its owner a notice, and a new address signs in from its confirmation link
      autoSignIn: false,
      onExistingUserSignUp: async ({ user }) => {
        await sendExistingAccountNotice(database, user);
      },
    },
    emailVerification: {
      sendOnSignUp: true,
      autoSignInAfterVerification: true,
      expiresIn: CONFIRMATION_LINK_SECONDS,
      sendVerificationEmail: async ({ user, token }) => {
        await sendAddressConfirmation(database, user, token);
      },
    },
    session: { expiresIn: 60 * 60 * 24 * 30, cookieCache: { enabled: true, maxAge: 60 } },
    // better-auth's own per-path limiter (HTTP only, in production) keys on the address app/api/auth resolved, not on
    // a header the client chose; it leaves the limited paths to Facet's limiter, so the form and the endpoint count alike
    advanced: { ipAddress: { ipAddressHeaders: [CLIENT_ADDRESS_HEADER] } },
    rateLimit: { customRules: Object.fromEntries([...LIMITED_PATHS].map((p) => [p, false as const])) },
    hooks: {
      before: createAuthMiddleware(async (ctx) => {
        if (!LIMITED_PATHS.has(ctx.path)) return;
        const email = (ctx.body as { email?: unknown } | undefined)?.email;
        const decision = consumeAuthAttempt(email, clientAddress(ctx.headers ?? new Headers()));
        if (!decision.allowed)
          throw new APIError(
            'TOO_MANY_REQUESTS',
            { message: tooManyAttemptsMessage(decision.retryAfterSeconds), code: 'TOO_MANY_ATTEMPTS' },
            { 'Retry-After': String(decision.retryAfterSeconds) },
          );
        // a demo account left in a database where the demo is off: its public password opens nothing
        if (ctx.path === '/sign-in/email' && demoMode() === 'off' && typeof email === 'string' && (await isDemoUserEmail({ db: database }, email)))
          throw APIError.from('UNAUTHORIZED', { message: 'Invalid email or password', code: 'INVALID_EMAIL_OR_PASSWORD' });
      }),
      after: createAuthMiddleware(async (ctx) => {
        if (ctx.path !== '/sign-in/email' || ctx.context.returned instanceof Error) return;
        // a sign-in with the right password hands its attempt back: only failures fill the limit
        refundAuthAttempt((ctx.body as { email?: unknown } | undefined)?.email, clientAddress(ctx.headers ?? new Headers()));
      }),
    },
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
  /** false until the person opens the link of their confirmation email: no API keys, no mail leaves */
  emailVerified: boolean;
  /** the demo account of a public demo: it writes nothing outside persona sets */
  demoReadOnly: boolean;
}

/** The signed-in user with their account, or null; read once per request (the layout and the page both ask). */
export const getViewer = cache(async (): Promise<Viewer | null> => {
  // headers first: it marks the page dynamic before anything opens the database (no database at build time)
  const requestHeaders = await headers();
  const auth = await getAuth();
  const session = await auth.api.getSession({ headers: requestHeaders });
  if (!session) return null;
  const database = await getDatabase();
  const m = await getMembershipOrThrow({ db: database }, session.user.id);
  const mode = demoMode();
  if (m.isDemo && mode === 'off') return null;
  return {
    userId: session.user.id,
    name: session.user.name,
    email: session.user.email,
    accountId: m.accountId,
    accountName: m.accountName,
    isDemo: m.isDemo,
    emailVerified: session.user.emailVerified,
    demoReadOnly: m.isDemo && mode === 'read-only',
  };
});

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
