// The change gate's decisions, without a model: which slots of a frame keep their evidence and which are recomputed.
import { describe, expect, it } from 'vitest';
import {
  changeScores,
  DEFAULT_GATE,
  frameLight,
  INITIAL_GATE_STATE,
  detectionCeiling,
  detectionDue,
  detectionMatters,
  planFrame,
  samePlace,
  lightShift,
  lightShifts,
  signatureOf,
  SIGNATURE_LENGTH,
  type Anchor,
  type GateConfig,
  type GateReason,
  type GateUnit,
  type Signature,
} from '../../../src/evidence/change-gate.ts';
import { lightStats, type LightStats } from '../../../src/evidence/slot-cnn.ts';
import type { RgbPatch } from '../../../src/evidence/warp.ts';
import type { Point } from '../../../src/occupancy/types.ts';
import { seededRandom } from '../../support/seeded-random.ts';

/** A 32x64 asphalt patch with its painted side lines and sensor-like noise; `car` paints a car body in the middle. */
function patch(random: () => number, opts: { gain?: number; car?: readonly [number, number, number]; noise?: number } = {}): RgbPatch {
  const { gain = 1, car, noise = 2 } = opts;
  const data = new Uint8Array(32 * 64 * 3);
  for (let y = 0; y < 64; y++)
    for (let x = 0; x < 32; x++) {
      let rgb: readonly number[] = x < 2 || x > 29 ? [225, 225, 215] : [95, 97, 100];
      if (car && x >= 5 && x < 27 && y >= 6 && y < 58) rgb = y > 20 && y < 40 ? car.map((c) => c * 0.6) : car;
      for (let c = 0; c < 3; c++) {
        const n = noise * Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
        data[(y * 32 + x) * 3 + c] = Math.max(0, Math.min(255, Math.round(rgb[c]! * gain + n)));
      }
    }
  return { width: 32, height: 64, data };
}

/** A row of 12 slots, left to right. */
const centres: Point[] = Array.from({ length: 12 }, (_, i) => [0.04 + i * 0.08, 0.5] as const);
const CARS: (readonly [number, number, number] | undefined)[] = [[30, 30, 40], undefined, [200, 40, 40], undefined, undefined, [230, 230, 235], undefined, [60, 70, 160], undefined, undefined, [40, 40, 40], undefined];

function lotPatches(seed: number, opts: { gain?: number; cars?: typeof CARS; noise?: number } = {}): RgbPatch[] {
  const random = seededRandom(seed);
  return (opts.cars ?? CARS).map((car) => patch(random, { ...(opts.gain === undefined ? {} : { gain: opts.gain }), ...(car ? { car } : {}), ...(opts.noise === undefined ? {} : { noise: opts.noise }) }));
}
const lot = (seed: number, opts: Parameters<typeof lotPatches>[1] = {}): Signature[] => lotPatches(seed, opts).map(signatureOf);
const anchorsOf = (sigs: Signature[], stats: LightStats = { mean: [128, 128, 128], spread: 64 }): Anchor[] => {
  const light = frameLight(sigs);
  return sigs.map((signature) => ({ signature, light, stats }));
};
const flagged = (scores: (number | null)[], cfg: GateConfig = DEFAULT_GATE) => scores.flatMap((s, i) => (s !== null && s > cfg.threshold ? [i] : []));

describe('signatureOf', () => {
  it('averages the 32x64 patch over 8x16 cells of 4x4 pixels, RGB', () => {
    const data = new Uint8Array(32 * 64 * 3);
    for (let y = 0; y < 64; y++) for (let x = 0; x < 32; x++) data.set(x < 4 && y < 4 ? [40, 80, 120] : [x % 2 ? 10 : 30, 0, 255], (y * 32 + x) * 3);
    const s = signatureOf({ width: 32, height: 64, data });
    expect(s).toHaveLength(SIGNATURE_LENGTH);
    expect([...s.slice(0, 3)]).toEqual([40, 80, 120]);
    expect([...s.slice(3, 6)]).toEqual([20, 0, 255]);
    expect(() => signatureOf({ width: 30, height: 64, data: new Uint8Array(30 * 64 * 3) })).toThrow(/cells/);
  });
});

