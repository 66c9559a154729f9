import { describe, expect, it } from 'vitest';
import { labelledSlotsOf, parseLabelledFrame } from '../../../src/layout/layout-format.ts';
import { parseWeights } from '../../../src/evidence/weights.ts';
import { bySlotSize, confusion, median, percentile, rocAuc, scores, worstSlots } from '../../../scripts/lib/metrics.ts';
import { testWeights } from './test-weights.ts';

describe('labelled frames as eval and train read them', () => {
  const label = {
    image: 'images/a.jpg',
    width: 200,
    height: 100,
    lot: 'x',
    captured: '2012-09-11T17:12:07',
    slots: [
      { id: '1', polygon: [[20, 10], [40, 10], [40, 50], [20, 50]], occupied: true },
      { id: 2, polygon: [[0, 0], [10, 0], [10, 10], [0, 10]], occupied: null },
    ],
  };
  it('normalises the slots and keeps the labels, the picture and the capture time', () => {
    const read = parseLabelledFrame(label, 'a.json');
    if (!read.ok) throw new Error(read.error);
    const slots = labelledSlotsOf(read.layout);
    expect(slots[0]!.polygon[2]).toEqual([0.2, 0.5]);
    expect(slots.map((s) => [s.id, s.occupied])).toEqual([
      ['1', true],
      ['2', null],
    ]);
    expect(read.layout.labelled).toMatchObject({ image: 'images/a.jpg', lot: 'x', captured: '2012-09-11T17:12:07' });
  });
  it('refuses a label with a bad occupied value or no picture', () => {
    expect(parseLabelledFrame({ ...label, slots: [{ ...label.slots[0], occupied: 'yes' }] }, 'a.json').ok).toBe(false);
    expect(parseLabelledFrame({ ...label, image: undefined }, 'a.json').ok).toBe(false);
  });
});

describe('weights file', () => {
  it('round-trips and is validated', () => {
    const w = testWeights();
    expect(parseWeights(JSON.parse(JSON.stringify(w)))).toEqual(w);
    expect(() => parseWeights({ ...w, hand: { w: [1], b: 0 } })).toThrow(/hand/);
    expect(() => parseWeights({ ...w, format: 'x' })).toThrow();
    expect(() => parseWeights({ ...w, training: { frames: [{}] } })).toThrow();
  });
});

describe('metrics', () => {
  it.each([
    { name: 'perfect', pairs: [[true, true], [false, false]], acc: 1, bal: 1 },
    { name: 'always occupied on a 3:1 lot', pairs: [[true, true], [true, true], [true, true], [false, true]], acc: 0.75, bal: 0.5 },
    { name: 'one of each wrong', pairs: [[true, false], [true, true], [false, true], [false, false]], acc: 0.5, bal: 0.5 },
  ])('$name', ({ pairs, acc, bal }) => {
    const s = scores(confusion(pairs.map(([truth, predicted]) => ({ truth: truth!, predicted: predicted! }))));
    expect(s.accuracy).toBeCloseTo(acc);
    expect(s.balancedAccuracy).toBeCloseTo(bal);
  });
  it('precision, recall, F1 and AUC', () => {
    const s = scores({ tp: 8, fp: 2, tn: 5, fn: 2 });
    expect(s.precision).toBeCloseTo(0.8);
    expect(s.recall).toBeCloseTo(0.8);
    expect(s.f1).toBeCloseTo(0.8);
    expect(rocAuc([{ truth: true, score: 2 }, { truth: false, score: 1 }])).toBe(1);
    expect(rocAuc([{ truth: true, score: 1 }, { truth: false, score: 1 }])).toBe(0.5);
    expect(median([3, 1, 2])).toBe(2);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 95)).toBe(10);
  });
  it('scores each band of slot size on its own, edges in the upper band, empty bands left out', () => {
    const pair = (size: number, truth: boolean, predicted: boolean) => ({ size, truth, predicted });
    const bands = bySlotSize([pair(10, true, true), pair(44.9, false, true), pair(45, true, true), pair(45, false, false), pair(500, true, false), pair(80, false, false)]);
    expect(bands).toEqual([
      { from: 0, to: 45, slots: 2, balancedAccuracy: 0.5, confusion: { tp: 1, fp: 1, tn: 0, fn: 0 } },
      { from: 45, to: 80, slots: 2, balancedAccuracy: 1, confusion: { tp: 1, fp: 0, tn: 1, fn: 0 } },
      { from: 80, to: null, slots: 2, balancedAccuracy: 0.5, confusion: { tp: 0, fp: 0, tn: 1, fn: 1 } },
    ]);
    expect(bySlotSize([pair(100, true, true)], [45, 80])).toEqual([{ from: 80, to: null, slots: 1, balancedAccuracy: 1, confusion: { tp: 1, fp: 0, tn: 0, fn: 0 } }]);
  });
  it('names the slots wrong most often, with how and on how many of their frames', () => {
    const s = (frame: string, slot: string, truth: boolean, predicted: boolean) => ({ frame, slot, truth, predicted });
    const scored = [
      s('a', '1', false, true),
      s('a', '2', true, true),
      s('a', '3', true, false),
      s('b', '1', false, true),
      s('b', '2', false, false),
      s('b', '3', true, true),
      s('c', '1', true, true),
      s('c', '3', false, true),
    ];
    expect(worstSlots(scored)).toEqual([
      { slot: '1', fp: 2, fn: 0, frames: 3 },
      { slot: '3', fp: 1, fn: 1, frames: 3 },
    ]);
    expect(worstSlots(scored.filter((x) => x.truth === x.predicted))).toEqual([]);
  });
});
