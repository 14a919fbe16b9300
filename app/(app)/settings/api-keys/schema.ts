import { z } from 'zod';

export const createApiKeySchema = z.object({ name: z.string().trim().min(1, 'Enter a name').max(80, 'At most 80 characters') });
export const revokeApiKeySchema = z.object({ id: z.string().uuid('Unknown key') });