describe('changeScores: the same lot in another frame', () => {
  const anchors = anchorsOf(lot(1));
  const cases: { name: string; now: Signature[]; changed: number[] }[] = [
    { name: 'nothing moved (new sensor noise)', now: lot(2), changed: [] },
    { name: 'a cloud: the whole lot at 0.7x', now: lot(3, { gain: 0.7 }), changed: [] },
    { name: 'the sun: the whole lot at 1.3x, bright cells clip at white', now: lot(4, { gain: 1.3 }), changed: [] },
    { name: 'dusk: 0.4x with more noise', now: lot(5, { gain: 0.4, noise: 4 }), changed: [] },
    { name: 'a car arrives in slot 3', now: lot(6, { cars: CARS.map((c, i) => (i === 3 ? [20, 20, 25] : c)) }), changed: [3] },
    { name: 'the white car leaves slot 5', now: lot(7, { cars: CARS.map((c, i) => (i === 5 ? undefined : c)) }), changed: [5] },
    { name: 'a cloud while a red car arrives in slot 8', now: lot(8, { gain: 0.7, cars: CARS.map((c, i) => (i === 8 ? [190, 30, 30] : c)) }), changed: [8] },
    { name: 'a grey car close to the asphalt arrives in slot 1', now: lot(9, { cars: CARS.map((c, i) => (i === 1 ? [120, 122, 125] : c)) }), changed: [1] },
  ];
  for (const c of cases)
    it(c.name, () => {
      const scores = changeScores(c.now, anchors, frameLight(c.now), centres, DEFAULT_GATE.neighbours);
      expect(flagged(scores)).toEqual(c.changed);
    });

  it('a slot anchored under a cloud is not changed when the sun comes back', () => {
    const cloudy = lot(10, { gain: 0.7 });
    const mixed = anchors.map((a, i) => (i % 3 === 0 ? { signature: cloudy[i]!, light: frameLight(cloudy) } : a));
    const now = lot(11);
    expect(flagged(changeScores(now, mixed, frameLight(now), centres, DEFAULT_GATE.neighbours))).toEqual([]);
  });

  it('a slot with nothing cached scores null; a slot without neighbours counts any change, light included', () => {
    const now = lot(12, { gain: 0.7 });
    const scores = changeScores(now, anchors.map((a, i) => (i === 4 ? null : a)), frameLight(now), centres, DEFAULT_GATE.neighbours);
    expect(scores[4]).toBeNull();
    const alone = changeScores([now[0]!], [anchors[0]!], frameLight([now[0]!]), [centres[0]!], DEFAULT_GATE.neighbours);
    expect(alone[0]!).toBeGreaterThan(DEFAULT_GATE.threshold);
  });
});

describe('lightShift: would this frame\'s light statistics scale a kept slot\'s picture otherwise?', () => {
  // The anchor frame: the lot of CARS. Slot 1 (free) is the slot watched; its picture never changes below.
  const before = lotPatches(20);
  const anchors = anchorsOf(before.map(signatureOf), lightStats(before));
  /** Slot 1's shift in a frame whose patches are `now`. */
  const shiftOf = (now: RgbPatch[]) => lightShifts(anchors, lightStats(now), frameLight(now.map(signatureOf)))[1]!;
  const white = [235, 235, 240] as const;
  const shaded = (seed: number) => lotPatches(seed).map((p, i) => (i >= 8 ? lotPatches(seed + 100, { gain: 0.5 })[i]! : p));
  const table: { name: string; now: RgbPatch[]; relit: boolean }[] = [
    { name: 'new sensor noise', now: lotPatches(21), relit: false },
    { name: 'more sensor noise (σ 3)', now: lotPatches(22, { noise: 3 }), relit: false },
    { name: 'a cloud: the whole lot at 0.85x', now: lotPatches(23, { gain: 0.85 }), relit: false },
    { name: 'dimmer: the whole lot at 0.6x', now: lotPatches(24, { gain: 0.6 }), relit: false },
    { name: 'white cars in the far slots 9 to 11 (the frame brighter and more contrasted)', now: lotPatches(26, { cars: CARS.map((c, i) => (i >= 9 ? white : c)) }), relit: true },
    { name: 'shade over the far slots 8 to 11 (0.5x)', now: shaded(27), relit: true },
  ];
  for (const t of table)
    it(`${t.name}: ${t.relit ? 'recomputed' : 'kept'}`, () => {
      const shift = shiftOf(t.now);
      expect(shift > DEFAULT_GATE.lightThreshold).toBe(t.relit);
      // Slot 1's own picture did not change: the change score keeps it whatever the light statistics do.
      const now = t.now.map(signatureOf);
      expect(changeScores(now, anchors, frameLight(now), centres, DEFAULT_GATE.neighbours)[1]!).toBeLessThan(DEFAULT_GATE.threshold);
    });

  it('is 0 under the same statistics, and for a gain that scales the light, the mean and the spread alike', () => {
    const [a] = anchors;
    const { stats, light } = a!;
    expect(lightShift(a!, stats, light)).toBe(0);
    const g = 0.7;
    const dim = { mean: [stats.mean[0] * g, stats.mean[1] * g, stats.mean[2] * g] as const, spread: stats.spread * g };
    expect(lightShift(a!, dim, [light[0] * g, light[1] * g, light[2] * g])).toBeCloseTo(0, 5);
    // The mean moving by a tenth of the spread (the rest of the lot brighter, this slot not) moves every cell by 0.1.
    const up = stats.spread / 10;
    expect(lightShift(a!, { ...stats, mean: [stats.mean[0] + up, stats.mean[1] + up, stats.mean[2] + up] }, light)).toBeCloseTo(0.1, 5);
    expect(lightShifts([null], stats, light)).toEqual([null]);
  });
});

