// Input the relay and the app refuse since the relay faces the internet: impossible dates, and control characters
// in slot names and ids (they end up in CSV exports and on screens).
import { describe, expect, it } from 'vitest';
import { parseTime } from '../../src/history/query.ts';
import { editLayout } from '../../src/layout/layout-edits.ts';
import { parseLayoutFile } from '../../src/layout/layout-format.ts';
import { isIsoDateTime, parsePublishedState } from '../../src/share/protocol.ts';

const state = (o: Record<string, unknown> = {}, slot: Record<string, unknown> = {}) => ({
  total_slots: 1,
  occupied_slots: 1,
  available_slots: 0,
  last_updated: '2025-08-07T14:20:30Z',
  slots: [{ id: 'a', name: 'A1', occupied: true, probability: 0.9, since: '2025-08-07T14:00:00Z', ...slot }],
  ...o,
});

describe('dates', () => {
  it.each(['2025-02-30T00:00:00Z', '2025-02-29T12:00:00', '2025-04-31T00:00:00+02:00', '2100-02-29T00:00:00Z', '0000-01-01T00:00:00Z', '9999-12-31T00:00:00Z', '1969-12-31T23:59:59Z'])(
    'refuses %s',
    (t) => {
      expect(isIsoDateTime(t)).toBe(false);
      const r = parsePublishedState(state({ last_updated: t }));
      expect(r).toEqual({ ok: false, error: expect.stringContaining('last_updated: expected an ISO-8601 date-time') });
      expect(parsePublishedState(state({}, { since: t })).ok).toBe(false);
    },
  );

  it.each(['2024-02-29T00:00:00Z', '2025-01-31T23:59:59.999Z', '1970-01-01T00:00:00Z', '2099-12-31T23:59:59+14:00', '2025-08-07T14:20:30'])('accepts %s', (t) => {
    expect(isIsoDateTime(t)).toBe(true);
    expect(parsePublishedState(state({ last_updated: t })).ok).toBe(true);
  });

  it('history ranges refuse days that do not exist too', () => {
    expect(parseTime('2025-02-30T00:00:00Z', 'UTC')).toBeNull();
    expect(parseTime('2025-02-30', 'Europe/Berlin')).toBeNull();
    expect(parseTime('2024-02-29T00:00:00Z', 'UTC')).toBe(Date.parse('2024-02-29T00:00:00Z'));
  });
});

describe('control characters in names and ids', () => {
  it.each(['A\u0000', 'A\u001b[31m', 'A\r', 'A\n', 'A\t', 'A\u007f', 'A\u0085'])('refuses the name %j', (name) => {
    expect(parsePublishedState(state({}, { name }))).toEqual({ ok: false, error: expect.stringContaining('slots[0].name: expected text without control characters') });
    expect(parsePublishedState(state({}, { id: name })).ok).toBe(false);
    const layout = { slots: [{ id: 'a', name, polygon: [[0, 0], [1, 0], [1, 1]] }] };
    expect(parsePublishedState(state({ layout })).ok).toBe(false);
  });

  it('accepts names in any script, with spaces and punctuation', () => {
    expect(parsePublishedState(state({}, { name: 'Stellplatz Süd; Reihe 3 — 駐車場 =1' })).ok).toBe(true);
  });

  it('the layout editor turns typed controls into spaces; layout files with them are refused', () => {
    const s = { slots: [{ id: 'a', name: 'A', polygon: [[0, 0], [1, 0], [1, 1]] as const }], group: null };
    expect(editLayout(s, { type: 'rename', id: 'a', name: 'North\tgate\u0000' }).slots[0]?.name).toBe('North gate');
    const file = JSON.stringify({ slots: [{ id: 'a', name: 'A\u001b', polygon: [[0, 0], [1, 0], [1, 1]] }], frame: { width: 100, height: 100 } });
    expect(parseLayoutFile(file, 'l.json')).toEqual({ ok: false, error: expect.stringContaining('the name has control characters') });
  });
});
