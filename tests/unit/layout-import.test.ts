import { describe, expect, it } from 'vitest';
import { importSlots, planImport } from '../../src/layout/layout-import.ts';
import type { Slot } from '../../src/occupancy/types.ts';

const box = (id: string, x: number, name = id): Slot => ({
  id,
  name,
  polygon: [
    [x, 0.1],
    [x + 0.1, 0.1],
    [x + 0.1, 0.2],
    [x, 0.2],
  ],
});

describe('importing a layout into a lot with slots', () => {
  const lot = [box('1', 0.1), box('2', 0.3, 'A-2')];
  const file = [box('1', 0.32), box('2', 0.6, 'A-2'), box('x', 0.8, 'B')];

  it('says how many slots there are on each side and how many would land on slots the lot has', () => {
    expect(planImport(lot, file)).toEqual({ existing: 2, incoming: 3, overlapping: 1 });
    expect(planImport([], file)).toEqual({ existing: 0, incoming: 3, overlapping: 0 });
  });

  it('replace: only the file’s slots', () => {
    expect(importSlots(lot, file, 'replace')).toEqual(file);
  });

  it('add: the lot’s slots first, then the file’s, with new ids (and names) where they clash', () => {
    const merged = importSlots(lot, file, 'add');
    expect(merged.map((s) => [s.id, s.name])).toEqual([
      ['1', '1'],
      ['2', 'A-2'],
      ['3', '3'],
      ['4', '4'],
      ['x', 'B'],
    ]);
    expect(new Set(merged.map((s) => s.id)).size).toBe(merged.length);
    expect(merged[2]!.polygon).toEqual(file[0]!.polygon);
  });
});
