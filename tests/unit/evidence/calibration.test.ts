import { describe, expect, it } from 'vitest';
import {
  applyCorrection,
  applyCorrections,
  calibratedLogit,
  calibrationForSlots,
  clearCorrections,
  confirmable,
  DEFAULT_CALIBRATION,
  emptyCalibration,
  fitCalibration,
  parseCalibration,
  pruneCorrections,
  STILL,
  undoCorrection,
  type Correction,
} from '../../../src/evidence/calibration.ts';
import { REF_LENGTH } from '../../../src/evidence/hand-features.ts';
import { fusionInputs } from '../../../src/evidence/fusion.ts';
import { predictLogit } from '../../../src/evidence/logistic.ts';
import { testWeights } from './test-weights.ts';

const w = testWeights();
const ref = (v: number) => new Array<number>(REF_LENGTH).fill(v);
let clock = 0;
const corr = (slotId: string, occupied: boolean, frame: string, rectified: number, reference = ref(occupied ? 1 : 0), light?: number): Correction => ({
  slotId,
  occupied,
  at: ++clock,
  frame,
  weightsId: w.id,
  features: { logits: { hand: 0, square: null, rectified, detection: 0 }, reference, ...(light === undefined ? {} : { light }) },
});
const seen = (rectified: number, reference: number[], light?: number) => ({
  logits: { hand: 0, square: null, rectified, detection: 0 },
  reference,
  ...(light === undefined ? {} : { light }),
});

describe('correction bookkeeping', () => {
  it('records, replaces a second tap on the same slot and frame, undoes and clears', () => {
    let cal = emptyCalibration();
    cal = applyCorrection(cal, corr('a', true, 'f1', 1), w);
    cal = applyCorrection(cal, corr('b', false, 'f1', -1), w);
    expect(cal.corrections.map((c) => c.slotId)).toEqual(['a', 'b']);
    cal = applyCorrection(cal, corr('a', false, 'f1', 1), w);
    expect(cal.corrections.map((c) => [c.slotId, c.occupied])).toEqual([
      ['b', false],
      ['a', false],
    ]);
    cal = applyCorrection(cal, corr('a', true, 'f2', 1), w);
    expect(cal.corrections).toHaveLength(3);
    cal = undoCorrection(cal, w);
    expect(cal.corrections).toHaveLength(2);
    expect(undoCorrection(emptyCalibration(), w).corrections).toHaveLength(0);
    expect(clearCorrections()).toEqual(emptyCalibration());
  });
  it('undoes a confirmation of every slot (one frame, one time) as one step, and a tap before it stays', () => {
    let cal = applyCorrection(emptyCalibration(), corr('a', true, 'f1', 1), w);
    const at = ++clock;
    const all = ['a', 'b', 'c'].map((id, i): Correction => ({ ...corr(id, i > 0, 'f2', 1), at }));
    cal = applyCorrections(cal, all, w);
    expect(cal.corrections).toHaveLength(4);
    cal = undoCorrection(cal, w);
    expect(cal.corrections.map((c) => [c.slotId, c.frame])).toEqual([['a', 'f1']]);
    // Taps on one frame at different times are steps of their own.
    cal = applyCorrections(emptyCalibration(), [corr('a', true, 'f3', 1), corr('b', true, 'f3', 1)], w);
    expect(undoCorrection(cal, w).corrections.map((c) => c.slotId)).toEqual(['a']);
  });
  it.each([
    ['a slot never tapped', [], true, true],
    ['a slot tapped to the same state', [['a', true, 0]], true, true],
    ['a slot tapped to the other state a minute ago: the tap wins', [['a', false, -60_000]], true, false],
    ['the same, two hours and a second ago: the confirmation is newer news', [['a', false, -STILL.maxAgeMs - 1000]], true, true],
    ['tapped occupied, then free: the latest tap counts', [['a', true, -120_000], ['a', false, -60_000]], false, true],
    ['tapped free, then occupied: the latest tap counts', [['a', false, -120_000], ['a', true, -60_000]], false, false],
  ] as const)('confirming every slot records %s', (_n, taps, shown, recorded) => {
    const now = 10 * STILL.maxAgeMs;
    const cal = applyCorrections(
      emptyCalibration(),
      taps.map(([id, occupied, ago], i) => ({ ...corr(id, occupied, `f${i}`, 1), at: now + ago })),
      w,
    );
    const states = [
      { slotId: 'a', occupied: shown },
      { slotId: 'b', occupied: false },
    ];
    expect(confirmable(cal, states, now)).toEqual(recorded ? states : [states[1]]);
  });
  it('is plain data: it survives JSON (IndexedDB) and validates when read back', () => {
    const cal = applyCorrections(emptyCalibration(), [corr('a', true, 'f1', 1), corr('a', false, 'f2', -1)], w);
    const back = parseCalibration(JSON.parse(JSON.stringify(cal)));
    expect(back).toEqual(cal);
    expect(() => parseCalibration({ version: 1, corrections: [{ slotId: 3 }], fitted: {} })).toThrow();
    expect(() => parseCalibration(null)).toThrow();
  });
  it('prunes the corrections of slots removed from the layout', () => {
    const cal = applyCorrections(emptyCalibration(), [corr('a', true, 'f1', 1), corr('b', false, 'f1', -1)], w);
    expect(pruneCorrections(cal, ['b'], w).corrections.map((c) => c.slotId)).toEqual(['b']);
  });
});

