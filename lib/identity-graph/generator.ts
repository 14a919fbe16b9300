// Facet's synthetic identity graph: a seeded, deterministic population of US adults.
// Person i depends only on (seed, i), so any slice can be generated on its own.
// One file over 400 lines on purpose: every trait's draw reads the same latent lifestyle and the same stream of
// random numbers, in an order that fixes the graph for a seed; split apart, that order would be easy to break.
import { GRAPH_TRAITS, GRAPH_TRAIT_INDEX, STATES } from './catalog';
import { EMAIL_DOMAINS, FEMALE_NAMES, LAST_NAMES, MALE_NAMES, STREET_NAMES, STREET_SUFFIXES } from './names';

export interface GraphIdentity {
  graphId: number;
  firstName: string;
  lastName: string;
  email: string;
  street: string;
  city: string;
  state: string;
  postcode: string;
  phone: string;
}

export interface GraphBatch {
  start: number;
  count: number;
  /** count × GRAPH_TRAITS.length, row-major; NaN = missing; categorical/ordinal = code; boolean 0/1 */
  traits: Float32Array;
  /** empty when generated with identities: false */
  identities: GraphIdentity[];
  /** latent lifestyle group index (into LATENT_GROUPS) */
  group: Uint8Array;
}

export interface GenerateBatchOptions {
  seed: number;
  start: number;
  count: number;
  /** default true; false skips the (slower) string identities */
  identities?: boolean;
}

export const TRAIT_COUNT = GRAPH_TRAITS.length;

/** Seed of the graph Facet ships as its embedded default (and that the demo brand is drawn from). */
export const DEFAULT_GRAPH_SEED = 20261129;

// ---------------------------------------------------------------- random numbers
// Per-person stream: mulberry32 seeded by a hash of (seed, index, stream).
let rs = 0;

function mix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  h = Math.imul(h, 0x846ca68b);
  h ^= h >>> 16;
  return h >>> 0;
}

function seedStream(seed: number, i: number, stream: number): void {
  const lo = i >>> 0;
  const hi = Math.floor(i / 4294967296) >>> 0;
  rs = mix32(mix32(mix32((seed >>> 0) ^ 0x9e3779b9) ^ lo) ^ Math.imul(hi + 1, 0x85ebca6b) ^ Math.imul(stream + 1, 0xc2b2ae35));
}

