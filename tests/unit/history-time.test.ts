// Time zones, buckets, query parsing and CSV: the parts of history that must be right at midnight and on
// daylight-saving days, whatever zone the machine running the tests is in.
import { describe, expect, it } from 'vitest';
import { bucketEdges, parseStep, quarterEdges, type Step } from '../../src/history/buckets.ts';
import { csvField, parseCsv, toCsv } from '../../src/history/csv.ts';
import { MAX_BUCKETS, MAX_RANGE_DAYS, checkRange, parseHistoryRequest, parseTime, presetQuery, queryFor } from '../../src/history/query.ts';
import {
  addLocalDays,
  canonicalTimeZone,
  formatLocal,
  formatLocalIso,
  formatterCacheSize,
  fromWallTime,
  isTimeZone,
  offsetAt,
  startOfLocalDay,
  zonedParts,
} from '../../src/history/zoned-time.ts';

const at = (s: string) => Date.parse(s);
const H = 3_600_000;

describe('local days in a time zone', () => {
  it.each([
    // zone, an instant in the day, its local midnight, the next local midnight, hours in the day
    ['UTC', '2026-03-29T12:00:00Z', '2026-03-29T00:00:00Z', '2026-03-30T00:00:00Z', 24],
    ['Europe/Berlin', '2026-03-29T12:00:00Z', '2026-03-28T23:00:00Z', '2026-03-29T22:00:00Z', 23],
    ['Europe/Berlin', '2026-10-25T12:00:00Z', '2026-10-24T22:00:00Z', '2026-10-25T23:00:00Z', 25],
    ['Europe/Berlin', '2026-03-28T23:00:00Z', '2026-03-28T23:00:00Z', '2026-03-29T22:00:00Z', 23],
    ['Europe/Berlin', '2026-03-28T22:59:59Z', '2026-03-27T23:00:00Z', '2026-03-28T23:00:00Z', 24],
    ['America/New_York', '2026-03-08T12:00:00Z', '2026-03-08T05:00:00Z', '2026-03-09T04:00:00Z', 23],
    ['America/New_York', '2026-11-01T12:00:00Z', '2026-11-01T04:00:00Z', '2026-11-02T05:00:00Z', 25],
    ['Asia/Kolkata', '2026-06-01T20:00:00Z', '2026-06-01T18:30:00Z', '2026-06-02T18:30:00Z', 24],
    ['Australia/Lord_Howe', '2026-04-05T12:00:00Z', '2026-04-04T13:00:00Z', '2026-04-05T13:30:00Z', 24.5],
  ])('%s: the day holding %s starts %s and ends %s (%s h)', (zone, t, midnight, next, hours) => {
    const start = startOfLocalDay(at(t), zone);
    expect(new Date(start).toISOString()).toBe(new Date(at(midnight)).toISOString());
    const end = addLocalDays(start, 1, zone);
    expect(new Date(end).toISOString()).toBe(new Date(at(next)).toISOString());
    expect((end - start) / H).toBe(hours);
    expect(zonedParts(start, zone)).toMatchObject({ hour: 0, minute: 0 });
  });

  it.each([
    ['Europe/Berlin', '2026-03-29T00:59:59Z', 1],
    ['Europe/Berlin', '2026-03-29T01:00:00Z', 2],
    ['Europe/Berlin', '2026-10-25T00:59:59Z', 2],
    ['Europe/Berlin', '2026-10-25T01:00:00Z', 1],
    ['Asia/Kolkata', '2026-01-01T00:00:00Z', 5.5],
    ['UTC', '2026-01-01T00:00:00Z', 0],
  ])('%s is UTC%+d h at %s', (zone, t, hours) => {
    expect(offsetAt(at(t), zone)).toBe(hours * H);
  });

  it.each([
    // a wall time that happens once, one that happens twice (the first is taken), one that never happens (after the gap)
    [2026, 3, 10, 8, 30, 'Europe/Berlin', '2026-03-10T07:30:00.000Z'],
    [2026, 10, 25, 2, 30, 'Europe/Berlin', '2026-10-25T00:30:00.000Z'],
    [2026, 3, 29, 2, 30, 'Europe/Berlin', '2026-03-29T01:30:00.000Z'],
  ])('wall time %i-%i-%i %i:%i in %s is %s', (y, mo, d, h, mi, zone, expected) => {
    expect(new Date(fromWallTime(y, mo, d, h, mi, 0, 0, zone)).toISOString()).toBe(expected);
  });

  it('formats local times for spreadsheets and as ISO-8601 with the offset, Monday as weekday 0', () => {
    expect(formatLocal(at('2026-10-25T00:30:00Z'), 'Europe/Berlin')).toBe('2026-10-25 02:30:00');
    expect(formatLocalIso(at('2026-10-25T00:30:00Z'), 'Europe/Berlin')).toBe('2026-10-25T02:30:00+02:00');
    expect(formatLocalIso(at('2026-10-25T01:30:00Z'), 'Europe/Berlin')).toBe('2026-10-25T02:30:00+01:00');
    expect(formatLocalIso(at('2026-01-01T00:00:00Z'), 'Asia/Kolkata')).toBe('2026-01-01T05:30:00+05:30');
    expect(zonedParts(at('2026-03-30T10:00:00Z'), 'UTC').weekday).toBe(0);
    expect(zonedParts(at('2026-03-29T23:30:00Z'), 'Europe/Berlin').weekday).toBe(0);
    expect(zonedParts(at('2026-03-29T21:30:00Z'), 'Europe/Berlin').weekday).toBe(6);
    expect(isTimeZone('Europe/Berlin')).toBe(true);
    expect(isTimeZone('Mars/Olympus')).toBe(false);
  });
});

