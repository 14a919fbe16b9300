// Trait catalog of Facet's synthetic identity graph.
import { STATES } from './states';
import type { GraphTraitDef, TraitWords } from './types';

export { STATES } from './states';
export type { GraphCity, GraphState } from './states';
export type { GraphTraitDef, TraitCategory, BadgeKey } from './types';

const QUINTILES = ['Lowest', 'Low', 'Middle', 'High', 'Highest'];

function interest(key: string, label: string, badge: GraphTraitDef['badge'], description: string,
  words: TraitWords): GraphTraitDef {
  return { key, label, category: 'lifestyle', type: 'boolean', badge, description, words };
}

/**
 * APPEND-ONLY. The position of each trait in this array is the layout of the persisted real[]
 * trait vectors (and of GraphBatch.traits rows). Never reorder, remove or change a trait's type or
 * its category codes; add new traits (and new category values) only at the end.
 */
export const GRAPH_TRAITS: GraphTraitDef[] = [
  // ---- demographics
  {
    key: 'age', label: 'Age', category: 'demographics', type: 'numeric', unit: 'years', min: 18, max: 95,
    role: 'age', description: 'Age of the adult in years.',
    words: { high: { noun: 'Retirees', adj: 'Senior' }, low: { adj: 'Young', noun: 'Starters' } },
  },
  {
    key: 'gender', label: 'Gender', category: 'demographics', type: 'categorical', role: 'gender',
    categories: ['female', 'male'], description: 'Gender as reported or inferred.',
    words: { values: { female: { adj: 'Female', noun: 'Women' }, male: { adj: 'Male', noun: 'Men' } } },
  },
  {
    key: 'education', label: 'Education', category: 'demographics', type: 'ordinal',
    categories: ['Less than high school', 'High school', 'Some college', "Bachelor's degree", 'Graduate degree'],
    description: 'Highest level of education completed.',
    words: { high: { adj: 'Educated', noun: 'Graduates' }, low: { adj: 'Hands-on' } },
  },
  {
    key: 'marital_status', label: 'Marital status', category: 'demographics', type: 'categorical', role: 'married',
    categories: ['single', 'married', 'divorced', 'widowed'], description: 'Current marital status.',
    words: {
      values: {
        single: { adj: 'Single', noun: 'Singles' }, married: { adj: 'Married', noun: 'Couples' },
        divorced: { adj: 'Divorced' }, widowed: { adj: 'Widowed' },
      },
    },
  },
  {
    key: 'household_size', label: 'Household size', category: 'demographics', type: 'numeric', unit: 'people',
    min: 1, max: 8, role: 'householdSize', description: 'Number of people living in the household.',
    words: { high: { adj: 'Big-household', noun: 'Large Households' }, low: { adj: 'Solo', noun: 'Singles' } },
  },
  {
    key: 'has_children', label: 'Children in household', category: 'demographics', type: 'boolean', role: 'children',
    description: 'Presence of children under 18 in the household.',
    words: { true: { noun: 'Parents', adj: 'Family' }, false: { adj: 'Child-free' } },
  },
  {
    key: 'children_count', label: 'Number of children', category: 'demographics', type: 'numeric', unit: 'children',
    min: 0, max: 6, description: 'Number of children under 18 in the household.',
    words: { high: { adj: 'Big-family', noun: 'Large Families' } },
  },
  {
    key: 'occupation', label: 'Occupation', category: 'demographics', type: 'categorical',
    categories: ['professional', 'management', 'office_sales', 'service', 'blue_collar', 'retired', 'student', 'homemaker'],
    description: 'Occupation group of the adult.',
    words: {
      values: {
        professional: { adj: 'Professional', noun: 'Professionals' }, management: { adj: 'Executive', noun: 'Managers' },
        office_sales: { adj: 'White-collar', noun: 'Office Workers' }, service: { adj: 'Working', noun: 'Service Workers' },
        blue_collar: { adj: 'Blue-collar', noun: 'Tradespeople' }, retired: { adj: 'Retired', noun: 'Retirees' },
        student: { adj: 'Student', noun: 'Students' }, homemaker: { adj: 'Stay-at-home', noun: 'Homemakers' },
      },
    },
  },
  // ---- finances
  {
    key: 'income', label: 'Household income', category: 'finances', type: 'numeric', unit: 'USD', skewed: true,
    min: 0, max: 2_000_000, role: 'income', description: 'Estimated annual household income.',
    words: { high: { adj: 'Affluent', noun: 'High Earners' }, low: { adj: 'Budget-minded', noun: 'Budgeters' } },
  },
  {
    key: 'net_worth', label: 'Net worth', category: 'finances', type: 'numeric', unit: 'USD', skewed: true,
    min: -100_000, max: 50_000_000, description: 'Estimated household net worth (assets minus debts).',
    words: { high: { adj: 'Wealthy', noun: 'Investors' }, low: { adj: 'Asset-light' } },
  },
  {
    key: 'credit_band', label: 'Credit rating', category: 'finances', type: 'ordinal',
    categories: ['Poor', 'Fair', 'Good', 'Very good', 'Excellent'], description: 'Estimated credit rating band.',
    words: { high: { adj: 'Creditworthy' }, low: { adj: 'Credit-challenged' } },
  },
  {
    key: 'investor', label: 'Investor', category: 'finances', type: 'boolean',
    description: 'Holds investments (stocks, funds, real estate beyond the residence).',
    words: { true: { adj: 'Investing', noun: 'Investors' } },
  },
  // ---- property
  {
    key: 'homeowner', label: 'Homeowner', category: 'property', type: 'boolean', role: 'homeowner',
    description: 'Owns the residence (false = rents).',
    words: { true: { noun: 'Homeowners', adj: 'Home-owning' }, false: { noun: 'Renters', adj: 'Renting' } },
  },
  {
    key: 'home_value', label: 'Home value', category: 'property', type: 'numeric', unit: 'USD', skewed: true,
    min: 10_000, max: 20_000_000, description: 'Estimated market value of the owned home (missing for renters).',
    words: { high: { adj: 'Upscale' }, low: { adj: 'Modest' } },
  },
  {
    key: 'length_of_residence', label: 'Length of residence', category: 'property', type: 'numeric', unit: 'years',
    min: 0, max: 77, description: 'Years at the current address.',
    words: { high: { adj: 'Settled', noun: 'Long-timers' }, low: { adj: 'Mobile', noun: 'Newcomers' } },
  },
  {
    key: 'living_area_sqft', label: 'Living area', category: 'property', type: 'numeric', unit: 'sq ft',
    min: 300, max: 12_000, description: 'Living area of the residence in square feet.',
    words: { high: { adj: 'Spacious' }, low: { adj: 'Compact' } },
  },
  {
    key: 'year_built', label: 'Year built', category: 'property', type: 'numeric', unit: 'year',
    min: 1870, max: 2025, description: 'Construction year of the residence.',
    words: { high: { adj: 'New-build' }, low: { adj: 'Old-home' } },
  },
  {
    key: 'dwelling_type', label: 'Dwelling type', category: 'property', type: 'categorical',
    categories: ['single_family', 'townhouse', 'apartment', 'mobile_home'],
    description: 'Type of residence (housing density): single-family house, townhouse, apartment/condo, mobile home.',
    words: {
      values: {
        single_family: { adj: 'House-dwelling' }, townhouse: { adj: 'Townhouse' },
        apartment: { adj: 'Apartment', noun: 'Apartment Dwellers' }, mobile_home: { adj: 'Mobile-home' },
      },
    },
  },
  // ---- lifestyle & interests
  interest('dog_owner', 'Dog owner', 'dog', 'Has a dog in the household.', { true: { noun: 'Dog Lovers', adj: 'Dog-loving' } }),
  interest('cat_owner', 'Cat owner', 'cat', 'Has a cat in the household.', { true: { noun: 'Cat Lovers', adj: 'Cat-loving' } }),
  interest('outdoors', 'Outdoor enthusiast', 'outdoors', 'Camping, hiking, fishing or hunting.', { true: { noun: 'Adventurers', adj: 'Outdoorsy' } }),
  interest('fitness', 'Fitness', 'fitness', 'Exercises regularly, gym or running.', { true: { noun: 'Fitness Fans', adj: 'Active' } }),
  interest('travel', 'Travel', 'travel', 'Frequent leisure or international traveller.', { true: { noun: 'Travelers', adj: 'Globetrotting' } }),
  interest('gardening', 'Gardening', 'gardening', 'Gardening and lawn care enthusiast.', { true: { noun: 'Gardeners', adj: 'Green-thumbed' } }),
  interest('cooking', 'Cooking', 'cooking', 'Cooking and food enthusiast.', { true: { noun: 'Home Cooks', adj: 'Foodie' } }),
  interest('tech_early_adopter', 'Tech early adopter', 'tech', 'Buys new technology early.', { true: { noun: 'Techies', adj: 'Tech-savvy' } }),
  interest('books', 'Reader', 'books', 'Reads books regularly.', { true: { noun: 'Bookworms', adj: 'Bookish' } }),
  interest('music', 'Music', 'music', 'Music lover, concerts and streaming.', { true: { noun: 'Music Lovers', adj: 'Musical' } }),
  interest('charitable_donor', 'Charitable donor', 'charity', 'Donates to charitable causes.', { true: { noun: 'Givers', adj: 'Philanthropic' } }),
  interest('health_conscious', 'Health-conscious', 'health', 'Buys health and wellness products, organic food.', { true: { noun: 'Wellness Seekers', adj: 'Health-conscious' } }),
  interest('crafts', 'Crafts', 'crafts', 'Crafts, sewing, knitting or scrapbooking.', { true: { noun: 'Crafters', adj: 'Crafty' } }),
  interest('sports_fan', 'Sports fan', 'sports', 'Follows professional or college sports.', { true: { noun: 'Sports Fans', adj: 'Sporty' } }),
  interest('wine', 'Wine', 'wine', 'Wine enthusiast.', { true: { noun: 'Wine Lovers', adj: 'Wine-loving' } }),
  interest('gaming', 'Gaming', 'gaming', 'Plays video games.', { true: { noun: 'Gamers', adj: 'Gaming' } }),
  interest('diy', 'DIY & home improvement', 'diy', 'Home improvement and do-it-yourself projects.', { true: { noun: 'DIYers', adj: 'Handy' } }),
  interest('fashion', 'Fashion', 'fashion', 'Follows fashion and buys apparel often.', { true: { noun: 'Trendsetters', adj: 'Stylish' } }),
  // ---- purchase behaviour
  {
    key: 'online_buyer', label: 'Online buyer', category: 'purchase', type: 'boolean',
    description: 'Bought online in the last 12 months.',
    words: { true: { adj: 'Digital', noun: 'Online Shoppers' }, false: { adj: 'Offline' } },
  },
  {
    key: 'purchase_count_quintile', label: 'Purchase frequency', category: 'purchase', type: 'ordinal',
    categories: QUINTILES, description: 'Quintile of the number of retail purchases in the last 12 months.',
    words: { high: { adj: 'Frequent-buying', noun: 'Frequent Shoppers' }, low: { adj: 'Occasional' } },
  },
  {
    key: 'spend_quintile', label: 'Retail spend', category: 'purchase', type: 'ordinal',
    categories: QUINTILES, description: 'Quintile of retail spend in the last 12 months.',
    words: { high: { adj: 'Big-spending', noun: 'Big Spenders' }, low: { adj: 'Thrifty' } },
  },
  {
    key: 'shopper_type', label: 'Shopper type', category: 'purchase', type: 'ordinal',
    categories: ['Value', 'Mainstream', 'Premium'], description: 'Price positioning of preferred brands, value to premium.',
    words: { high: { adj: 'Premium', noun: 'Premium Shoppers' }, low: { adj: 'Value-seeking', noun: 'Bargain Hunters' } },
  },
  {
    key: 'mail_responder', label: 'Direct mail responder', category: 'purchase', type: 'boolean',
    description: 'Has responded to direct mail offers.',
    words: { true: { adj: 'Mail-responsive' } },
  },
  // ---- geography
  {
    key: 'state', label: 'State', category: 'geography', type: 'categorical',
    categories: STATES.map((s) => s.code), description: 'US state (or DC) of residence, as two-letter code.',
    words: { values: Object.fromEntries(STATES.map((s) => [s.code, { adj: s.name }])) },
  },
  {
    key: 'latitude', label: 'Latitude', category: 'geography', type: 'numeric', unit: 'degrees', min: 18, max: 72,
    description: 'Latitude of the residence (approximate).',
  },
  {
    key: 'longitude', label: 'Longitude', category: 'geography', type: 'numeric', unit: 'degrees', min: -180, max: -66,
    description: 'Longitude of the residence (approximate).',
  },
  {
    key: 'urbanicity', label: 'Urbanicity', category: 'geography', type: 'categorical', role: 'urbanicity',
    categories: ['urban', 'suburban', 'rural'], description: 'Urban, suburban or rural area.',
    words: {
      values: {
        urban: { adj: 'Urban', noun: 'City Dwellers' }, suburban: { adj: 'Suburban', noun: 'Suburbanites' },
        rural: { adj: 'Rural', noun: 'Country Folk' },
      },
    },
  },
];