describe('a single tap shows at once, while the slot looks the same', () => {
  it.each([
    ['"occupied" on a slot the model calls free', true, -4, 2],
    ['"free" on a slot the model calls occupied', false, 3, -2],
    ['"occupied" where the model already agrees strongly', true, 5, 2],
  ])('%s', (_n, occupied, rectified, expected) => {
    const picture = ref(0.3);
    const c = corr('a', occupied, 'f1', rectified, picture);
    const cal = applyCorrection(emptyCalibration(), c, w);
    const now = (reference: number[]) => seen(rectified, reference);
    const uncalibrated = calibratedLogit(now(picture), 'a', w, null);
    // The same picture: what the user said, with a margin (or more, when the model agrees).
    expect(Math.sign(calibratedLogit(now(picture), 'a', w, cal))).toBe(occupied ? 1 : -1);
    expect(calibratedLogit(now(picture), 'a', w, cal)).toBeCloseTo(occupied ? Math.max(uncalibrated, expected) : Math.min(uncalibrated, expected));
    // Slightly different (compression noise): still held. A different picture (the car left): the model again.
    expect(calibratedLogit(now(ref(0.35)), 'a', w, cal)).toBeCloseTo(calibratedLogit(now(picture), 'a', w, cal));
    expect(calibratedLogit(now(ref(0.6)), 'a', w, cal)).toBeCloseTo(uncalibrated);
    // Other slots are not touched, and undo takes it back.
    expect(calibratedLogit(now(picture), 'b', w, cal)).toBeCloseTo(uncalibrated);
    expect(calibratedLogit(now(picture), 'a', w, undoCorrection(cal, w))).toBeCloseTo(uncalibrated);
  });
  it('the latest correction of a slot is the one held', () => {
    const picture = ref(0.3);
    let cal = applyCorrection(emptyCalibration(), corr('a', true, 'f1', -4, picture), w);
    cal = applyCorrection(cal, corr('a', false, 'f2', -4, picture), w);
    expect(calibratedLogit(seen(-4, picture), 'a', w, cal)).toBeLessThan(0);
  });
  it('holds only in similar light: the same picture in other light is the model again', () => {
    const picture = ref(0.3);
    const cal = applyCorrection(emptyCalibration(), corr('a', true, 'f1', -4, picture, 100), w);
    expect(calibratedLogit(seen(-4, picture, 110), 'a', w, cal)).toBeGreaterThan(0);
    expect(calibratedLogit(seen(-4, picture, 60), 'a', w, cal)).toBeCloseTo(calibratedLogit(seen(-4, picture, 60), 'a', w, null));
  });
  it('holds for the hours after the tap, not the next day: a confident model is not overruled by an old picture', () => {
    const picture = ref(0.3);
    const c = corr('a', true, 'f1', -8, picture, 100);
    const cal = applyCorrection(emptyCalibration(), c, w);
    const model = calibratedLogit(seen(-8, picture, 100), 'a', w, null);
    expect(model).toBeLessThan(-2);
    const at = (ms: number) => calibratedLogit(seen(-8, picture, 100), 'a', w, cal, c.at + ms);
    expect(at(0)).toBeGreaterThan(0);
    expect(at(STILL.maxAgeMs)).toBeGreaterThan(0);
    expect(at(STILL.maxAgeMs + 1)).toBeCloseTo(model);
    expect(at(24 * 3600_000)).toBeCloseTo(model);
    // A frame from before the tap (eval scores earlier days too) is not held either.
    expect(at(-24 * 3600_000)).toBeCloseTo(model);
    // No time given (a picture alone): held as long as it looks the same, as before.
    expect(calibratedLogit(seen(-8, picture, 100), 'a', w, cal)).toBeGreaterThan(0);
    // A calibration stored before taps carried their time: held as before, until the next refit adds it.
    const { at: _, ...untimed } = cal.fitted.stills!['a']!;
    const old = { ...cal, fitted: { ...cal.fitted, stills: { a: untimed } } };
    expect(calibratedLogit(seen(-8, picture, 100), 'a', w, old, c.at + 24 * 3600_000)).toBeGreaterThan(0);
  });
});

