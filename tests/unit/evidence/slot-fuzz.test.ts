// Fuzz: random quadrilaterals of every awkward kind through the slot patch, the probe tile and the whole
// SlotEvidence.observe. None may throw; every convex one with some area is warped from its own corners; the others
// fall back to their bounding box; every slot gets a finite probability.
import { describe, expect, it } from 'vitest';
import { applyHomography, type Quad } from '../../../src/occupancy/homography.ts';
import { boundingBox, normalisePolygon } from '../../../src/occupancy/geometry.ts';
import type { Detection, Point, Slot } from '../../../src/occupancy/types.ts';
import { SlotEvidence } from '../../../src/evidence/slot-evidence.ts';
import { rectifiedTile } from '../../../src/evidence/tiles.ts';
import { uprightCorners, warpCorners, warpQuad } from '../../../src/evidence/warp.ts';
import { homographyFromPoints } from '../../../src/occupancy/homography.ts';
import { seededRandom } from '../../support/seeded-random.ts';
import { addNoise, paintFrame } from './synthetic.ts';
import { testWeights } from './test-weights.ts';

const W = 1280;
const H = 960;
const COUNT = 10_000;
const PATCH: Quad = [
  [0, 0],
  [32, 0],
  [32, 64],
  [0, 64],
];

type Kind = 'convex' | 'thin' | 'tiny' | 'huge' | 'far' | 'edge' | 'self-intersecting' | 'collinear' | 'duplicate' | 'concave';
const KINDS: Kind[] = ['convex', 'thin', 'tiny', 'huge', 'far', 'edge', 'self-intersecting', 'collinear', 'duplicate', 'concave'];

/** A rotated rectangle-ish convex quad: centre, half sizes, angle, and a little perspective (corners jittered inwards). */
function quadAround(rnd: () => number, cx: number, cy: number, hw: number, hh: number): Point[] {
  const a = rnd() * Math.PI * 2;
  const [c, s] = [Math.cos(a), Math.sin(a)];
  const base: Point[] = [
    [-hw, -hh],
    [hw, -hh],
    [hw, hh],
    [-hw, hh],
  ];
  // Perspective: shrink one end, up to 40%; the quad stays convex.
  const taper = 1 - rnd() * 0.4;
  return base.map(([x, y]) => {
    const xx = y < 0 ? x * taper : x;
    return [cx + xx * c - y * s, cy + xx * s + y * c] as const;
  });
}

function makeQuad(rnd: () => number, kind: Kind): Point[] {
  const x = () => rnd() * W;
  const y = () => rnd() * H;
  switch (kind) {
    case 'convex':
      return quadAround(rnd, x(), y(), 5 + rnd() * 60, 10 + rnd() * 120);
    case 'thin':
      return quadAround(rnd, x(), y(), 0.2 + rnd() * 2, 10 + rnd() * 200);
    case 'tiny':
      return quadAround(rnd, x(), y(), 0.01 + rnd() * 1.5, 0.01 + rnd() * 1.5);
    case 'huge':
      return quadAround(rnd, x(), y(), 500 + rnd() * 3000, 500 + rnd() * 3000);
    case 'far': {
      // Far from the origin, partly or wholly outside the frame: the slot, moved about.
      const q: Point[] = [[1150, 150], [1120, 142], [1126, 135], [1154, 142]];
      const dx = (rnd() - 0.5) * 4000;
      const dy = (rnd() - 0.5) * 4000;
      return q.map(([a, b]) => [a + dx, b + dy] as const);
    }
    case 'edge': {
      // Hugging one of the four edges or corners.
      const cx = [0, W, rnd() * W][Math.floor(rnd() * 3)]!;
      const cy = [0, H, rnd() * H][Math.floor(rnd() * 3)]!;
      return quadAround(rnd, cx + (rnd() - 0.5) * 20, cy + (rnd() - 0.5) * 20, 1 + rnd() * 30, 2 + rnd() * 60);
    }
    case 'self-intersecting': {
      const q = quadAround(rnd, x(), y(), 5 + rnd() * 60, 10 + rnd() * 120);
      return [q[0]!, q[2]!, q[1]!, q[3]!];
    }
    case 'collinear': {
      const [x0, y0, dx, dy] = [x(), y(), rnd() - 0.5, rnd() - 0.5];
      const t = [0, 1, 2, 3].map(() => rnd() * 200);
      return t.map((k) => [x0 + k * dx, y0 + k * dy] as const);
    }
    case 'duplicate': {
      const q = quadAround(rnd, x(), y(), 5 + rnd() * 60, 10 + rnd() * 120);
      const i = Math.floor(rnd() * 4);
      const j = (i + 1 + Math.floor(rnd() * 3)) % 4;
      q[j] = q[i]!;
      if (rnd() < 0.3) q[(j + 1) % 4] = q[i]!;
      return q;
    }
    case 'concave': {
      // An arrowhead: one corner pushed past the diagonal of the other three.
      const q = quadAround(rnd, x(), y(), 5 + rnd() * 60, 10 + rnd() * 120);
      const [a, , c] = [q[0]!, q[1]!, q[2]!];
      const mid: Point = [(a[0] + c[0]) / 2, (a[1] + c[1]) / 2];
      const k = 0.2 + rnd() * 0.6;
      q[1] = [mid[0] + (mid[0] - q[3]![0]) * -k, mid[1] + (mid[1] - q[3]![1]) * -k];
      return q;
    }
  }
}

