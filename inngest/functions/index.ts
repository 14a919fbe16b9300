import type { InngestFunction } from 'inngest';
import { personaSetFunctions } from './persona-sets';
import { datasetFunctions } from './datasets';
import { personaSetTrackingFunctions } from './persona-set-tracking';
import { cohortFunctions } from './cohorts';

/**
 * Every Inngest function of the app, served by app/api/inngest and run by the embedded runner.
 * One file per domain (persona-sets.ts, datasets.ts, email.ts): import its functions and list them here.
 */
export const functions: InngestFunction.Any[] = [...personaSetFunctions, ...personaSetTrackingFunctions, ...cohortFunctions, ...datasetFunctions];
