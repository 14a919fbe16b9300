// Normalization of identity columns, shared by the graph's materialization and by matching.

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export function normalizeText(s: string | null | undefined): string {
  return (s ?? '')
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

/** Blocking key for name matching: first initial and the consonant skeleton of the last name. */
export function nameKey(first: string | null | undefined, last: string | null | undefined): string {
  const f = normalizeText(first).replace(/ /g, '');
  const l = normalizeText(last).replace(/ /g, '');
  return `${f.slice(0, 1)}:${l.slice(0, 1)}${l.slice(1).replace(/[aeiouy]/g, '').replace(/(.)\1+/g, '$1')}`;
}

const STREET_WORDS: Record<string, string> = {
  street: 'st', avenue: 'ave', road: 'rd', drive: 'dr', lane: 'ln', court: 'ct', boulevard: 'blvd',
  place: 'pl', circle: 'cir', north: 'n', south: 's', east: 'e', west: 'w', apartment: 'apt',
};

export function normalizeStreet(s: string | null | undefined): string {
  return normalizeText(s)
    .split(' ')
    .map((w) => STREET_WORDS[w] ?? w)
    .join(' ');
}

export function normalizePostcode(s: string | null | undefined): string {
  return (s ?? '').replace(/[^0-9]/g, '').slice(0, 5);
}
