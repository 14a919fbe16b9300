import { describe, expect, it } from 'vitest';
import { customTraitKey, detectKind, inferTraitType, parseNumber, proposeMapping, validateMapping } from '@/lib/ingest/mapping';
import { parseDate } from '@/lib/ingest/rows';

describe('column mapping', () => {
  it('detects people and orders files from their header', () => {
    expect(detectKind(['Email', 'First Name', 'Zip'])).toBe('people');
    expect(detectKind(['Order ID', 'Customer ID', 'Order Date', 'Total'])).toBe('orders');
  });

  it('maps common header spellings and infers trait types from values', () => {
    const m = proposeMapping('people', ['CustomerID', 'E-Mail Address', 'Surname', 'Postal Code', 'Mobile', 'Pets', 'Income band'], [
      ['1', 'a@b.co', 'X', '10001', '555', 'yes', 'high'],
      ['2', 'c@d.co', 'Y', '10002', '556', 'no', 'low'],
    ]);
    expect(m).toEqual({
      CustomerID: 'external_id',
      'E-Mail Address': 'email',
      Surname: 'last_name',
      'Postal Code': 'postcode',
      Mobile: 'phone',
      Pets: 'trait:boolean',
      'Income band': 'trait:categorical',
    });
    expect(inferTraitType(['1', '2.5', '$1,000', ''])).toBe('numeric');
    expect(inferTraitType(['a', 'b', '3'])).toBe('categorical');
  });

  it('refuses a mapping without a way to identify people or orders, and a field taken twice', () => {
    expect(validateMapping('people', ['a', 'b'], { a: 'first_name', b: 'trait:numeric' })._?.[0]).toMatch(/External id or an Email/);
    const twice = validateMapping('people', ['a', 'b'], { a: 'email', b: 'email' });
    expect(twice.b?.[0]).toMatch(/already taken by "a"/);
    const orders = validateMapping('orders', ['c', 'd'], { c: 'person_email', d: 'product' });
    expect(orders._).toEqual(['Map the Order date column.', 'Map the Amount column.']);
    expect(validateMapping('orders', ['c'], { c: 'trait:numeric' }).c?.[0]).toMatch(/not a column of a orders file/);
  });

  it('makes safe trait keys that never shadow a graph trait', () => {
    expect(customTraitKey('Loyalty tier?')).toBe('loyalty_tier');
    expect(customTraitKey('Dog owner')).toBe('my_dog_owner'); // dog_owner is a graph trait
    expect(customTraitKey('2nd phone')).toBe('c_2nd_phone');
    expect(customTraitKey('Âge')).toBe('my_age');
    expect(customTraitKey('"; drop table people; --')).toMatch(/^[a-z0-9_]+$/);
  });

  it('reads numbers and dates the way people write them', () => {
    expect(parseNumber('$1,234.50')).toBe(1234.5);
    expect(parseNumber('12 apples')).toBeNull();
    expect(parseDate('2025-02-30')).toBeNull();
    expect(parseDate('3/1/2025')).toBe('2025-03-01T00:00:00.000Z');
    expect(parseDate('2025-03-01T10:00:00+02:00')).toBe('2025-03-01T08:00:00.000Z');
  });
});

describe('delimiter sniffing', () => {
  it('reads semicolon, tab and pipe files and keeps commas otherwise', async () => {
    const { sniffDelimiter } = await import('@/lib/ingest/file');
    expect(sniffDelimiter('id;email;"a,b"\n1;x;y')).toBe(';');
    expect(sniffDelimiter('id\temail\n')).toBe('\t');
    expect(sniffDelimiter('id|email|name\n')).toBe('|');
    expect(sniffDelimiter('"a;b;c",d\n')).toBe(',');
    expect(sniffDelimiter('email\n')).toBe(',');
  });
});
