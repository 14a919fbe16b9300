'use server';

import { revalidatePath } from 'next/cache';
import { authedAction } from '@/lib/action';
import { createApiKey, revokeApiKey } from '@/lib/services/api-keys';
import { createApiKeySchema, revokeApiKeySchema } from './schema';

/** Answers the secret once; only its hash is stored. */
export const createApiKeyAction = authedAction(createApiKeySchema, async (_viewer, { name }, tenant) => {
  const { key, apiKey } = await createApiKey(tenant, { name });
  revalidatePath('/settings/api-keys');
  return { key, id: apiKey.id, prefix: apiKey.prefix };
});

export const revokeApiKeyAction = authedAction(revokeApiKeySchema, async (_viewer, { id }, tenant) => {
  const k = await revokeApiKey(tenant, id);
  revalidatePath('/settings/api-keys');
  return { id: k.id };
});
