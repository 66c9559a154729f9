import { describe, expect, it } from 'vitest';
import { SLOT_SIZE_EDGES, slotSizePx, smallSlots } from '../../src/occupancy/slot-size.ts';
import type { Point, Slot } from '../../src/occupancy/types.ts';

const W = 1280;
const H = 960;
/** An axis-aligned w x h px rectangle at (x, y) px, normalised to a W x H frame. */
const rect = (x: number, y: number, w: number, h: number): Point[] => [
  [x / W, y / H],
  [(x + w) / W, y / H],
  [(x + w) / W, (y + h) / H],
  [x / W, (y + h) / H],
];
const slot = (id: string, polygon: Point[], extra: Partial<Slot> = {}): Slot => ({ id, name: id, polygon, ...extra });

describe('slotSizePx', () => {
  it.each([
    ['a 45 px square', rect(100, 100, 45, 45), 45],
    ['a thin 10 x 200 px sliver', rect(1200, 10, 10, 200), Math.sqrt(2000)],
    ['a 120 x 60 px bay', rect(0, 0, 120, 60), Math.sqrt(7200)],
  ])('%s measures √area', (_, polygon, px) => {
    expect(slotSizePx(polygon, W, H)).toBeCloseTo(px, 9);
  });

  it('scales with the analysis frame: the same slot is half as big in a frame half the size', () => {
    const p = rect(100, 100, 60, 90);
    expect(slotSizePx(p, W / 2, H / 2)).toBeCloseTo(slotSizePx(p, W, H) / 2, 9);
  });

  it('gives 0 for a degenerate polygon (a line), never NaN', () => {
    expect(slotSizePx([[0.1, 0.1], [0.2, 0.2], [0.3, 0.3], [0.1, 0.1]], W, H)).toBe(0);
  });
});

describe('smallSlots', () => {
  const NOW = 1_000_000;
  const [small, large] = SLOT_SIZE_EDGES;
  const slots = [
    slot('under', rect(0, 0, small - 1, small - 1)),
    slot('edge', rect(100, 0, small, small)),
    slot('big', rect(200, 0, large, large)),
    slot('sliver', rect(300, 0, 8, 200)),
    slot('closed-small', rect(400, 0, 20, 20), { closed: { reason: 'works', until: null } }),
    slot('reopened-small', rect(500, 0, 20, 20), { closed: { reason: 'market', until: NOW - 1 } }),
  ];

  it('lists the slots open now under the first edge, in layout order (a closure that has ended closes nothing)', () => {
    expect(smallSlots(slots, W, H, NOW).map((s) => s.id)).toEqual(['under', 'sliver', 'reopened-small']);
  });

  it('leaves out a slot while its closure lasts', () => {
    expect(smallSlots(slots, W, H, NOW - 2).map((s) => s.id)).toEqual(['under', 'sliver']);
  });

  it('depends on the analysis size: at a quarter of it every slot above is small', () => {
    expect(smallSlots(slots, W / 4, H / 4, NOW).map((s) => s.id)).toEqual(['under', 'edge', 'big', 'sliver', 'reopened-small']);
  });

  it('has nothing to say about no slots', () => {
    expect(smallSlots([], W, H, NOW)).toEqual([]);
  });
});