function rnd(): number {
  rs = (rs + 0x6d2b79f5) | 0;
  let t = rs;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

// Standard normal by inverse-CDF table lookup (fast; tails truncated near ±3.7).
function invNormal(p: number): number {
  // Acklam's rational approximation
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const lo = 0.02425;
  if (p < lo) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  if (p > 1 - lo) return -invNormal(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) /
    (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}
const NT = 8192;
const NORM_TAB = new Float64Array(NT + 1);
for (let k = 0; k <= NT; k++) NORM_TAB[k] = invNormal(Math.min(1 - 1e-4, Math.max(1e-4, k / NT)));

function norm(): number {
  const x = rnd() * NT;
  const k = x | 0;
  return NORM_TAB[k] + (x - k) * (NORM_TAB[k + 1] - NORM_TAB[k]);
}

function intBelow(n: number): number {
  return (rnd() * n) | 0;
}

// logistic by table lookup on [-8, 8]
const LT_STEP = 64;
const LOGI_TAB = new Float64Array(16 * LT_STEP + 2);
for (let k = 0; k < LOGI_TAB.length; k++) LOGI_TAB[k] = 1 / (1 + Math.exp(-(k / LT_STEP - 8)));
function logistic(x: number): number {
  let y = (x + 8) * LT_STEP;
  if (y <= 0) return LOGI_TAB[0];
  if (y >= 16 * LT_STEP) return LOGI_TAB[16 * LT_STEP];
  const k = y | 0;
  y -= k;
  return LOGI_TAB[k] + y * (LOGI_TAB[k + 1] - LOGI_TAB[k]);
}

function pickCum(cum: Float64Array): number {
  const u = rnd() * cum[cum.length - 1];
  let k = 0;
  while (cum[k] <= u) k++;
  return k;
}

function cumulative(ws: number[]): Float64Array {
  const c = new Float64Array(ws.length);
  let s = 0;
  for (let i = 0; i < ws.length; i++) c[i] = s += ws[i];
  return c;
}

// ---------------------------------------------------------------- latent groups
const INTERESTS = [
  'dog_owner', 'cat_owner', 'outdoors', 'fitness', 'travel', 'gardening', 'cooking', 'tech_early_adopter',
  'books', 'music', 'charitable_donor', 'health_conscious', 'crafts', 'sports_fan', 'wine', 'gaming', 'diy', 'fashion',
] as const;
type InterestKey = (typeof INTERESTS)[number];
/** base prevalence of each interest in the population */
const INTEREST_BASE: Record<InterestKey, number> = {
  dog_owner: 0.36, cat_owner: 0.24, outdoors: 0.28, fitness: 0.3, travel: 0.26, gardening: 0.28, cooking: 0.33,
  tech_early_adopter: 0.14, books: 0.33, music: 0.38, charitable_donor: 0.28, health_conscious: 0.3, crafts: 0.17,
  sports_fan: 0.34, wine: 0.18, gaming: 0.2, diy: 0.24, fashion: 0.18,
};

interface GroupDef {
  key: string;
  label: string;
  weight: number;
  /** mean, sd, min, max */
  age: [number, number, number, number];
  /** urban, suburban, rural */
  urb: [number, number, number];
  edu: number;
  inc: number;
  married: number;
  kids: number;
  own: number;
  online: number;
  premium: number;
  spend: number;
  /** logit shifts of interests */
  interests: Partial<Record<InterestKey, number>>;
}

const GROUPS: GroupDef[] = [
  {
    key: 'young_urban_professionals', label: 'Young urban professionals', weight: 0.13,
    age: [31, 5, 23, 46], urb: [0.75, 0.23, 0.02], edu: 1.0, inc: 0.35, married: 0.3, kids: 0.12, own: -0.9,
    online: 0.9, premium: 0.5, spend: 0.4,
    interests: { fitness: 0.9, travel: 0.9, tech_early_adopter: 1.0, music: 0.6, wine: 0.6, fashion: 0.6, health_conscious: 0.5,
      cooking: 0.2, dog_owner: -0.4, gardening: -0.8, diy: -0.5, crafts: -0.4, charitable_donor: -0.2 },
  },
  {
    key: 'suburban_families', label: 'Suburban families', weight: 0.22,
    age: [40, 7, 25, 58], urb: [0.13, 0.74, 0.13], edu: 0.25, inc: 0.2, married: 0.86, kids: 0.93, own: 1.5,
    online: 0.3, premium: 0.05, spend: 0.5,
    interests: { sports_fan: 0.6, cooking: 0.4, dog_owner: 0.5, gaming: 0.4, diy: 0.5, crafts: 0.3, outdoors: 0.2, travel: -0.2,
      wine: -0.1 },
  },
  {
    key: 'affluent_empty_nesters', label: 'Affluent empty-nesters', weight: 0.1,
    age: [61, 6, 48, 80], urb: [0.25, 0.62, 0.13], edu: 0.8, inc: 0.75, married: 0.78, kids: 0.06, own: 2.4,
    online: 0.1, premium: 0.9, spend: 0.7,
    interests: { travel: 1.3, wine: 1.2, charitable_donor: 1.1, gardening: 0.7, books: 0.7, health_conscious: 0.5, cooking: 0.5,
      gaming: -0.9, fashion: 0.1 },
  },
  {
    key: 'rural_outdoors', label: 'Rural outdoors', weight: 0.11,
    age: [46, 13, 20, 85], urb: [0.01, 0.09, 0.9], edu: -0.5, inc: -0.15, married: 0.64, kids: 0.44, own: 1.5,
    online: -0.4, premium: -0.3, spend: -0.1,
    interests: { outdoors: 1.7, dog_owner: 1.0, diy: 1.0, gardening: 0.6, sports_fan: 0.3, tech_early_adopter: -0.7, wine: -0.6,
      fashion: -0.7, travel: -0.5, music: -0.2 },
  },
  {
    key: 'budget_renters', label: 'Budget renters', weight: 0.14,
    age: [34, 11, 18, 72], urb: [0.6, 0.3, 0.1], edu: -0.6, inc: -0.6, married: 0.22, kids: 0.35, own: -2.2,
    online: 0.1, premium: -0.9, spend: -0.6,
    interests: { gaming: 0.7, music: 0.5, cat_owner: 0.5, travel: -0.9, wine: -0.5, charitable_donor: -0.8, gardening: -0.6,
      books: -0.2 },
  },
  {
    key: 'retirees', label: 'Retirees', weight: 0.14,
    age: [74, 7, 63, 95], urb: [0.18, 0.5, 0.32], edu: -0.2, inc: -0.2, married: 0.55, kids: 0.02, own: 1.7,
    online: -0.7, premium: -0.1, spend: -0.3,
    interests: { gardening: 0.9, books: 0.8, charitable_donor: 0.9, crafts: 0.6, health_conscious: 0.5, cat_owner: 0.3,
      tech_early_adopter: -1.0, gaming: -1.2, fitness: -0.4, music: -0.3, fashion: -0.5 },
  },
  {
    key: 'college_starters', label: 'College-age starters', weight: 0.06,
    age: [21, 2.5, 18, 27], urb: [0.65, 0.3, 0.05], edu: 0.3, inc: -0.75, married: 0.04, kids: 0.04, own: -2.8,
    online: 0.7, premium: -0.4, spend: -0.5,
    interests: { gaming: 1.3, music: 1.0, tech_early_adopter: 0.9, fitness: 0.6, fashion: 0.7, dog_owner: -0.8, gardening: -1.1,
      charitable_donor: -0.9, cooking: -0.4, wine: -0.5 },
  },
  {
    key: 'heartland_mainstream', label: 'Heartland mainstream', weight: 0.1,
    age: [50, 13, 25, 85], urb: [0.1, 0.42, 0.48], edu: -0.4, inc: -0.1, married: 0.58, kids: 0.38, own: 1.0,
    online: -0.1, premium: -0.4, spend: 0,
    interests: { sports_fan: 0.9, dog_owner: 0.5, outdoors: 0.5, diy: 0.5, cooking: 0.3, crafts: 0.3, wine: -0.4, travel: -0.3,
      tech_early_adopter: -0.3 },
  },
];

export const LATENT_GROUPS: { key: string; label: string; weight: number }[] = GROUPS.map((g) => ({
  key: g.key, label: g.label, weight: g.weight,
}));

const GROUP_CUM = cumulative(GROUPS.map((g) => g.weight));
const N_INT = INTERESTS.length;
const IX_SCRATCH = new Float64Array(N_INT);
/** per group × interest: base logit + group shift */
const INTEREST_LOGIT = new Float64Array(GROUPS.length * N_INT);
GROUPS.forEach((g, gi) => {
  INTERESTS.forEach((k, j) => {
    const p = INTEREST_BASE[k];
    INTEREST_LOGIT[gi * N_INT + j] = Math.log(p / (1 - p)) + (g.interests[k] ?? 0);
  });
});

// ---------------------------------------------------------------- geography
const STATE_CUM = cumulative(STATES.map((s) => s.weight));
const CITY_CUM = STATES.map((s) => cumulative(s.cities.map((c) => c.weight)));
const STATE_LOG_PRICE = STATES.map((s) => Math.log(s.priceIndex));
/** jitter scale factor: small states get proportionally smaller jitter */
const STATE_JITTER = STATES.map((s) => Math.min(1, ((s.bbox[1] - s.bbox[0]) * 111) / 400));
const DC = STATES.findIndex((s) => s.code === 'DC');
const URBAN_SD_KM = [5, 15, 45];

// ---------------------------------------------------------------- trait indices
const IX = GRAPH_TRAIT_INDEX;
const I_AGE = IX.age, I_GENDER = IX.gender, I_EDU = IX.education, I_MARITAL = IX.marital_status;
const I_HH = IX.household_size, I_KIDS = IX.has_children, I_NKIDS = IX.children_count, I_OCC = IX.occupation;
const I_INC = IX.income, I_NW = IX.net_worth, I_CREDIT = IX.credit_band, I_INVEST = IX.investor;
const I_OWN = IX.homeowner, I_HV = IX.home_value, I_LOR = IX.length_of_residence, I_SQFT = IX.living_area_sqft;
const I_YEAR = IX.year_built, I_DWELL = IX.dwelling_type;
const I_INTEREST0 = IX[INTERESTS[0]];
const I_ONLINE = IX.online_buyer, I_PCQ = IX.purchase_count_quintile, I_SPQ = IX.spend_quintile;
const I_SHOPPER = IX.shopper_type, I_MAIL = IX.mail_responder;
const I_STATE = IX.state, I_LAT = IX.latitude, I_LON = IX.longitude, I_URB = IX.urbanicity;
INTERESTS.forEach((k, j) => {
  if (IX[k] !== I_INTEREST0 + j) throw new Error('identity-graph: interests must be contiguous in the catalog');
});

// occupation codes
const OCC_PRO = 0, OCC_MGMT = 1, OCC_OFFICE = 2, OCC_SERVICE = 3, OCC_BLUE = 4, OCC_RETIRED = 5, OCC_STUDENT = 6, OCC_HOME = 7;

const LN_75K = Math.log(75_000);
// calibration offsets (median income ≈ $75k, homeownership ≈ 65%)
const INC_OFFSET = 0.228;
const OWN_OFFSET = 0.08;
// calibrated on a large sample so that the quintile traits are ~20% each
const PCQ_CUTS = [-0.65, 0.11, 0.77, 1.53];
const SPQ_CUTS = [-0.93, -0.14, 0.55, 1.35];
const EDU_CUTS = [-1.25, -0.3, 0.45, 1.3];
const CREDIT_CUTS = [-1.13, -0.39, 0.32, 1.18];
const SHOPPER_CUTS = [-0.66, 0.83];

function band(x: number, cuts: number[]): number {
  let k = 0;
  while (k < cuts.length && x > cuts[k]) k++;
  return k;
}

// scratch written by genPerson for the identity step
let gState = 0, gCity = 0, gFemale = true, gUrb = 0;

/** Writes person i's traits at t[o..o+TRAIT_COUNT) and returns its latent group. */
function genPerson(seed: number, i: number, t: Float32Array, o: number): number {
  seedStream(seed, i, 0);
  const g = pickCum(GROUP_CUM);
  const G = GROUPS[g];

  // age
  let age = G.age[0] + G.age[1] * norm();
  if (age < G.age[2]) age = G.age[2] + rnd() * 3;
  if (age > G.age[3]) age = G.age[3] - rnd() * 3;
  age = Math.round(age < 18 ? 18 : age > 95 ? 95 : age);

  const female = rnd() < (g === 5 ? 0.56 : 0.51);

  // education (latent score -> ordinal)
  let edu = band(G.edu + norm(), EDU_CUTS);
  if (age < 23 && edu > 2) edu = 2;

  // urbanicity, state, city, coordinates
  const uu = rnd();
  let urb = uu < G.urb[0] ? 0 : uu < G.urb[0] + G.urb[1] ? 1 : 2;
  const si = pickCum(STATE_CUM);
  if (si === DC) urb = 0;
  const ci = pickCum(CITY_CUM[si]);
  const S = STATES[si];
  const city = S.cities[ci];
  const sd = URBAN_SD_KM[urb] * STATE_JITTER[si];
  let lat = city.lat + (norm() * sd) / 111;
  let lon = city.lon + (norm() * sd) / (111 * Math.cos((city.lat * Math.PI) / 180));
  const bb = S.bbox;
  if (lat < bb[0]) lat = bb[0] + 0.001; else if (lat > bb[1]) lat = bb[1] - 0.001;
  if (lon < bb[2]) lon = bb[2] + 0.001; else if (lon > bb[3]) lon = bb[3] - 0.001;

  // income
  const a = (age - 48) / 20;
  const lnInc = LN_75K + G.inc + 0.22 * (edu - 2) - 0.3 * Math.min(a * a, 2.2) + 0.25 * STATE_LOG_PRICE[si]
    + (urb === 2 ? -0.1 : urb === 1 ? 0.05 : 0) + 0.55 * norm() + INC_OFFSET;
  let income = Math.exp(lnInc);
  income = income < 8000 ? 8000 + rnd() * 4000 : income > 2_000_000 ? 2_000_000 : income;
  income = Math.round(income / 100) * 100;
  const li = Math.log(income) - LN_75K;

  // marital status, children
  const pMarried = G.married * (age < 22 ? 0.15 : age < 26 ? 0.5 : 1);
  let marital: number;
  if (rnd() < pMarried) marital = 1;
  else {
    const u = rnd();
    const pw = age >= 60 ? Math.min(0.6, (age - 57) * 0.022) : 0.01;
    const pd = age >= 30 ? 0.3 : 0.06;
    marital = u < pw ? 3 : u < pw + pd ? 2 : 0;
  }
  const ageKid = age < 21 ? 0.15 : age <= 50 ? 1 : age <= 58 ? 0.5 : age <= 65 ? 0.15 : 0.03;
  const hasKids = rnd() < G.kids * ageKid * (marital === 1 ? 1 : 0.6);
  let nKids = 0;
  if (hasKids) {
    const u = rnd();
    nKids = u < 0.4 ? 1 : u < 0.78 ? 2 : u < 0.93 ? 3 : u < 0.98 ? 4 : 5;
  }
  let hh = 1 + (marital === 1 ? 1 : 0) + nKids;
  const pExtra = age < 27 ? 0.45 : age > 70 ? 0.08 : 0.12;
  if (rnd() < pExtra) hh += 1 + (rnd() < 0.3 ? 1 : 0);
  if (hh > 8) hh = 8;

  // occupation
  let occ: number;
  const uo = rnd();
  if (age >= 67 ? uo < 0.85 : age >= 60 ? uo < 0.35 : false) occ = OCC_RETIRED;
  else if (age < 24 && uo < 0.55) occ = OCC_STUDENT;
  else if (hasKids && female && uo < 0.12) occ = OCC_HOME;
  else {
    const s = 0.6 * (edu - 2) + 0.4 * li + 0.8 * norm();
    occ = s > 1.1 ? (rnd() < 0.45 ? OCC_MGMT : OCC_PRO) : s > 0.35 ? (rnd() < 0.6 ? OCC_PRO : OCC_OFFICE)
      : s > -0.4 ? (rnd() < 0.6 ? OCC_OFFICE : OCC_SERVICE) : (rnd() < 0.5 ? OCC_SERVICE : OCC_BLUE);
    if (occ === OCC_OFFICE && !female && rnd() < 0.3) occ = OCC_BLUE;
  }

  // homeownership
  const own = rnd() < logistic(G.own + 0.035 * (age - 45) + 0.8 * li + (marital === 1 ? 0.4 : 0) + OWN_OFFSET);

  // dwelling type
  const ud = rnd();
  let dwell: number;
  if (own) {
    dwell = urb === 2 ? (ud < 0.8 ? 0 : ud < 0.83 ? 1 : ud < 0.85 ? 2 : 3)
      : urb === 1 ? (ud < 0.85 ? 0 : ud < 0.95 ? 1 : ud < 0.99 ? 2 : 3)
        : (ud < 0.55 ? 0 : ud < 0.75 ? 1 : 2);
  } else {
    dwell = urb === 2 ? (ud < 0.45 ? 0 : ud < 0.5 ? 1 : ud < 0.8 ? 2 : 3)
      : urb === 1 ? (ud < 0.3 ? 0 : ud < 0.45 ? 1 : ud < 0.97 ? 2 : 3)
        : (ud < 0.12 ? 0 : ud < 0.22 ? 1 : 2);
  }

  // home value (owners only)
  let homeValue = NaN;
  if (own) {
    const lv = Math.log(255_000) + STATE_LOG_PRICE[si] + 0.55 * li + (urb === 0 ? 0.15 : urb === 1 ? 0.05 : -0.25)
      + (dwell === 1 ? -0.15 : dwell === 2 ? -0.25 : dwell === 3 ? -1.3 : 0) + 0.3 * norm();
    homeValue = Math.round(Math.min(20_000_000, Math.max(10_000, Math.exp(lv))) / 1000) * 1000;
  }

  // length of residence
  const lorMean = own ? 3 + 0.28 * Math.max(0, age - 25) : 1.5 + 0.06 * (age - 18);
  let lor = Math.floor(-lorMean * Math.log(1 - rnd()));
  if (lor > age - 18) lor = age - 18;

  // living area, year built
  const baseSq = dwell === 0 ? 1900 : dwell === 1 ? 1500 : dwell === 2 ? 950 : 1100;
  let sqft = baseSq * Math.exp(0.22 * li + 0.06 * (hh - 2) + (urb === 2 ? 0.1 : urb === 0 ? -0.12 : 0) + 0.22 * norm());
  sqft = Math.round(Math.min(12_000, Math.max(300, sqft)) / 10) * 10;
  let year = (urb === 0 ? 1958 : urb === 1 ? 1984 : 1974) + (g === 1 ? 8 : 0) + (dwell === 2 ? 6 : 0) + 22 * norm();
  if (dwell === 3 && year < 1962) year = 1962 + rnd() * 20;
  year = Math.round(year < 1870 ? 1870 + rnd() * 20 : year > 2024 ? 2024 - rnd() * 3 : year);

  // finances
  let netWorth: number;
  if (rnd() < (age < 35 && !own ? 0.22 : 0.04)) netWorth = -Math.min(100_000, Math.exp(Math.log(15_000) + 0.8 * norm()));
  else {
    netWorth = Math.exp(Math.log(income) + 0.045 * (age - 35) + (own ? 0.9 : -0.4) + 0.9 * norm() + 0.15);
    if (netWorth > 50_000_000) netWorth = 50_000_000;
  }
  netWorth = Math.round(netWorth / 100) * 100;
  const credit = band(0.5 * li + 0.025 * (age - 45) + (own ? 0.35 : -0.25) + 0.9 * norm(), CREDIT_CUTS);
  const investor = rnd() < logistic(-1.1 + 1.0 * li + 0.02 * (age - 45) + 0.2 * (edu - 2));

  // interests
  const lg = g * N_INT;
  const ageC = age - 45;
  const t0 = o + I_INTEREST0;
  const ix = IX_SCRATCH;
  ix[0] = (own ? 0.35 : -0.2) + (urb === 2 ? 0.3 : urb === 0 ? -0.35 : 0) + (hasKids ? 0.2 : 0); // dog
  ix[1] = (hh === 1 ? 0.3 : 0) + (female ? 0.2 : -0.1); // cat
  ix[2] = (urb === 2 ? 0.5 : urb === 0 ? -0.3 : 0) - 0.012 * ageC + (female ? -0.2 : 0.2); // outdoors
  ix[3] = -0.015 * ageC + 0.2 * li; // fitness
  ix[4] = 0.5 * li + 0.005 * ageC - (hasKids ? 0.2 : 0); // travel
  ix[5] = 0.025 * ageC + (own ? 0.6 : -0.5) + (urb === 0 ? -0.4 : 0); // gardening
  ix[6] = (female ? 0.3 : -0.2) + 0.1 * li; // cooking
  ix[7] = -0.025 * ageC + 0.3 * li + (female ? -0.4 : 0.3) + 0.15 * (edu - 2); // tech
  ix[8] = 0.25 * (edu - 2) + (female ? 0.35 : -0.25) + 0.01 * ageC; // books
  ix[9] = -0.012 * ageC; // music
  ix[10] = 0.5 * li + 0.02 * ageC + 0.15 * (edu - 2); // charity
  ix[11] = 0.25 * li + (female ? 0.3 : -0.2) + 0.1 * (edu - 2); // health
  ix[12] = female ? 0.8 : -0.9; // crafts
  ix[13] = female ? -0.5 : 0.5; // sports
  ix[14] = 0.6 * li + 0.01 * ageC; // wine
  ix[15] = -0.045 * ageC + (female ? -0.5 : 0.4) + (hasKids ? 0.3 : 0); // gaming
  ix[16] = (own ? 0.7 : -0.6) + (female ? -0.4 : 0.35); // diy
  ix[17] = (female ? 0.8 : -0.7) - 0.015 * ageC + 0.2 * li; // fashion
  for (let j = 0; j < N_INT; j++) t[t0 + j] = rnd() < logistic(INTEREST_LOGIT[lg + j] + ix[j]) ? 1 : 0;

  // purchase behaviour
  const online = rnd() < logistic(1.0 + G.online - 0.03 * ageC + 0.4 * li);
  const pcs = 0.4 * li + (online ? 0.5 : 0) + G.spend + (hasKids ? 0.2 : 0) + norm();
  const pcq = band(pcs, PCQ_CUTS);
  const spq = band(0.6 * li + 0.5 * pcs + 0.3 * G.spend + 0.7 * norm(), SPQ_CUTS);
  const shopper = band(0.9 * li + G.premium + 0.8 * norm(), SHOPPER_CUTS);
  const mail = rnd() < logistic(-1.2 + 0.025 * ageC + (own ? 0.3 : 0));

  // write, with some missingness
  t[o + I_AGE] = age;
  t[o + I_GENDER] = rnd() < 0.01 ? NaN : female ? 0 : 1;
  t[o + I_EDU] = rnd() < 0.04 ? NaN : edu;
  t[o + I_MARITAL] = rnd() < 0.03 ? NaN : marital;
  t[o + I_HH] = rnd() < 0.02 ? NaN : hh;
  t[o + I_KIDS] = hasKids ? 1 : 0;
  t[o + I_NKIDS] = nKids;
  t[o + I_OCC] = rnd() < 0.05 ? NaN : occ;
  t[o + I_INC] = rnd() < 0.02 ? NaN : income;
  t[o + I_NW] = rnd() < 0.05 ? NaN : netWorth;
  t[o + I_CREDIT] = rnd() < 0.06 ? NaN : credit;
  t[o + I_INVEST] = investor ? 1 : 0;
  t[o + I_OWN] = own ? 1 : 0;
  t[o + I_HV] = rnd() < 0.03 ? NaN : homeValue;
  t[o + I_LOR] = rnd() < 0.03 ? NaN : lor;
  t[o + I_SQFT] = rnd() < 0.05 ? NaN : sqft;
  t[o + I_YEAR] = rnd() < 0.07 ? NaN : year;
  t[o + I_DWELL] = rnd() < 0.02 ? NaN : dwell;
  t[o + I_ONLINE] = online ? 1 : 0;
  t[o + I_PCQ] = rnd() < 0.04 ? NaN : pcq;
  t[o + I_SPQ] = rnd() < 0.04 ? NaN : spq;
  t[o + I_SHOPPER] = shopper;
  t[o + I_MAIL] = mail ? 1 : 0;
  t[o + I_STATE] = si;
  t[o + I_LAT] = lat;
  t[o + I_LON] = lon;
  t[o + I_URB] = urb;

  gState = si;
  gCity = ci;
  gFemale = female;
  gUrb = urb;
  return g;
}

// ---------------------------------------------------------------- identities
const FEMALE_LC = FEMALE_NAMES.map((s) => s.toLowerCase());
const MALE_LC = MALE_NAMES.map((s) => s.toLowerCase());
const LAST_LC = LAST_NAMES.map((s) => s.toLowerCase());

const PAD2 = Array.from({ length: 100 }, (_, k) => String(k).padStart(2, '0'));
const PAD4 = Array.from({ length: 10000 }, (_, k) => String(k).padStart(4, '0'));
/** " Maple St" etc.: every street name with every suffix */
const STREET_TAILS = STREET_NAMES.flatMap((n) => STREET_SUFFIXES.map((x) => ` ${n} ${x}`));

/** Identity of the person last passed to genPerson (uses its own random stream). */
function genIdentity(seed: number, i: number): GraphIdentity {
  seedStream(seed, i, 1);
  const fi = intBelow(gFemale ? FEMALE_NAMES.length : MALE_NAMES.length);
  const firstName = gFemale ? FEMALE_NAMES[fi] : MALE_NAMES[fi];
  const first = gFemale ? FEMALE_LC[fi] : MALE_LC[fi];
  const li = intBelow(LAST_NAMES.length);
  const lastName = LAST_NAMES[li];
  const last = LAST_LC[li];
  // (domain, number) encodes the graph id, so emails are unique across the graph
  const domain = EMAIL_DOMAINS[i % EMAIL_DOMAINS.length];
  const num = Math.floor(i / EMAIL_DOMAINS.length);
  const f = intBelow(10);
  const local = f < 5 ? `${first}.${last}` : f < 7 ? first + last : f < 9 ? first[0] + last : `${first}_${last}`;
  const email = `${local}${num}@${domain}`;
  const house = 1 + intBelow(gUrb === 2 ? 29999 : 9999);
  const street = house + STREET_TAILS[intBelow(STREET_TAILS.length)];
  const S = STATES[gState];
  const c = S.cities[gCity];
  const postcode = c.postcodePrefix + PAD2[intBelow(100)];
  const phone = `${201 + intBelow(780)}-555-${PAD4[intBelow(10000)]}`;
  return { graphId: i, firstName, lastName, email, street, city: c.name, state: S.code, postcode, phone };
}

// ---------------------------------------------------------------- public API
export function generateGraphBatch(opts: GenerateBatchOptions): GraphBatch {
  const { seed, start, count } = opts;
  const withIds = opts.identities !== false;
  const traits = new Float32Array(count * TRAIT_COUNT);
  const group = new Uint8Array(count);
  const identities: GraphIdentity[] = withIds ? new Array(count) : [];
  for (let k = 0; k < count; k++) {
    const i = start + k;
    group[k] = genPerson(seed, i, traits, k * TRAIT_COUNT);
    if (withIds) identities[k] = genIdentity(seed, i);
  }
  return { start, count, traits, identities, group };
}

export function* generateGraph(opts: { seed: number; count: number; batchSize?: number; identities?: boolean }): Generator<GraphBatch> {
  const size = Math.max(1, opts.batchSize ?? 65_536);
  for (let start = 0; start < opts.count; start += size) {
    yield generateGraphBatch({ seed: opts.seed, start, count: Math.min(size, opts.count - start), identities: opts.identities });
  }
}

export interface GraphPerson {
  identity: GraphIdentity;
  /** one row of GRAPH_TRAITS.length values */
  traits: Float32Array;
  group: number;
}

/** One person of the graph, by id. */
export function generateGraphPerson(seed: number, graphId: number): GraphPerson {
  const traits = new Float32Array(TRAIT_COUNT);
  const group = genPerson(seed, graphId, traits, 0);
  return { identity: genIdentity(seed, graphId), traits, group };
}

/** Reads one trait of row k of a batch. */
export function batchValue(batch: GraphBatch, k: number, key: string): number {
  const j = GRAPH_TRAIT_INDEX[key];
  if (j === undefined) throw new Error(`unknown graph trait: ${key}`);
  return batch.traits[k * TRAIT_COUNT + j];
}