describe('free references', () => {
  it('a free confirmation becomes the slot reference; later ones refresh it (latest N averaged)', () => {
    let cal = applyCorrection(emptyCalibration(), corr('a', false, 'f1', 0, ref(0.2)), w, { ...DEFAULT_CALIBRATION, referenceDepth: 2 });
    expect(cal.fitted.references['a']?.vector[0]).toBeCloseTo(0.2);
    cal = applyCorrection(cal, corr('a', false, 'f2', 0, ref(0.4)), w, { ...DEFAULT_CALIBRATION, referenceDepth: 2 });
    cal = applyCorrection(cal, corr('a', false, 'f3', 0, ref(0.6)), w, { ...DEFAULT_CALIBRATION, referenceDepth: 2 });
    expect(cal.fitted.references['a']?.vector[0]).toBeCloseTo(0.5);
    expect(cal.fitted.references['a']?.count).toBe(2);
    // An occupied confirmation is no reference.
    cal = applyCorrection(cal, corr('b', true, 'f3', 0), w);
    expect(cal.fitted.references['b']).toBeUndefined();
  });
});

describe('fitCalibration', () => {
  // The shipped fusion is biased on this lot: every slot's rectified logit reads 3 too high. Free slots look like their
  // reference; occupied ones do not.
  function lot(frames: number, slots: number) {
    const out: Correction[] = [];
    for (let f = 0; f < frames; f++)
      for (let s = 0; s < slots; s++) {
        const occupied = (s + f) % 3 === 0;
        const jitter = ((s * 7 + f * 13) % 10) / 10 - 0.5;
        out.push(corr(`s${s}`, occupied, `f${f}`, (occupied ? 1 : -1) + 3 + jitter, ref(occupied ? 0.8 + jitter / 10 : 0.1 + jitter / 20)));
      }
    return out;
  }
  const errors = (cal: ReturnType<typeof emptyCalibration> | null, test: Correction[]) =>
    test.filter((c) => calibratedLogit(c.features, c.slotId, w, cal) >= 0 !== c.occupied).length;

  it('needs both kinds of correction before it fits a model', () => {
    const fitted = fitCalibration([corr('a', true, 'f', 2)], w);
    expect(fitted.full).toBeNull();
    expect(fitted.patchOnly).toBeNull();
  });
  it('corrects a biased lot: calibrated errors on new frames are far fewer than uncalibrated ones', () => {
    const train = lot(5, 20);
    const test = lot(8, 20).slice(5 * 20);
    const cal = applyCorrections(emptyCalibration(), train, w);
    expect(cal.fitted.full).not.toBeNull();
    const before = errors(null, test);
    const after = errors(cal, test);
    expect(before).toBeGreaterThan(test.length / 3);
    expect(after).toBeLessThan(before / 4);
  });
  it('ignores the logits of corrections made with other weights, but keeps their references', () => {
    const other = lot(3, 5).map((c) => ({ ...c, weightsId: 'other' }));
    const fitted = fitCalibration(other, w);
    expect(fitted.full).toBeNull();
    expect(Object.keys(fitted.references).length).toBeGreaterThan(0);
  });
  it('patch-only corrections fit the patch-only model alone', () => {
    // Hand logits that read 3 too high, as the rectified ones do above.
    const patchOnly = lot(4, 10).map((c) => ({
      ...c,
      features: { ...c.features, light: 80, logits: { ...c.features.logits, hand: c.features.logits.rectified! - 0.1, rectified: null } },
    }));
    const fitted = fitCalibration(patchOnly, w);
    expect(fitted.full).toBeNull();
    expect(fitted.patchOnly?.w).toHaveLength(1);
    expect(fitted.validation?.['patch-only']?.kept).not.toBe('shipped');
  });
  it('keeps no refit that the corrections it was not fitted on refute', () => {
    // Two frames in different light: every logit reads 3 too high in the first, 3 too low in the second. What one
    // frame would teach, the other refutes, so the shipped model stays.
    const frame = (f: number, shift: number) =>
      Array.from({ length: 20 }, (_, s) => corr(`s${s}`, s % 2 === 0, `f${f}`, (s % 2 === 0 ? 1.5 : -1.5) + shift + (s % 5) / 10, ref(0.4), 100));
    const both = [...frame(0, 3), ...frame(1, -3)];
    const fitted = fitCalibration(both, w);
    expect(fitted.validation?.full?.kept).toBe('shipped');
    expect(fitted.full).toBeNull();
    // One frame alone cannot be checked on anything: no refit either, though each tap still holds its slot.
    const one = fitCalibration(frame(0, 3), w);
    expect(one.full).toBeNull();
    expect(one.stills?.['s1']?.occupied).toBe(false);
  });
  it('counts a frame of taps as one look at the lot: tapping K copies of each slot gives the same refit', () => {
    // Sum-form shrinkage alone lets 100 taps of one frame (one day, one light) pull the refit as far as 100 days
    // would. Per frame's worth of corrections, K copies of every slot change the fit's data and its penalty alike.
    const train = lot(5, 20).map((c) => ({ ...c, features: { ...c.features, light: 100 } }));
    const copies = (k: number) => train.flatMap((c) => Array.from({ length: k }, (_, j) => ({ ...c, slotId: `${c.slotId}.${j}` })));
    const one = fitCalibration(copies(1), w);
    const many = fitCalibration(copies(8), w);
    expect(one.full).not.toBeNull();
    expect(one.fullRef).not.toBeNull();
    expect(many.validation?.full?.kept).toBe(one.validation?.full?.kept);
    for (const [a, b] of [[one.full, many.full], [one.fullRef, many.fullRef]] as const) {
      expect(b!.b).toBeCloseTo(a!.b, 4);
      b!.w.forEach((x, i) => expect(x).toBeCloseTo(a!.w[i]!, 4));
    }
  });
  it('whatever it keeps made no more held-out errors than the shipped model', () => {
    for (const [frames, slots] of [[3, 8], [5, 20], [9, 12]] as const) {
      const v = fitCalibration(lot(frames, slots), w).validation?.full;
      expect(v).toBeDefined();
      expect(v!.keptErrors).toBeLessThanOrEqual(v!.shippedErrors);
    }
  });
  it('uses a free reference only in light like the light it was made in', () => {
    // Free slots look like their reference, occupied ones do not; the base logits alone cannot tell them apart.
    const make = (f: number, light: number) =>
      Array.from({ length: 16 }, (_, s) => {
        const occupied = (s + f) % 2 === 0;
        return corr(`s${s}`, occupied, `f${f}`, ((s * 7 + f) % 5) / 5 - 0.4, ref(occupied ? 0.7 : 0.1 + (s % 3) / 50), light);
      });
    const train = [0, 1, 2, 3, 4, 5].flatMap((f) => make(f, 100));
    const cal = applyCorrections(emptyCalibration(), train, w);
    expect(cal.fitted.validation?.full?.kept).toBe('refit+references');
    const later = make(6, 104);
    expect(errors(cal, later)).toBeLessThan(errors(null, later));
    // The same frame in other light: neither the references nor the refit (learned in light 100) judge it, only the
    // shipped model; in light within 1.25x of what the refit saw, the refit does.
    const dark = make(6, 40);
    dark.forEach((c) => expect(calibratedLogit(c.features, c.slotId, w, cal)).toBeCloseTo(calibratedLogit(c.features, c.slotId, w, null)));
    expect(cal.fitted.lights?.full).toEqual([100, 100]);
    const near = make(6, 120).map((c) => ({ ...c.features, reference: ref(0.4) }));
    near.forEach((f) => expect(calibratedLogit(f, 'nowhere', w, cal)).toBeCloseTo(predictLogit(cal.fitted.full!, fusionInputs(f.logits))));
  });
});

