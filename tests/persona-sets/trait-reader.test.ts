import { describe, expect, it } from 'vitest';
import { parseBooleanValue } from '@/lib/clustering/encoder';
import { tableFromCsvColumns } from '@/lib/clustering/csv-table';
import { BOOLEAN_WORDS, GRAPH_TRAIT_INDEX, parseBooleanWord } from '@/lib/identity-graph/catalog';
import { parseBoolean } from '@/lib/ingest/mapping';
import { customTraitColumn, graphTraitColumn } from '@/lib/services/trait-reader';

describe('one boolean vocabulary', () => {
  const words = [...BOOLEAN_WORDS.true, ...BOOLEAN_WORDS.false, 'maybe', '', '2', 'yess'];
  const cased = words.flatMap((w) => [w, w.toUpperCase(), ` ${w} `]);

  it('reads the same in the catalog, the ingest, the engine and the trait reader', () => {
    const column = customTraitColumn('vip', { type: 'boolean', label: 'VIP' });
    for (const w of cased) {
      const b = parseBooleanWord(w);
      expect(parseBoolean(w), w).toBe(b);
      expect(parseBooleanValue(w), w).toBe(b === null ? NaN : Number(b));
      expect(column.code(w), w).toBe(b === null ? NaN : Number(b));
      expect(column.value(w), w).toBe(b);
    }
  });

  it('reads a CSV column of yes/no words and one of 0/1 as booleans', () => {
    const t = tableFromCsvColumns(['id', 'vip', 'flag'], [['a', 'b', 'c', 'd'], ['Yes', 'n', 'TRUE', 'f'], ['0', '1', '1', '0']]);
    const [vip, flag] = ['vip', 'flag'].map((k) => t.table.traits.findIndex((s) => s.key === k));
    expect(t.table.traits[vip].type).toBe('boolean');
    expect(Array.from(t.table.columns[vip])).toEqual([1, 0, 1, 0]);
    expect(t.table.traits[flag].type).toBe('boolean');
    expect(Array.from(t.table.columns[flag])).toEqual([0, 1, 1, 0]);
  });
});

describe('the trait reader', () => {
  it('decodes a graph trait as the engine number and in its own form', () => {
    const gender = graphTraitColumn('gender')!;
    expect(gender.sql).toBe(`p.graph_traits[${GRAPH_TRAIT_INDEX.gender + 1}]`);
    expect([gender.code(1), gender.value(1), gender.value(null), gender.code('NaN')]).toEqual([1, 'male', null, NaN]);
    const kids = graphTraitColumn('has_children')!;
    expect([kids.value(1), kids.value(0)]).toEqual([true, false]);
    expect(graphTraitColumn('no_such_trait')).toBeUndefined();
  });

  it('decodes custom traits by their declared type, and refuses a key that is not one', () => {
    const tier = customTraitColumn('tier', { type: 'categorical', label: 'Tier', categories: ['gold', 'silver'] });
    expect(tier.sql).toBe(`(p.custom_traits ->> 'tier')`);
    expect([tier.code('silver'), tier.code('bronze'), tier.value('bronze'), tier.value(null)]).toEqual([1, NaN, 'bronze', null]);
    const points = customTraitColumn('points', { type: 'numeric', label: 'Points' });
    expect([points.code('12.5'), points.code('x'), points.value(''), points.value('7')]).toEqual([12.5, NaN, null, 7]);
    const undeclared = customTraitColumn('legacy', null);
    expect([undeclared.value('gold'), undeclared.code('3')]).toEqual(['gold', 3]);
    expect(() => customTraitColumn("x'; drop table people; --", null)).toThrow(/Unknown trait/);
  });
});