describe('steps and bucket edges', () => {
  it.each([
    ['15m', { kind: 'fixed', ms: 900_000 }],
    ['1h', { kind: 'fixed', ms: 3_600_000 }],
    ['90', { kind: 'fixed', ms: 90_000 }],
    ['24h', { kind: 'days', days: 1 }],
    ['1d', { kind: 'days', days: 1 }],
    ['7d', { kind: 'days', days: 7 }],
    ['30s', null],
    ['0h', null],
    ['1w', null],
    ['-1h', null],
    ['', null],
  ] as [string, Step | null][])('step %j is %j', (text, step) => {
    expect(parseStep(text)).toEqual(step);
  });

  it.each([
    // Days in Berlin across both daylight-saving changes: local midnights, 23 and 25 hours long.
    [
      '2026-03-28T23:00:00Z', '2026-03-30T22:00:00Z', '1d', 'Europe/Berlin',
      ['2026-03-28T23:00:00Z', '2026-03-29T22:00:00Z', '2026-03-30T22:00:00Z'],
    ],
    [
      '2026-10-24T22:00:00Z', '2026-10-26T23:00:00Z', '1d', 'Europe/Berlin',
      ['2026-10-24T22:00:00Z', '2026-10-25T23:00:00Z', '2026-10-26T23:00:00Z'],
    ],
    // Six-hour steps count from local midnight; the range may start and end inside a bucket.
    [
      '2026-03-10T05:00:00Z', '2026-03-10T20:00:00Z', '6h', 'Europe/Berlin',
      ['2026-03-10T05:00:00Z', '2026-03-10T11:00:00Z', '2026-03-10T17:00:00Z', '2026-03-10T20:00:00Z'],
    ],
    // Hours through the night the clocks go back: 25 of them, each one real hour.
    ['2026-10-24T22:00:00Z', '2026-10-25T23:00:00Z', '1h', 'Europe/Berlin', 26],
  ])('from %s to %s by %s in %s', (from, to, step, zone, expected) => {
    const edges = bucketEdges(at(from), at(to), parseStep(step)!, zone);
    if (typeof expected === 'number') expect(edges).toHaveLength(expected);
    else expect(edges.map((t) => new Date(t).toISOString())).toEqual(expected.map((e) => new Date(at(e)).toISOString()));
  });

  it('cuts quarter hours strictly inside a range', () => {
    expect(quarterEdges(at('2026-01-01T10:05:00Z'), at('2026-01-01T10:45:00Z')).map((t) => new Date(t).toISOString().slice(11, 16))).toEqual([
      '10:15', '10:30',
    ]);
  });
});

