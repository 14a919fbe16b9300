// Shared shapes of the identity graph's trait catalog. The naming vocabulary and the
// trait spec come from the clustering library so that catalog entries can be passed to it as-is.
import type { TraitRole, TraitSpec, TraitType, TraitWords, Word } from '../clustering/types';

export type { TraitRole, TraitType, TraitWords, Word };

export type TraitCategory =
  | 'demographics'
  | 'finances'
  | 'property'
  | 'lifestyle'
  | 'purchase'
  | 'geography';

/** Avatar badge keys used by boolean interest traits. */
export type BadgeKey =
  | 'dog'
  | 'cat'
  | 'outdoors'
  | 'fitness'
  | 'travel'
  | 'gardening'
  | 'cooking'
  | 'tech'
  | 'books'
  | 'music'
  | 'charity'
  | 'health'
  | 'crafts'
  | 'sports'
  | 'wine'
  | 'gaming'
  | 'diy'
  | 'fashion';

/**
 * One trait of the identity graph. A superset of the clustering TraitSpec.
 * - categorical: code i <-> categories[i]
 * - ordinal: code = level index, categories = level labels in order
 * - boolean: 0/1
 * - numeric: raw value in `unit`, with a plausible [min, max]
 * role 'married' sits on the categorical marital_status trait: married <=> value 'married'.
 */
export interface GraphTraitDef extends TraitSpec {
  category: TraitCategory;
  description: string;
  badge?: BadgeKey;
  min?: number;
  max?: number;
}
