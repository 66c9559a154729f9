// The pure parts of "the camera moved": the move's maths on normalised slots, the watch's decisions frame by frame,
// which slots get evidence, and the scene reference as a layout file carries it.
import { describe, expect, it } from 'vitest';
import { FOLLOW_LIMITS, followMove, inverseMove, moveHomography, moveSize, NO_MOVE, withinLimits, type CameraMove } from '../../../src/motion/camera-move.ts';
import { placeSlots, STEADY, watchCamera, type CameraWatch } from '../../../src/motion/camera-watch.ts';
import { layoutKey, parseSceneFile, sceneFits, toSceneFile, type SceneReference } from '../../../src/motion/scene.ts';
import { applyHomography } from '../../../src/occupancy/homography.ts';
import type { Point, Slot } from '../../../src/occupancy/types.ts';
import { seededRandom } from '../../support/seeded-random.ts';

const rnd = seededRandom(12);
const randomMove = (): CameraMove => ({ dx: (rnd() - 0.5) * 0.2, dy: (rnd() - 0.5) * 0.2, angle: (rnd() - 0.5) * 20, scale: 0.8 + rnd() * 0.4 });

describe('a camera move on normalised coordinates', () => {
  it('undoes itself: inverseMove after the move puts 1,000 random points back (any aspect)', () => {
    for (let k = 0; k < 1000; k++) {
      const m = randomMove();
      const aspect = 0.4 + rnd();
      const p: Point = [rnd(), rnd()];
      const q = applyHomography(moveHomography(inverseMove(m), aspect), applyHomography(moveHomography(m, aspect), p));
      expect(q[0]).toBeCloseTo(p[0], 9);
      expect(q[1]).toBeCloseTo(p[1], 9);
    }
  });

  it('is a true turn and zoom in pixels of a 16:9 frame: distances scale by the zoom, the centre moves by the shift', () => {
    const m: CameraMove = { dx: 0.02, dy: -0.01, angle: 3, scale: 1.04 };
    const aspect = 9 / 16;
    const h = moveHomography(m, aspect);
    const px = ([x, y]: Point): Point => [x * 1280, y * 720];
    const [a, b] = [applyHomography(h, [0.1, 0.2]), applyHomography(h, [0.8, 0.9])].map(px);
    expect(Math.hypot(a![0] - b![0], a![1] - b![1])).toBeCloseTo(1.04 * Math.hypot(0.7 * 1280, 0.7 * 720), 6);
    const c = px(applyHomography(h, [0.5, 0.5]));
    expect(c[0]).toBeCloseTo(640 + 0.02 * 1280, 6);
    expect(c[1]).toBeCloseTo(360 - 0.01 * 1280, 6);
  });

  it('leaves slots exactly where they are when there is no move, and keeps ids and names', () => {
    const slots: Slot[] = [{ id: 'a', name: 'A-1', polygon: [[0.1, 0.2], [0.3, 0.2], [0.3, 0.4], [0.1, 0.4]] }];
    expect(followMove(slots, NO_MOVE, 0.75)).toEqual(slots);
    const moved = followMove(slots, { dx: 0.05, dy: 0, angle: 0, scale: 1 }, 0.75);
    expect(moved[0]!.polygon[0]![0]).toBeCloseTo(0.15, 12);
    expect(moved[0]!.id).toBe('a');
  });

  it('says how big a move looks: the corners travel by the shift plus the turn and zoom', () => {
    expect(moveSize({ dx: 0.03, dy: 0.04, angle: 0, scale: 1 }, 0.75)).toBeCloseTo(0.05, 9);
    expect(moveSize(NO_MOVE, 0.75)).toBe(0);
    expect(withinLimits({ dx: 0.05, dy: 0, angle: 3, scale: 1.05 }, FOLLOW_LIMITS)).toBe(true);
    expect(withinLimits({ dx: 0.04, dy: 0.04, angle: 0, scale: 1 }, FOLLOW_LIMITS)).toBe(false);
  });
});

