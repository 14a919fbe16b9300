'use server';

import { revalidatePath } from 'next/cache';
import { getDatabase } from '@/db/client';
import { authedAction } from '@/lib/action';
import { createApiKey, revokeApiKey } from '@/lib/services/api-keys';
import { createApiKeySchema, revokeApiKeySchema } from './schema';

/** Answers the secret once; only its hash is stored. */
export const createApiKeyAction = authedAction(createApiKeySchema, async (viewer, { name }) => {
  const { key, apiKey } = await createApiKey(await getDatabase(), viewer.accountId, viewer.userId, { name });
  revalidatePath('/settings/api-keys');
  return { key, id: apiKey.id, prefix: apiKey.prefix };
});

export const revokeApiKeyAction = authedAction(revokeApiKeySchema, async (viewer, { id }) => {
  const k = await revokeApiKey(await getDatabase(), viewer.accountId, id);
  revalidatePath('/settings/api-keys');
  return { id: k.id };
});