const cross = (a: Point, b: Point, c: Point) => (b[0] - a[0]) * (c[1] - b[1]) - (b[1] - a[1]) * (c[0] - b[0]);
const isConvex = (q: readonly Point[]) => {
  const s = [0, 1, 2, 3].map((k) => Math.sign(cross(q[k]!, q[(k + 1) % 4]!, q[(k + 2) % 4]!)));
  return s.every((v) => v !== 0 && v === s[0]);
};
const shoelace = (q: readonly Point[]) => Math.abs(q.reduce((sum, p, i) => sum + p[0] * q[(i + 1) % 4]![1] - q[(i + 1) % 4]![0] * p[1], 0)) / 2;

const rnd = seededRandom(12);
const quads = Array.from({ length: COUNT }, (_, i) => ({ kind: KINDS[i % KINDS.length]!, q: makeQuad(rnd, KINDS[i % KINDS.length]!) }));
const frame = addNoise(paintFrame(W, H, [100, 104, 98], [{ x: 300, y: 200, w: 400, h: 300, c: [40, 40, 50] }]), 20);

describe(`${COUNT} random quads`, () => {
  it('covers every kind, and a good share of them are valid slots', () => {
    const valid = quads.filter(({ q }) => isConvex(q) && shoelace(q) >= 4).length;
    expect(valid).toBeGreaterThan(COUNT * 0.4);
    expect(valid).toBeLessThan(COUNT * 0.8);
  });

  it('warp from their own corners when convex with some area, else from their bounding box', () => {
    // Failures are collected, not asserted one by one: 10,000 expect() calls cost more than the geometry.
    const bad: string[] = [];
    const near = (a: number, b: number, tol: number) => Math.abs(a - b) <= tol;
    for (const { kind, q } of quads) {
      const c = warpCorners(q);
      const what = `${kind} ${JSON.stringify(q)} → ${JSON.stringify(c)}`;
      if (c.length !== 4 || !c.flat().every(Number.isFinite)) {
        bad.push(`not 4 finite corners: ${what}`);
        continue;
      }
      if (isConvex(q) && shoelace(q) >= 4) {
        if (JSON.stringify(c) !== JSON.stringify(uprightCorners(q))) bad.push(`valid slot not warped from its corners: ${what}`);
        // The patch's corners land on the slot's corners.
        const h = homographyFromPoints(PATCH, c as unknown as Quad);
        const size = Math.max(boundingBox(q).w, boundingBox(q).h);
        PATCH.forEach((p, i) => {
          const [x, y] = applyHomography(h, p);
          if (!(Math.hypot(x - c[i]![0], y - c[i]![1]) / size < 1e-6)) bad.push(`patch corner ${i} off: ${what}`);
        });
      } else {
        // The fallback is the polygon's bounding box, at least 2 px on each side, about the same centre.
        const b = boundingBox(q);
        const fb = boundingBox(c);
        const tol = 1e-6 * Math.max(1, b.w, b.h);
        if (!(near(fb.w, Math.max(2, b.w), tol) && near(fb.h, Math.max(2, b.h), tol))) bad.push(`fallback is not the bounding box: ${what}`);
        if (!(near(fb.x + fb.w / 2, b.x + b.w / 2, tol) && near(fb.y + fb.h / 2, b.y + b.h / 2, tol))) bad.push(`fallback is off centre: ${what}`);
      }
    }
    expect(bad.slice(0, 5)).toEqual([]);
  });

  it('make probe tiles without throwing', () => {
    const bad: string[] = [];
    for (const { kind, q } of quads) {
      try {
        if (rectifiedTile(frame, normalisePolygon(q, W, H), 75, 75).data.length !== 75 * 75 * 3) bad.push(`wrong size: ${kind} ${JSON.stringify(q)}`);
      } catch (e) {
        bad.push(`${(e as Error).message}: ${kind} ${JSON.stringify(q)}`);
      }
    }
    expect(bad.slice(0, 5)).toEqual([]);
  });

  it('each get a finite probability from the whole SlotEvidence.observe (patch-only), one frame of many slots at a time', async () => {
    const ev = new SlotEvidence(testWeights());
    // Boxes normalised to the frame, as the detector reports them: some over the slots, some huge, some thin.
    const detections: Detection[] = Array.from({ length: 40 }, (_, i) => ({
      label: 'car' as const,
      score: 0.3 + rnd() * 0.7,
      box: { x: rnd() - 0.05, y: rnd() - 0.05, w: i % 10 === 0 ? 1.5 : 0.001 + rnd() * 0.15, h: i % 7 === 0 ? 0.0005 : 0.001 + rnd() * 0.15 },
    }));
    const slots: Slot[] = quads.map(({ q }, i) => ({ id: `q${i}`, name: `Q${i}`, polygon: normalisePolygon(q, W, H) }));
    for (let start = 0; start < slots.length; start += 1000) {
      const batch = slots.slice(start, start + 1000);
      const r = await ev.observe(frame, batch, detections);
      expect(r.observations.map((o) => o.id)).toEqual(batch.map((s) => s.id));
      const bad = r.observations.filter((o) => !(o.probability >= 0 && o.probability <= 1));
      expect(bad.slice(0, 5)).toEqual([]);
    }
  });
});

describe('the slot from the issue', () => {
  it('a thin slot far from the origin warps like the same slot near it', () => {
    const far: Point[] = [[1150, 150], [1120, 142], [1126, 135], [1154, 142]];
    const near = far.map(([x, y]) => [x - 1000, y] as const);
    const c = warpCorners(far);
    expect(c).toEqual(uprightCorners(far));
    expect(warpCorners(near)).toEqual(uprightCorners(near));
    expect(() => warpQuad(frame, c, 32, 64)).not.toThrow();
  });
});
