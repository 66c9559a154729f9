import { describe, expect, it } from 'vitest';
import { labelledSlots, parseLabelledFrame, parseLayoutExport, readLayout } from '../../../src/evidence/layout-format.ts';
import { parseWeights } from '../../../src/evidence/weights.ts';
import { confusion, median, percentile, rocAuc, scores } from '../../../scripts/lib/metrics.ts';
import { testWeights } from './test-weights.ts';

describe('layout and label formats', () => {
  const label = {
    image: 'images/a.jpg',
    width: 200,
    height: 100,
    lot: 'x',
    slots: [
      { id: '1', polygon: [[20, 10], [40, 10], [40, 50], [20, 50]], occupied: true },
      { id: 2, polygon: [[0, 0], [10, 10]], occupied: null },
    ],
  };
  it('reads a labelled frame (FORMAT.md) and normalises it; a 2-point polygon is a rectangle', () => {
    const slots = labelledSlots(parseLabelledFrame(label));
    expect(slots[0]!.polygon[2]).toEqual([0.2, 0.5]);
    expect(slots[1]!.id).toBe('2');
    expect(slots[1]!.polygon).toHaveLength(4);
    expect(slots[1]!.occupied).toBeNull();
  });
  it('reads the app layout export and accepts a label file as a layout', () => {
    const layout = { slots: [{ id: 'a', name: 'A1', polygon: [[0.1, 0.1], [0.2, 0.1], [0.2, 0.3], [0.1, 0.3]] }], frame: { width: 1280, height: 720 } };
    expect(parseLayoutExport(layout).slots[0]!.name).toBe('A1');
    expect(readLayout(layout)[0]!.id).toBe('a');
    expect(readLayout(label)).toHaveLength(2);
  });
  it.each([
    ['no slots', { frame: { width: 1, height: 1 } }],
    ['no frame size', { slots: [] }],
    ['pixel polygon', { slots: [{ id: 'a', polygon: [[10, 10], [20, 10], [20, 20], [10, 20]] }], frame: { width: 100, height: 100 } }],
    ['3 points', { slots: [{ id: 'a', polygon: [[0, 0], [1, 0], [1, 1]] }], frame: { width: 1, height: 1 } }],
  ])('rejects a layout with %s', (_, bad) => {
    expect(() => parseLayoutExport(bad)).toThrow();
  });
  it('rejects a label with a bad occupied value', () => {
    expect(() => parseLabelledFrame({ ...label, slots: [{ id: '1', polygon: label.slots[0]!.polygon, occupied: 'yes' }] })).toThrow();
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
