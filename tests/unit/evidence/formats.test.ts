import { describe, expect, it } from 'vitest';
import { labelledSlotsOf, parseLabelledFrame } from '../../../src/layout/layout-format.ts';
import { parseWeights } from '../../../src/evidence/weights.ts';
import { confusion, median, percentile, rocAuc, scores } from '../../../scripts/lib/metrics.ts';
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
});
