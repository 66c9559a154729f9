import { describe, expect, it } from 'vitest';
import { timeLabels } from '../../src/history/axis-labels.ts';

const at = (iso: string) => Date.parse(iso) / 1000;

describe('timeLabels', () => {
  it('a day: times of day in the time zone', () => {
    const splits = [at('2026-03-02T08:00:00Z'), at('2026-03-02T14:00:00Z')];
    expect(timeLabels(splits, 'Europe/Berlin', 'en-GB')).toEqual(['09:00', '15:00']);
  });

  it('seven days in steps of half a day: each midnight is named, so the days can be told apart', () => {
    const splits = [0, 1, 2, 3].map((i) => at('2026-03-01T23:00:00Z') + i * 43_200);
    expect(timeLabels(splits, 'Europe/Berlin', 'en-GB')).toEqual(['Mon 2', '12:00', 'Tue 3', '12:00']);
  });

  it('steps of a day or more: day names and dates', () => {
    const splits = [at('2026-03-01T23:00:00Z'), at('2026-03-02T23:00:00Z')];
    expect(timeLabels(splits, 'Europe/Berlin', 'en-GB')).toEqual(['Mon 2', 'Tue 3']);
  });
});
