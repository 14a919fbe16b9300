import { ApiError } from '@/lib/api/errors';
import { apiRoute, json } from '@/lib/api/handler';
import { operations } from '@/lib/api/operations';
import { ServiceError } from '@/lib/services/errors';
import { assignContact } from '@/lib/services/realtime';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const POST = apiRoute(operations.assignContact, async ({ database, caller, params, body }) => {
  try {
    return json(await assignContact(database, caller.accountId, params.id, body));
  } catch (err) {
    // an identity that matches nobody is not a missing persona set
    if (err instanceof ServiceError && err.code === 'not_found' && err.message.startsWith('Nobody')) throw new ApiError('unmatched', err.message);
    throw err;
  }
});