describe('planFrame', () => {
  const cfg: GateConfig = { ...DEFAULT_GATE, threshold: 0.08, refreshFrames: 40, detectionFrames: 40 };
  const S = 0.01; // a still slot's score
  const code = { new: 'n', changed: 'c', light: 'l', group: 'g', refresh: 'r', kept: 'k' } as const;
  const table: { name: string; units: GateUnit[]; credit: number; reasons: string; credit2: number }[] = [
    { name: 'a slot never seen is new; its group is computed with it; still groups are kept', units: [{ scores: [null, S], age: 0 }, { scores: [S, S], age: 5 }], credit: 0, reasons: 'ng kk', credit2: 0.05 },
    { name: 'still groups are reused while the refresh credit builds up', units: [{ scores: [S, S], age: 5 }, { scores: [S], age: 9 }], credit: 0.5, reasons: 'kk k', credit2: 0.55 },
    { name: 'a changed slot recomputes its whole group, and only that', units: [{ scores: [S, 0.3, S], age: 2 }, { scores: [S, S, S], age: 30 }], credit: 0, reasons: 'gcg kkk', credit2: 0.05 },
    { name: 'a change just above the threshold counts', units: [{ scores: [0.081], age: 1 }, { scores: [0.079], age: 1 }], credit: 0, reasons: 'c k', credit2: 0.05 },
    {
      name: "a still slot that this frame's light would scale otherwise is recomputed; below the light threshold, or unmeasured, kept",
      units: [{ scores: [S, S], shifts: [0.2, 0.001], age: 3 }, { scores: [S], shifts: [0.019], age: 3 }, { scores: [S], age: 3 }],
      credit: 0,
      reasons: 'lg k k',
      credit2: 0.075,
    },
    { name: 'a changed slot is changed, whatever its shift', units: [{ scores: [0.3], shifts: [0.5], age: 3 }], credit: 0, reasons: 'c', credit2: 0.025 },
    {
      name: 'once a whole group of credit is there, the group evaluated longest ago is refreshed',
      units: [{ scores: [S, S], age: 20 }, { scores: [S], age: 39 }, { scores: [S, S], age: 25 }],
      credit: 0.95,
      reasons: 'kk r kk',
      credit2: 0.025,
    },
    { name: 'a group not evaluated for twice the refresh period is refreshed whatever the credit', units: [{ scores: [S], age: 80 }, { scores: [S], age: 3 }], credit: 0, reasons: 'r k', credit2: 0 },
    {
      name: 'a changed slot is recomputed whatever the refresh is doing, and the refresh goes on',
      units: [{ scores: [S, 0.09], age: 1 }, { scores: [S], age: 39 }, { scores: [S], age: 12 }],
      credit: 1.2,
      reasons: 'gc r k',
      credit2: 0.275,
    },
  ];
  for (const t of table)
    it(t.name, () => {
      const { state, reasons, recompute } = planFrame({ credit: t.credit }, t.units, cfg);
      expect(reasons.map((r) => r.map((x) => code[x]).join('')).join(' ')).toBe(t.reasons);
      expect(recompute).toEqual(reasons.map((r) => r[0] !== 'kept'));
      expect(state.credit).toBeCloseTo(t.credit2, 6);
    });

  it('over many still frames every group is refreshed about once per refresh period, one at a time', () => {
    let state = INITIAL_GATE_STATE;
    const ages = Array.from({ length: 8 }, (_, i) => i);
    let refreshes = 0;
    for (let f = 0; f < 400; f++) {
      const plan = planFrame(state, ages.map((age) => ({ scores: [S, S, S], age })), cfg);
      state = plan.state;
      expect(plan.recompute.filter(Boolean).length).toBeLessThanOrEqual(1);
      refreshes += plan.recompute.filter(Boolean).length;
      ages.forEach((a, i) => (ages[i] = plan.recompute[i] ? 1 : a + 1));
    }
    // 8 groups every 40 frames: 400 frames refresh 80 groups, each about every 40 frames.
    expect(refreshes).toBeGreaterThanOrEqual(79);
    expect(refreshes).toBeLessThanOrEqual(80);
    expect(Math.max(...ages)).toBeLessThanOrEqual(cfg.refreshFrames + 1);
  });
});