describe('watchCamera: what each frame makes of the estimate', () => {
  const small: CameraMove = { dx: 0.02, dy: 0.01, angle: 1, scale: 1.01 };
  const big: CameraMove = { dx: 0.12, dy: 0, angle: 0, scale: 1 };
  const run = (estimates: (CameraMove | null)[], from: CameraWatch = STEADY) => estimates.reduce((w, e) => watchCamera(w, e), from);

  it.each([
    ['no move', [NO_MOVE], 'steady', true, NO_MOVE],
    ['a move of a few tenths of a pixel', [{ dx: 0.001, dy: 0, angle: 0.05, scale: 1.001 }], 'steady', true, NO_MOVE],
    ['a small move: the slots follow it', [small], 'following', true, small],
    ['one frame that does not match (a truck in front): held, not yet moved', [small, null], 'following', false, small],
    ['two frames past the limits: held', [big, big], 'steady', false, NO_MOVE],
    ['three frames past the limits: moved', [big, big, big], 'moved', false, NO_MOVE],
    ['three frames that do not match: moved', [null, null, null], 'moved', false, NO_MOVE],
    ['moved, then back where it was: steady again', [big, big, big, NO_MOVE], 'steady', true, NO_MOVE],
  ] as const)('%s', (_n, estimates, state, placed, move) => {
    const w = run([...estimates]);
    expect(w.state).toBe(state);
    expect(w.placed).toBe(placed);
    expect(w.move).toEqual(move);
  });

  it('remembers the last move it saw, even past the limits (to move the slots with it)', () => {
    expect(run([big, big, big]).seen).toEqual(big);
    expect(run([big, null]).seen).toBeNull();
  });

  it('keeps the move it follows while new estimates jitter around it (the same slots frame to frame)', () => {
    const w = run([small, { ...small, dx: small.dx + 0.0004, angle: small.angle - 0.02 }]);
    expect(w.move).toBe(small);
    expect(run([small, { ...small, dx: small.dx + 0.004 }]).move.dx).toBeCloseTo(0.024, 9);
  });
});

describe('placeSlots: which slots get evidence on this frame', () => {
  const slots: Slot[] = [
    { id: 'middle', name: 'M', polygon: [[0.4, 0.4], [0.5, 0.4], [0.5, 0.5], [0.4, 0.5]] },
    { id: 'edge', name: 'E', polygon: [[0.96, 0.4], [0.99, 0.4], [0.99, 0.5], [0.96, 0.5]] },
  ];
  it('none when the frame could not be placed, all as marked when steady', () => {
    expect(placeSlots(slots, { ...STEADY, placed: false, misses: 1 }, 0.75)).toEqual([]);
    expect(placeSlots(slots, STEADY, 0.75)).toBe(slots);
  });
  it('moved with the camera, less a slot the move pushed out of the picture', () => {
    const w = watchCamera(STEADY, { dx: 0.04, dy: 0, angle: 0, scale: 1 });
    const placed = placeSlots(slots, w, 0.75);
    expect(placed.map((s) => s.id)).toEqual(['middle']);
    expect(placed[0]!.polygon[0]![0]).toBeCloseTo(0.44, 12);
  });
});

describe('layoutKey: which layout a scene reference belongs to', () => {
  const a: Slot = { id: '1', name: 'A', polygon: [[0.1, 0.1], [0.2, 0.1], [0.2, 0.2], [0.1, 0.2]] };
  const b: Slot = { id: '2', name: 'B', polygon: [[0.3, 0.1], [0.4, 0.1], [0.4, 0.2], [0.3, 0.2]] };
  it('is the same for the same shapes, whatever the names; differs when a slot is added, removed or nudged', () => {
    expect(layoutKey([a, b])).toBe(layoutKey([{ ...a, name: 'renamed' }, b]));
    expect(layoutKey([a, b])).not.toBe(layoutKey([a]));
    expect(layoutKey([a, b])).not.toBe(layoutKey([a, { ...b, polygon: b.polygon.map(([x, y]) => [x + 0.001, y] as const) }]));
  });
});

describe('the scene reference in a layout file', () => {
  const scene: SceneReference = { width: 240, height: 135, data: Uint8Array.from({ length: 240 * 135 }, (_, i) => (i * 7) % 256), takenAt: Date.UTC(2026, 0, 2, 3), layout: '' };
  it('round-trips through JSON', () => {
    const back = parseSceneFile(JSON.parse(JSON.stringify(toSceneFile(scene))));
    expect(back).toEqual(scene);
  });
  it.each([
    ['not an object', 'x', /not an object/],
    ['no size', { grey: '' }, /width and height/],
    ['not base64', { width: 240, height: 135, grey: '***' }, /not base64/],
    ['too few pixels', { width: 240, height: 135, grey: btoa('abc') }, /holds 3 pixels/],
  ])('refuses %s, saying why', (_n, v, message) => expect(() => parseSceneFile(v)).toThrow(message));
  it('reads a well-formed scene of another size (another version) as none: it is taken again', () => {
    expect(parseSceneFile({ width: 160, height: 90, grey: btoa('x'.repeat(160 * 90)) })).toBeNull();
  });
  it('fits frames of the same shape at any resolution, not of another shape', () => {
    expect(sceneFits(scene, 1280, 720)).toBe(true);
    expect(sceneFits(scene, 640, 360)).toBe(true);
    expect(sceneFits(scene, 1280, 960)).toBe(false);
  });
});
