import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import net from 'node:net';
import { z } from 'zod';
import { inngestConfigProblem } from './inngest-config';

/** "10.0.0.1", "10.0.0.0/8", "fd00::/8" */
function isAddressOrRange(entry: string): boolean {
  const [addr, bits, ...rest] = entry.split('/');
  const kind = net.isIP(addr);
  if (!kind || rest.length) return false;
  return bits === undefined || (/^\d+$/.test(bits) && Number(bits) <= (kind === 4 ? 32 : 128));
}

const envSchema = z.object({
  DATABASE_URL: z.string().min(1).optional(),
  FACET_DATA_DIR: z.string().optional(),
  APP_URL: z.string().url().default('http://localhost:3000'),
  BETTER_AUTH_SECRET: z.string().min(16, 'BETTER_AUTH_SECRET must be at least 16 characters').optional(),
  RESEND_API_KEY: z.string().optional(),
  RESEND_BASE_URL: z.string().url().optional(),
  EMAIL_FROM: z.string().default('Facet <facet@localhost>'),
  INNGEST_EVENT_KEY: z.string().optional(),
  INNGEST_SIGNING_KEY: z.string().optional(),
  INNGEST_BASE_URL: z.string().url().optional(),
  /** the storage each account's uploaded files may take, in MB */
  FACET_ACCOUNT_STORAGE_MB: z.coerce.number().int().positive().default(2048),
  FACET_SEED_PEOPLE: z.coerce.number().int().positive().default(50_000),
  FACET_SEED_GRAPH: z.coerce.number().int().positive().default(200_000),
  // 1: a public demo (the demo account is seeded and read-only outside persona sets); writable: seeded and writable
  // (a private machine, the e2e suite); 0: none; unset: seeded and writable in development only
  FACET_DEMO: z.enum(['0', '1', 'writable'], { message: 'FACET_DEMO must be 1, writable or 0' }).optional(),
  // the proxies (addresses or CIDR ranges, comma-separated) whose X-Forwarded-For Facet believes
  TRUSTED_PROXIES: z
    .string()
    .refine((spec) => spec.split(',').map((x) => x.trim()).filter(Boolean).every(isAddressOrRange), 'TRUSTED_PROXIES takes addresses or CIDR ranges, comma-separated')
    .optional(),
});

export type Env = z.infer<typeof envSchema>;

/** The first thing wrong with these variables, in one line, or undefined. */
export function environmentProblem(vars: Record<string, string | undefined>, opts: { production: boolean }): string | undefined {
  // an empty variable means unset
  const raw = Object.fromEntries(Object.entries(vars).filter(([, v]) => v !== ''));
  const parsed = envSchema.safeParse(raw);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    return `Invalid environment: ${first.path.join('.')}: ${first.message}`;
  }
  return inngestConfigProblem(raw, opts);
}

function readEnv(): Env {
  // `next build` runs with NODE_ENV=production too; what matters is the environment the server starts with
  const production = process.env.NODE_ENV === 'production' && process.env.NEXT_PHASE !== 'phase-production-build';
  const problem = environmentProblem(process.env, { production });
  if (problem) {
    // a server or worker starting: one line and exit code 1, no stack; tests and builds get the error
    if (process.env.VITEST || process.env.NEXT_PHASE) throw new Error(problem);
    console.error(`facet: ${problem}`);
    process.exit(1);
  }
  return envSchema.parse(Object.fromEntries(Object.entries(process.env).filter(([, v]) => v !== '')));
}

export const env = readEnv();

/** Whether jobs go to an Inngest server; otherwise the embedded runner executes them in-process. */
export const usesInngestServer = Boolean(env.INNGEST_EVENT_KEY && env.INNGEST_SIGNING_KEY);

/**
 * What the demo account may do here: `off` (production without FACET_DEMO: nobody signs in to it), `read-only` (a
 * public demo: it writes nothing outside persona sets), `writable` (development, tests, FACET_DEMO=writable).
 */
export type DemoMode = 'off' | 'read-only' | 'writable';

export function demoMode(e: Pick<Env, 'FACET_DEMO'> = env, nodeEnv: string | undefined = process.env.NODE_ENV): DemoMode {
  if (e.FACET_DEMO === '1') return 'read-only';
  if (e.FACET_DEMO === 'writable') return 'writable';
  if (e.FACET_DEMO === '0') return 'off';
  return nodeEnv === 'production' ? 'off' : 'writable';
}

/** The auth secret: from the environment, or generated once and kept beside the embedded database. */
export function authSecret(): string {
  if (env.BETTER_AUTH_SECRET) return env.BETTER_AUTH_SECRET;
  const dir = env.FACET_DATA_DIR ? path.dirname(env.FACET_DATA_DIR) : path.join(process.cwd(), '.data');
  const file = path.join(dir, 'auth-secret');
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch {
    const secret = crypto.randomBytes(32).toString('hex');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(file, secret, { mode: 0o600 });
    return secret;
  }
}
