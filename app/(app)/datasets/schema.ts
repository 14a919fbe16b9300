import { z } from 'zod';

export const datasetIdSchema = z.object({ datasetId: z.uuid('Unknown dataset') });

export const confirmMappingSchema = z.object({
  datasetId: z.uuid('Unknown dataset'),
  kind: z.enum(['people', 'orders']),
  name: z.string().trim().min(1, 'Give the dataset a name').max(120, 'Use at most 120 characters'),
  mapping: z.record(z.string().max(300), z.string().max(40)).refine((m) => Object.keys(m).length <= 500, 'Too many columns'),
});

export const proposeMappingSchema = z.object({
  datasetId: z.uuid('Unknown dataset'),
  kind: z.enum(['people', 'orders']),
});
