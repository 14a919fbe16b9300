import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Rng } from '@/lib/clustering/rng';
import { parseCsvString } from '@/lib/csv';

const root = path.resolve(__dirname, '../..');
const tsx = path.join(root, 'node_modules/.bin/tsx');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'facet-cli-'));

function run(args: string[]) {
  return spawnSync(tsx, [path.join(root, 'lib/clustering/cli.ts'), ...args], { cwd: root, encoding: 'utf8', timeout: 60_000 });
}
function write(name: string, text: string) {
  const p = path.join(dir, name);
  fs.writeFileSync(p, text);
  return p;
}

describe('cluster CLI', () => {
  it('clusters a CSV end to end', () => {
    const rng = new Rng(4);
    const lines = ['id,age,spend,city,has_dog,"notes, free"'];
    for (let i = 0; i < 900; i++) {
      const g = i % 3;
      const age = g === 0 ? 25 : g === 1 ? 45 : 70;
      const spend = Math.round(Math.exp([5, 7, 9][g] + 0.3 * rng.normal()));
      const city = ['Austin', 'Boston', 'Chicago'][g];
      lines.push(`p${i},${i % 50 === 0 ? '' : (age + 3 * rng.normal()).toFixed(1)},${spend},${city},${g === 1 ? 'yes' : 'no'},"x${i}"`);
    }
    const input = write('people.csv', '\ufeff' + lines.join('\r\n') + '\r\n');
    const out = path.join(dir, 'out.csv');
    const r = run(['--in', input, '--out', out, '--seed', '3']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary.k).toBe(3);
    expect(summary.personas).toHaveLength(3);
    expect(summary.silhouette).toBeGreaterThan(0.5);
    expect(summary.skippedColumns.map((s: { column: string }) => s.column)).toContain('notes, free');
    const rows = parseCsvString(fs.readFileSync(out, 'utf8'));
    expect(rows[0].fields).toEqual(['id', 'persona', 'persona_name', 'distance', 'runner_up']);
    expect(rows).toHaveLength(901);
    expect(rows[1].fields[0]).toBe('p0');
    const names = new Set(rows.slice(1).map((x) => x.fields[2]));
    expect(names.size).toBe(3);
    // the three planted groups map to three personas
    for (let g = 0; g < 3; g++) expect(new Set(rows.slice(1).filter((_, i) => i % 3 === g).map((x) => x.fields[1])).size).toBe(1);

    const r2 = run(['--in', input, '--out', out, '--k', '2', '--traits', 'age,city']);
    expect(r2.status).toBe(0);
    const s2 = JSON.parse(r2.stdout);
    expect(s2.k).toBe(2);
    expect(s2.traits).toEqual(['age', 'city']);
  }, 60_000);

  it('fails clearly on bad input', () => {
    const out = path.join(dir, 'o.csv');
    const cases: [string[], RegExp][] = [
      [['--in', write('ragged.csv', 'id,a,b\n1,2,3\n2,3\n'), '--out', out], /line 3: expected 3 fields but found 2/],
      [['--in', write('nohead.csv', '1,2,3\n2,3,4\n'), '--out', out], /header/],
      [['--in', write('empty.csv', ''), '--out', out], /empty/],
      [['--in', write('onlyhead.csv', 'id,a\n'), '--out', out], /no rows/],
      [['--in', write('quote.csv', 'id,a\n1,"open\n'), '--out', out], /unterminated/],
      [['--in', path.join(dir, 'missing.csv'), '--out', out], /not found/],
      [['--out', out], /--in is required/],
      [['--in', write('ok.csv', 'id,a\n1,2\n'), '--out', out, '--k', 'zero'], /--k must be an integer/],
    ];
    for (const [args, msg] of cases) {
      const r = run(args);
      expect(r.status, args.join(' ')).toBe(1);
      expect(r.stderr).toMatch(msg);
    }
  }, 60_000);
});
