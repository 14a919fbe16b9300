import { serve } from 'inngest/next';
import { inngest, isEmbeddedMode } from '@/inngest/client';
import { functions } from '@/inngest/functions';
import { env } from '@/lib/env';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';
// a step may run for minutes (clustering); the Inngest server waits for the answer
export const maxDuration = 300;

// the address the Inngest server calls back is Facet's public one, not what a proxy's Host header says
const handler = serve({ client: inngest, functions, serveOrigin: env.APP_URL, servePath: '/api/inngest' });

// Embedded mode calls the handler in-process with signature checks off, so the endpoint stays closed.
const closed = () =>
  Response.json({ error: 'no Inngest server is configured: jobs run in the embedded runner' }, { status: 404 });

export const GET = isEmbeddedMode ? closed : handler.GET;
export const POST = isEmbeddedMode ? closed : handler.POST;
export const PUT = isEmbeddedMode ? closed : handler.PUT;