describe('detectionDue', () => {
  const cfg: GateConfig = { ...DEFAULT_GATE, detectionFrames: 30 };
  const table: { name: string; reasons: GateReason[]; since: number | null; due: boolean }[] = [
    { name: 'nothing recomputed: never', reasons: ['kept', 'kept'], since: 500, due: false },
    { name: 'a refresh with recent detections reuses them', reasons: ['refresh', 'refresh', 'kept'], since: 29, due: false },
    { name: 'a refresh with old detections detects again', reasons: ['refresh', 'kept'], since: 30, due: true },
    { name: 'anything recomputed before the first detect()', reasons: ['new'], since: null, due: true },
  ];
  for (const t of table) it(t.name, () => expect(detectionDue(t.reasons, t.since, cfg)).toBe(t.due));
});

describe('detectionCeiling', () => {
  const cfg = { detectionMemory: 3 };
  const table: { name: string; recent: number[]; ceiling: number }[] = [
    { name: 'no detect() yet: anything may be found', recent: [], ceiling: 1 },
    { name: 'fewer calls than it remembers: anything may be found', recent: [0, 0], ceiling: 1 },
    { name: 'detections that never landed on a slot', recent: [0, 0, 0], ceiling: 0 },
    { name: 'the most the latest calls gave', recent: [0.1, 0.6, 0.2], ceiling: 0.6 },
    { name: 'older calls are forgotten', recent: [0.9, 0, 0.05, 0], ceiling: 0.05 },
  ];
  for (const t of table) it(t.name, () => expect(detectionCeiling(t.recent, cfg)).toBe(t.ceiling));
  it('remembering nothing keeps the old bound', () => expect(detectionCeiling([0, 0], { detectionMemory: 0 })).toBe(1));
});

describe('detectionMatters', () => {
  // Probabilities of the recomputed slots with their detection support at 0 and at 1.
  const table: { name: string; lo: number[]; hi: number[]; matters: boolean }[] = [
    { name: 'clearly free either way', lo: [0.01, 0.1], hi: [0.05, 0.3], matters: false },
    { name: 'clearly occupied either way', lo: [0.6, 0.99], hi: [0.9, 1], matters: false },
    { name: 'detections would make a free slot occupied', lo: [0.01, 0.3], hi: [0.05, 0.7], matters: true },
    { name: 'detections would move a slot into the dead band', lo: [0.4], hi: [0.46], matters: true },
    { name: 'across the threshold inside the dead band (a first frame decides by it)', lo: [0.48], hi: [0.52], matters: true },
    { name: 'within one half of the dead band', lo: [0.51], hi: [0.54], matters: false },
    { name: 'no slot recomputed', lo: [], hi: [], matters: false },
  ];
  for (const t of table) it(t.name, () => expect(detectionMatters(t.lo, t.hi)).toBe(t.matters));
});

describe('samePlace', () => {
  const slot: Point[] = [
    [0.1, 0.2],
    [0.2, 0.2],
    [0.2, 0.4],
    [0.1, 0.4],
  ];
  const moved = (dx: number, dy: number) => slot.map(([x, y]) => [x + dx, y + dy] as const);
  it.each([
    ['the same polygon', slot, true],
    ['followed a camera that swayed a pixel', moved(0.0008, -0.001), true],
    ['just inside the tolerance', moved(0.0049, 0.0049), true],
    ['redrawn a little further', moved(0.006, 0), false],
    ['one corner dragged', slot.map((p, i) => (i === 2 ? ([0.25, 0.4] as const) : p)), false],
    ['another number of corners', slot.slice(0, 3), false],
  ] as const)('%s', (_, now, same) => expect(samePlace(slot, now, DEFAULT_GATE.polygonTolerance)).toBe(same));
});