export const GRAPH_TRAIT_INDEX: Record<string, number> = Object.fromEntries(
  GRAPH_TRAITS.map((t, i) => [t.key, i]),
);

export function getTrait(key: string): GraphTraitDef | undefined {
  const i = GRAPH_TRAIT_INDEX[key];
  return i === undefined ? undefined : GRAPH_TRAITS[i];
}

/** Traits the Analysis tab compares across personas by default. */
export const ANALYSIS_TRAIT_KEYS: string[] = [
  'age', 'gender', 'income', 'education', 'has_children', 'homeowner', 'home_value',
  'urbanicity', 'net_worth', 'online_buyer', 'shopper_type',
];

/**
 * The one boolean vocabulary: the words (and digits) a yes/no trait is written with, in CSV uploads, custom
 * trait JSON and API input. Compared trimmed and lower-cased.
 */
export const BOOLEAN_WORDS: { readonly true: readonly string[]; readonly false: readonly string[] } = {
  true: ['true', 't', 'yes', 'y', '1'],
  false: ['false', 'f', 'no', 'n', '0'],
};
const TRUE_WORDS = new Set(BOOLEAN_WORDS.true);
const FALSE_WORDS = new Set(BOOLEAN_WORDS.false);

/** true / false for a word of the vocabulary, null for anything else. */
export function parseBooleanWord(raw: string): boolean | null {
  const v = raw.trim().toLowerCase();
  if (TRUE_WORDS.has(v)) return true;
  if (FALSE_WORDS.has(v)) return false;
  return null;
}
