// The camera-motion estimate on real lot frames moved synthetically (known shifts, turns and zooms recovered), on the
// same lot on other days (cars and light changed, camera still: about no move), and on a different view (no match).
import { describe, expect, it } from 'vitest';
import type { RgbaFrame } from '../../../src/camera/frame.ts';
import { NO_MOVE, type CameraMove } from '../../../src/motion/camera-move.ts';
import { downscaleGrey } from '../../../src/motion/grey.ts';
import { estimateMotion, prepareReference } from '../../../src/motion/registration.ts';
import { layoutKey } from '../../../src/motion/scene.ts';
import { SlotPlacer } from '../../../src/motion/slot-placer.ts';
import type { Slot } from '../../../src/occupancy/types.ts';
import { loadAnalysisFrame } from '../../../scripts/lib/lots.ts';
import { moveFrame } from '../../../scripts/lib/move-frame.ts';
import { fixture, fixturesAvailable } from '../../support/fixtures.ts';
import { seededRandom } from '../../support/seeded-random.ts';

/** Recovered within a tenth of a percent of the width, a tenth of a degree and a fifth of a percent of zoom. */
function expectMove(found: CameraMove | null, want: CameraMove, tol = { shift: 0.0015, angle: 0.1, zoom: 0.002 }): void {
  expect(found, `no move found for ${JSON.stringify(want)}`).not.toBeNull();
  const m = found!;
  expect(Math.hypot(m.dx - want.dx, m.dy - want.dy)).toBeLessThanOrEqual(tol.shift);
  expect(Math.abs(m.angle - want.angle)).toBeLessThanOrEqual(tol.angle);
  expect(Math.abs(m.scale - want.scale)).toBeLessThanOrEqual(tol.zoom);
}

const estimate = (ref: RgbaFrame, cur: RgbaFrame, prior?: CameraMove) => estimateMotion(prepareReference(downscaleGrey(ref)), downscaleGrey(cur), prior);

/** A made-up lot: noisy asphalt, rows of bays with white lines, cars in some of them, a kerb and a few trees. */
function paintedLot(seed: number, rows = [60, 170, 280], spacing = 40): RgbaFrame & { data: Uint8Array } {
  const width = 640;
  const height = 360;
  const rnd = seededRandom(seed);
  const g = new Float32Array(width * height).map(() => 95 + rnd() * 20);
  const fill = (x: number, y: number, w: number, h: number, v: number) => {
    for (let j = Math.max(0, y); j < Math.min(height, y + h); j++) for (let i = Math.max(0, x); i < Math.min(width, x + w); i++) g[j * width + i] = v;
  };
  for (const row of rows) {
    for (let x = 20; x < 620; x += spacing) {
      fill(x, row, 3, 60, 230);
      if (rnd() < 0.6) fill(x + 7, row + 8, spacing - 13, 44, 20 + rnd() * 200);
    }
    fill(0, row + 64, width, 4, 180);
  }
  for (let k = 0; k < 6; k++) fill(Math.floor(rnd() * 600), Math.floor(rnd() * 40), 30, 25, 40 + rnd() * 40);
  const data = new Uint8Array(width * height * 4);
  g.forEach((v, i) => data.set([v, v, v, 255], i * 4));
  return { width, height, data };
}

const MOVES: CameraMove[] = [
  { dx: 0.03, dy: -0.02, angle: 0, scale: 1 },
  { dx: -0.02, dy: 0.01, angle: 2, scale: 1.03 },
  { dx: 0.04, dy: 0.02, angle: -3, scale: 0.96 },
  { dx: -0.035, dy: -0.035, angle: 3, scale: 1.05 },
];

describe('a made-up lot (no fixtures needed)', () => {
  const lot = paintedLot(7);
  it.each(MOVES.map((m) => [JSON.stringify(m), m] as const))('recovers %s', (_n, m) => expectMove(estimate(lot, moveFrame(lot, m)).move, m));
  const still = { shift: 5e-4, angle: 0.02, zoom: 5e-4 };
  it('finds no move in the unmoved picture, and none but the true one from a wrong prior', () => {
    expectMove(estimate(lot, lot).move, NO_MOVE, still);
    expectMove(estimate(lot, lot, { dx: 0.02, dy: 0, angle: 1, scale: 1 }).move, NO_MOVE, still);
  });
  it('finds no move when other cars are parked', () => {
    expectMove(estimate(lot, paintedLot(99)).move, NO_MOVE, { shift: 1e-3, angle: 0.1, zoom: 1e-3 });
  });
  it('finds nothing when the picture is something else (the lens covered by a leaf: blotches)', () => {
    const rnd = seededRandom(3);
    const blotches = paintedLot(5, [], 40);
    for (let k = 0; k < 40; k++) {
      const [x, y, r, v] = [rnd() * 640, rnd() * 360, 10 + rnd() * 40, rnd() * 255];
      for (let j = 0; j < 360; j++) for (let i = 0; i < 640; i++) if ((i - x) ** 2 + (j - y) ** 2 < r * r) blotches.data.set([v, v, v], (j * 640 + i) * 4);
    }
    expect(estimate(lot, blotches).move).toBeNull();
  });
});

