// CSV as RFC 4180 has it, for spreadsheets: a header row, CRLF line ends, fields with a comma, quote or line break
// quoted, quotes doubled. Pure.

export type CsvValue = string | number | boolean | null | undefined;

// A text cell starting like a formula is run by spreadsheets when the file is opened; a leading apostrophe keeps it
// text (slot names are typed by people, and a relay's CSV carries names a publisher chose). Leading blanks and the
// full-width signs count too.
const FORMULA_START = /^[\s\u00a0\u3000]*[=+\-@\uff1d\uff0b\uff0d\uff20]|^[\t\r\n]/;
// Whether a cell is quoted depends on what it holds, not on the comma this file uses: a spreadsheet may split lines on
// ';' (Excel in many locales), tabs or '|', and then `a;=cmd|…` unquoted would hand it a cell starting with '='.
const NEEDS_QUOTES = /[",;\t|\r\n]/;

export function csvField(v: CsvValue): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  const text = FORMULA_START.test(v) ? `'${v}` : v;
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** A whole CSV document: the header, then one line per row, every line ending in CRLF. */
export function toCsv(header: readonly string[], rows: readonly (readonly CsvValue[])[]): string {
  return [header, ...rows].map((r) => `${r.map(csvField).join(',')}\r\n`).join('');
}

/** Reads RFC 4180 CSV back (for tests and round trips): rows of fields, quotes undone. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') row.push(field), (field = '');
    else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      (row = []), (field = ''), i++;
    } else field += c;
  }
  if (field !== '' || row.length) row.push(field), rows.push(row);
  return rows;
}