describe('history query', () => {
  const now = at('2026-03-29T12:00:00Z');
  const parse = (q: string, accept?: string) => {
    const p = new URLSearchParams(q);
    return parseHistoryRequest((k) => p.get(k), accept, now);
  };

  it.each([
    ['', { from: now - 86_400_000, to: now, timeZone: 'UTC', format: 'json', table: 'series', step: { kind: 'fixed', ms: 900_000 } }],
    ['from=2026-03-29&to=2026-03-30&tz=Europe/Berlin&step=1h', { from: at('2026-03-28T23:00:00Z'), to: at('2026-03-29T22:00:00Z') }],
    ['from=2026-03-29T08:00:00Z&to=2026-03-29T11:00:00%2B02:00', { from: at('2026-03-29T08:00:00Z'), to: at('2026-03-29T09:00:00Z') }],
    ['format=csv&table=slots', { format: 'csv', table: 'slots' }],
    ['from=2026-03-01', { step: { kind: 'fixed', ms: 3_600_000 } }],
  ])('%j', (q, expected) => {
    expect(parse(q)).toMatchObject({ ok: true, value: expected });
  });

  it.each([
    ['from=yesterday', /from: expected an ISO-8601 date/],
    ['from=2026-02-30', /from: expected an ISO-8601 date/],
    ['from=2026-03-29T10:00:00Z&to=2026-03-29T09:00:00Z', /from: must be before to/],
    ['from=2020-01-01', /longer than 400 days/],
    ['step=1w', /step: expected a duration/],
    ['from=2026-01-01&step=1m', /more than 10000; use a longer step/],
    ['tz=Europe/Atlantis', /tz: "Europe\/Atlantis" is not a time zone/],
    ['format=xml', /format: expected json or csv/],
    ['table=cars', /table: expected series or slots/],
  ])('refuses %j with a clear error', (q, message) => {
    const r = parse(q);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(message);
  });

  it.each([
    ['text/csv', 'csv'],
    ['text/csv, application/json;q=0.5', 'csv'],
    ['application/json, text/csv;q=0.2', 'json'],
    ['*/*', 'json'],
    [undefined, 'json'],
  ])('Accept: %s answers %s', (accept, format) => {
    expect(parse('', accept)).toMatchObject({ ok: true, value: { format } });
  });

  it('keeps one formatter per zone whatever the spelling of tz, and a bounded cache whatever the zones', () => {
    expect(canonicalTimeZone('europe/berlin')).toBe('Europe/Berlin');
    expect(canonicalTimeZone('Mars/Olympus')).toBeNull();
    parse('tz=Europe/Berlin');
    const before = formatterCacheSize();
    // Every mix of upper and lower case in "europe/berlin": 4096 spellings of one zone.
    const name = 'europe/berlin';
    const letters = [...name].flatMap((c, i) => (/[a-z]/.test(c) ? [i] : []));
    for (let mask = 0; mask < 2 ** letters.length; mask++) {
      const chars = [...name];
      letters.forEach((i, bit) => {
        if (mask & (1 << bit)) chars[i] = chars[i]!.toUpperCase();
      });
      const r = parse(`tz=${encodeURIComponent(chars.join(''))}&step=1h`);
      expect(r.ok && r.value.timeZone).toBe('Europe/Berlin');
    }
    expect(formatterCacheSize()).toBe(before);
    for (const zone of Intl.supportedValuesOf('timeZone')) expect(isTimeZone(zone)).toBe(true);
    expect(formatterCacheSize()).toBeLessThanOrEqual(64);
  });

  it('reads a date-time without a zone as wall time in the query time zone', () => {
    expect(parseTime('2026-10-25T02:30', 'Europe/Berlin')).toBe(at('2026-10-25T00:30:00Z'));
    expect(parseTime('2026-10-25T02:30:00.5Z', 'Europe/Berlin')).toBe(at('2026-10-25T02:30:00.500Z'));
  });

  it('checks a range against the limits the relay enforces: at most 400 days, at most 10,000 buckets', () => {
    const from = at('2026-01-01T00:00:00Z');
    const quarter: Step = { kind: 'fixed', ms: H / 4 };
    expect(checkRange(from, from + MAX_RANGE_DAYS * 24 * H, { kind: 'days', days: 1 })).toBeNull();
    expect(checkRange(from, from + MAX_RANGE_DAYS * 24 * H + 1, { kind: 'days', days: 1 })).toBe('the range is longer than 400 days');
    expect(checkRange(from, from + (MAX_BUCKETS - 1) * (H / 4), quarter)).toBeNull();
    expect(checkRange(from, from + MAX_BUCKETS * (H / 4), quarter)).toMatch(/^step: 15m makes about 10001 buckets, more than 10000/);
    expect(checkRange(from, from, quarter)).toBe('from: must be before to');
  });

  it('the device refuses a custom range the relay would refuse, with a message instead of a frozen tab', () => {
    const now = at('2026-03-29T12:00:00Z');
    expect(queryFor({ preset: 'custom', from: '2025-03-01', to: '2026-03-29' }, now, 'Europe/Berlin')).toMatchObject({
      ok: true,
      value: { from: at('2025-02-28T23:00:00Z'), to: at('2026-03-29T22:00:00Z'), step: { kind: 'days', days: 1 } },
    });
    expect(queryFor({ preset: 'custom', from: '2000-01-01', to: '2026-03-29' }, now, 'Europe/Berlin')).toEqual({
      ok: false,
      error: 'Pick a shorter range: the range is longer than 400 days.',
    });
    expect(queryFor({ preset: 'custom', from: '2026-03-29', to: '2026-03-28' }, now, 'UTC')).toEqual({ ok: false, error: 'Pick a start date on or before the end date.' });
    expect(queryFor({ preset: 'custom', from: '', to: '2026-03-28' }, now, 'UTC').ok).toBe(false);
    expect(queryFor({ preset: '7d' }, now, 'UTC')).toEqual({ ok: true, value: presetQuery('7d', now, 'UTC') });
  });

  it('presets run from local midnight to the end of today', () => {
    const q = presetQuery('7d', at('2026-03-29T12:00:00Z'), 'Europe/Berlin');
    expect(new Date(q.from).toISOString()).toBe('2026-03-22T23:00:00.000Z');
    expect(new Date(q.to).toISOString()).toBe('2026-03-29T22:00:00.000Z');
    expect(presetQuery('today', at('2026-03-29T12:00:00Z'), 'Europe/Berlin').to - presetQuery('today', at('2026-03-29T12:00:00Z'), 'Europe/Berlin').from).toBe(23 * H);
  });
});

