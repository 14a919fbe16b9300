'use server';

import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { authedAction } from '@/lib/action';
import { setNotifyApiSetsReady } from '@/lib/services/persona-sets';

export const setNotifyApiSetsReadyAction = authedAction(z.object({ on: z.boolean() }), async (_viewer, { on }, tenant) => {
  const res = await setNotifyApiSetsReady(tenant, on);
  revalidatePath('/settings/notifications');
  return res;
});