describe.skipIf(!fixturesAvailable())('real lot frames', () => {
  const pucpr = (name: string) => loadAnalysisFrame(fixture('lots', 'pucpr', 'images', `${name}.jpg`));
  // Decoded when a test first asks (never while collecting, so a run without fixtures skips cleanly).
  const paths = {
    pucpr: ['pucpr', 'images', '2012-09-13_17_00_33.jpg'],
    acpds: ['acpds', 'images', 'GOPR0024.jpg'],
    carpark: ['carpark', 'images', 'carParkImg.png'],
  } as const;
  const decoded = new Map<string, RgbaFrame>();
  const frame = (lot: keyof typeof paths): RgbaFrame => {
    if (!decoded.has(lot)) decoded.set(lot, loadAnalysisFrame(fixture('lots', ...paths[lot])));
    return decoded.get(lot)!;
  };

  describe.each(Object.keys(paths) as (keyof typeof paths)[])('%s moved synthetically', (lot) => {
    it.each(MOVES.map((m) => [JSON.stringify(m), m] as const))('recovers %s', (_n, m) => expectMove(estimate(frame(lot), moveFrame(frame(lot), m)).move, m));
  });

  it('a move past the limits (10 % and 1°) is still measured, for the user to move the slots with it', () => {
    const m = { dx: 0.1, dy: 0.05, angle: 1, scale: 1 };
    expectMove(estimate(frame('pucpr'), moveFrame(frame('pucpr'), m)).move, m);
  });

  it.each(['2012-09-16_09_18_02', '2012-09-20_06_04_13', '2012-11-06_18_58_47'])(
    'pucpr on another day (%s: other cars, other light), camera still: about no move',
    (day) => expectMove(estimate(frame('pucpr'), pucpr(day)).move, NO_MOVE, { shift: 0.0025, angle: 0.3, zoom: 0.003 }),
  );

  it.each([
    ['half as bright, lifted', 0.5, 30, 1],
    ['brighter, contrast up', 1.3, -40, 1],
    ['dusk (gamma 2.2)', 1, 0, 2.2],
  ])('a change of light (%s) is not a move', (_n, gain, offset, gamma) => {
    const f = frame('pucpr');
    const data = new Uint8Array(f.data.length);
    for (let i = 0; i < data.length; i++) data[i] = (i & 3) === 3 ? 255 : 255 * (f.data[i]! / 255) ** gamma * gain + offset;
    expectMove(estimate(f, { ...f, data }).move, NO_MOVE, { shift: 5e-4, angle: 0.05, zoom: 5e-4 });
  });

  it('two different views of one lot (acpds-train 6570, 6571) do not match', () => {
    const a = loadAnalysisFrame(fixture('lots', 'acpds-train', 'images', 'GOPR6570.jpg'));
    const b = loadAnalysisFrame(fixture('lots', 'acpds-train', 'images', 'GOPR6571.jpg'));
    expect(estimate(a, b).move).toBeNull();
  });
});

describe('SlotPlacer: the worker’s steps, frame by frame', () => {
  const lot = paintedLot(7);
  const slots: Slot[] = [
    { id: '1', name: 'A', polygon: [[0.2, 0.2], [0.25, 0.2], [0.25, 0.35], [0.2, 0.35]] },
    { id: '2', name: 'B', polygon: [[0.5, 0.5], [0.55, 0.5], [0.55, 0.65], [0.5, 0.65]] },
  ];

  it('takes the reference from the first frame with slots, and again when the slots change', () => {
    const placer = new SlotPlacer();
    expect(placer.place(lot, [], 0)).toEqual({ slots: [], camera: null });
    const first = placer.place(lot, slots, 1000);
    expect(first.scene).toMatchObject({ width: 240, height: 135, takenAt: 1000, layout: layoutKey(slots) });
    const again = placer.place(lot, slots, 2000);
    expect(again.scene).toBeUndefined();
    expect(again.slots).toBe(slots);
    expect(again.camera).toMatchObject({ state: 'steady', placed: true });
    expect(placer.place(lot, slots.slice(1), 3000).scene?.layout).toBe(layoutKey(slots.slice(1)));
  });

  it('slots follow a small move', () => {
    const placer = new SlotPlacer();
    placer.place(lot, slots, 0);
    const p = placer.place(moveFrame(lot, { dx: 0.03, dy: 0, angle: 0, scale: 1 }), slots, 0);
    expect(p.camera?.state).toBe('following');
    expect(p.slots[0]!.polygon[0]![0]).toBeCloseTo(0.23, 2);
  });

  it('an unchanged picture reuses the last estimate, and a shift of half a percent right after is still seen', () => {
    const placer = new SlotPlacer();
    placer.place(lot, slots, 0);
    const noisy = paintedLot(7);
    noisy.data.forEach((v, i) => (noisy.data[i] = i % 4 === 3 ? 255 : Math.min(255, v + (i % 3))));
    expect(placer.place(noisy, slots, 0).camera).toMatchObject({ state: 'steady', placed: true });
    const nudged = placer.place(moveFrame(lot, { dx: 0.005, dy: 0, angle: 0, scale: 1 }), slots, 0);
    expect(nudged.camera?.state).toBe('following');
    expect(nudged.camera?.move.dx).toBeCloseTo(0.005, 3);
  });

  it('a large move raises the warning: counts held from the first frame, "moved" from the third', () => {
    const placer = new SlotPlacer();
    placer.place(lot, slots, 0);
    const far = moveFrame(lot, { dx: 0.12, dy: 0.02, angle: 0, scale: 1 });
    const states = [1, 2, 3].map(() => placer.place(far, slots, 0));
    expect(states.map((p) => [p.camera?.state, p.camera?.placed, p.slots.length])).toEqual([
      ['steady', false, 0],
      ['steady', false, 0],
      ['moved', false, 0],
    ]);
    expectMove(states[2]!.camera!.seen, { dx: 0.12, dy: 0.02, angle: 0, scale: 1 });
    // Put back where it was: counting resumes by itself.
    expect(placer.place(lot, slots, 0).camera).toMatchObject({ state: 'steady', placed: true });
  });
});