describe('CSV (RFC 4180)', () => {
  it.each([
    ['plain', 'plain'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\nlines', '"two\nlines"'],
    ['cr\r\nlf', '"cr\r\nlf"'],
    ['=SUM(A1:A9)', "'=SUM(A1:A9)"],
    ['+1', "'+1"],
    ['-1,2', `"'-1,2"`],
    ['@cmd', "'@cmd"],
    [-1.5, '-1.5'],
    [0, '0'],
    [null, ''],
    [undefined, ''],
    [Number.NaN, ''],
    [true, 'true'],
  ])('%j is written %j', (value, text) => {
    expect(csvField(value)).toBe(text);
  });

  it('writes a header row and CRLF line ends, and reads back what it wrote', () => {
    const csv = toCsv(['time', 'name', 'n'], [
      ['2026-03-29T01:00:00.000Z', 'A "1", left', 3],
      ['2026-03-29T02:00:00.000Z', 'line\nbreak', null],
    ]);
    expect(csv).toBe('time,name,n\r\n2026-03-29T01:00:00.000Z,"A ""1"", left",3\r\n2026-03-29T02:00:00.000Z,"line\nbreak",\r\n');
    expect(parseCsv(csv)).toEqual([
      ['time', 'name', 'n'],
      ['2026-03-29T01:00:00.000Z', 'A "1", left', '3'],
      ['2026-03-29T02:00:00.000Z', 'line\nbreak', ''],
    ]);
  });
});
