// CSV cells a spreadsheet could run as formulas: neutralised by what the cell holds, whatever separator the
// spreadsheet splits lines on (Excel in many European locales uses ';').
import { describe, expect, it } from 'vitest';
import { toCsv } from '../../src/history/csv.ts';

/** How a spreadsheet reads one line when it splits on `sep`: quoted fields stay whole, quotes undone. */
function cellsAsSplitOn(line: string, sep: string): string[] {
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') (cell += '"'), i++;
      else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === sep) cells.push(cell), (cell = '');
    else cell += c;
  }
  return [...cells, cell];
}

const FORMULA = /^[\s\u00a0\u3000]*[=+\-@\uff1d\uff0b\uff0d\uff20]/;

const HOSTILE = [
  "a;=cmd|' /C calc'!A0;",
  '=HYPERLINK("http://x.example","y")',
  'x\t=1+1',
  'x|=1+1',
  'x,=1+1',
  ' =1+1',
  '\u3000+1',
  '\uff1d1+1',
  '@SUM(A1)',
  '-2+3',
  'a;b;+1;c',
];

describe('CSV cells against formula injection', () => {
  it.each([',', ';', '\t', '|'])('no cell starts like a formula when a spreadsheet splits on %j', (sep) => {
    const csv = toCsv(['slot', 'name'], HOSTILE.map((name, i) => [`s${i}`, name]));
    const lines = csv.split('\r\n').filter((l) => l !== '');
    expect(lines).toHaveLength(HOSTILE.length + 1);
    for (const line of lines) for (const cell of cellsAsSplitOn(line, sep)) expect(cell).not.toMatch(FORMULA);
  });

  it('keeps every name readable: the apostrophe only where a cell would start like a formula', () => {
    const csv = toCsv(['name'], HOSTILE.map((n) => [n]));
    const names = csv.split('\r\n').slice(1, -1).map((l) => cellsAsSplitOn(l, ',')[0]);
    expect(names).toEqual(HOSTILE.map((n) => (FORMULA.test(n) ? `'${n}` : n)));
  });

  it('leaves plain cells and ISO times unquoted', () => {
    expect(toCsv(['a', 'b'], [['Bay 3', '2026-11-27 06:00:00'], ['2026-11-27T06:00:00.000Z', 12]])).toBe(
      'a,b\r\nBay 3,2026-11-27 06:00:00\r\n2026-11-27T06:00:00.000Z,12\r\n',
    );
  });
});
