import { batchAssignmentRoute } from '@/lib/api/realtime-assignment';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

// Facet's server (scripts/server.ts) answers this endpoint with the same function, without Next's pipeline
export const POST = batchAssignmentRoute;