describe('free references across days', () => {
  const errors = (cal: ReturnType<typeof emptyCalibration> | null, test: Correction[]) =>
    test.filter((c) => calibratedLogit(c.features, c.slotId, w, cal) >= 0 !== c.occupied).length;
  // Free slots look like their reference, occupied ones do not; the base logits alone cannot tell them apart.
  const make = (f: number, light: number) =>
    Array.from({ length: 16 }, (_, s) => {
      const occupied = (s + f) % 2 === 0;
      return corr(`s${s}`, occupied, `f${f}`, ((s * 7 + f) % 5) / 5 - 0.4, ref(occupied ? 0.7 : 0.1 + (s % 3) / 50), light);
    });
  it('judge the light between the days they were made on, not light beyond them', () => {
    // Taps on six days, in morning (80) and noon (160) light: every slot is free on days of both, so its reference
    // averages both.
    const light = [80, 80, 160, 160, 80, 160];
    const cal = applyCorrections(emptyCalibration(), [0, 1, 2, 3, 4, 5].flatMap((f) => make(f, light[f]!)), w);
    expect(cal.fitted.validation?.full?.kept).toBe('refit+references');
    expect(cal.fitted.references.s1?.lights).toEqual([80, 160]);
    const between = make(6, 115);
    expect(errors(cal, between)).toBe(0);
    expect(errors(null, between)).toBeGreaterThan(0);
    // Beyond 1.25x of the lights seen: neither references nor refit, the shipped model alone.
    make(6, 250).forEach((c) => expect(calibratedLogit(c.features, c.slotId, w, cal)).toBeCloseTo(calibratedLogit(c.features, c.slotId, w, null)));
  });
  it('stored by an older version (one mean light, no range) still judge only that light', () => {
    const cal = applyCorrections(emptyCalibration(), [0, 1, 2, 3, 4, 5].flatMap((f) => make(f, 100)), w);
    const old = { ...cal, fitted: { ...cal.fitted, references: Object.fromEntries(Object.entries(cal.fitted.references).map(([id, r]) => [id, { vector: r.vector, count: r.count, light: 100 }])) } };
    const later = make(6, 104);
    expect(later.map((c) => calibratedLogit(c.features, c.slotId, w, old))).toEqual(later.map((c) => calibratedLogit(c.features, c.slotId, w, cal)));
  });
});

describe('calibrationForSlots', () => {
  it("applies a lot's calibration only to frames of the layout it was learned on", () => {
    const cal = applyCorrection(emptyCalibration(), corr('a', true, 'f1', -4), w);
    expect(calibrationForSlots(cal, ['x', 'a'])).toBe(cal);
    // Another layout (no slot ever corrected): the shipped model judges it.
    expect(calibrationForSlots(cal, ['x', 'y'])).toBeNull();
    expect(calibrationForSlots(emptyCalibration(), ['a'])).toBeNull();
    expect(calibrationForSlots(null, ['a'])).toBeNull();
  });
});
