import { sampleSkewness } from 'simple-statistics';
import { parseBooleanWord } from '../identity-graph/catalog';
import type { TraitSpec, TraitTable } from './types';

export interface CsvTableResult {
  table: TraitTable;
  ids: string[];
  warnings: string[];
  /** columns not turned into traits, with the reason */
  skipped: { column: string; reason: string }[];
}

const NON_FINITE = new Set(['nan', 'inf', '+inf', '-inf', 'infinity', '+infinity', '-infinity']);
/** more distinct values than this makes a text column an identifier, not a trait */
const MAX_CATEGORIES = 50;

function slug(s: string): string {
  return s.trim().toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_|_$/g, '') || 'column';
}

/**
 * Detects the type of each CSV column (numeric, boolean, categorical; empty cells are missing)
 * and builds a TraitTable. The first column is the row id.
 */
export function tableFromCsvColumns(header: string[], columns: string[][]): CsvTableResult {
  if (header.length < 2) throw new Error('the CSV needs an id column and at least one trait column');
  const n = columns[0]?.length ?? 0;
  const warnings: string[] = [];
  const skipped: { column: string; reason: string }[] = [];
  const traits: TraitSpec[] = [];
  const cols: Float64Array[] = [];
  const seenKeys = new Set<string>();
  for (let c = 1; c < header.length; c++) {
    const name = header[c].trim();
    const raw = columns[c];
    let key = slug(name);
    while (seenKeys.has(key)) key += '_';
    seenKeys.add(key);
    let filled = 0, numeric = 0, nonFinite = 0, bool = 0, zeroOne = 0;
    for (const cell of raw) {
      const s = cell.trim();
      if (s === '') continue;
      filled++;
      const low = s.toLowerCase();
      if (NON_FINITE.has(low)) { nonFinite++; numeric++; continue; }
      const v = Number(s);
      if (Number.isFinite(v)) { numeric++; if (v === 0 || v === 1) zeroOne++; }
      // 0/1 columns are counted above as numbers; a yes/no column is one of the vocabulary's words
      if (!Number.isFinite(v) && parseBooleanWord(low) !== null) bool++;
    }
    if (filled === 0) { skipped.push({ column: name, reason: 'empty in every row' }); continue; }
    const col = new Float64Array(n);
    let spec: TraitSpec;
    if (numeric === filled && zeroOne === filled - nonFinite && zeroOne > 0) {
      spec = { key, label: name, type: 'boolean' };
      raw.forEach((cell, i) => { const s = cell.trim(); col[i] = s === '' || NON_FINITE.has(s.toLowerCase()) ? NaN : Number(s); });
    } else if (numeric === filled) {
      spec = { key, label: name, type: 'numeric' };
      raw.forEach((cell, i) => {
        const s = cell.trim();
        col[i] = s === '' || NON_FINITE.has(s.toLowerCase()) ? NaN : Number(s);
      });
      const known = Array.from(col).filter(Number.isFinite);
      if (known.length > 10 && known.every((v) => v >= 0)) {
        const sk = sampleSkewness(known);
        if (sk > 2) spec.skewed = true; // money-like: log1p before scaling
      }
    } else if (bool === filled) {
      spec = { key, label: name, type: 'boolean' };
      raw.forEach((cell, i) => { const s = cell.trim().toLowerCase(); col[i] = s === '' ? NaN : parseBooleanWord(s) ? 1 : 0; });
    } else {
      const cats = new Map<string, number>();
      for (const cell of raw) { const s = cell.trim(); if (s !== '' && !cats.has(s) && cats.size <= MAX_CATEGORIES) cats.set(s, cats.size); }
      if (cats.size > MAX_CATEGORIES) { skipped.push({ column: name, reason: `more than ${MAX_CATEGORIES} distinct text values (identifier-like)` }); continue; }
      const categories = [...cats.keys()];
      spec = { key, label: name, type: 'categorical', categories };
      raw.forEach((cell, i) => { const s = cell.trim(); col[i] = s === '' ? NaN : cats.get(s)!; });
    }
    if (nonFinite) warnings.push(`${name}: ${nonFinite} NaN/Infinity cell(s) treated as missing`);
    traits.push(spec);
    cols.push(col);
  }
  return { table: { n, traits, columns: cols }, ids: columns[0] ?? [], warnings, skipped };
}
