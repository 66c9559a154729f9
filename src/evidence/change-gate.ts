// Change gating: which slots' expensive evidence must be recomputed on this frame, and which can keep what was
// computed when they last looked the same. A slot's cheap signature (its upright patch averaged to 8x16 cells of RGB)
// is compared with the signature it had when its evidence was last computed (its anchor), after factoring out the
// light change its neighbours saw: a cloud or a slow drift of the light changes every slot alike, a car changes one.
// The expensive evidence also sees each slot relative to the whole frame's light (the tile CNN scales its pixels by the
// mean and spread of every slot's patch), which moves when other slots change: a slot is also recomputed when this
// frame's light statistics would scale its picture otherwise than its anchor frame's did (lightShift).
// Pure: the orchestration (incremental-evidence.ts) keeps the state and does the work.
import { DEFAULT_HYSTERESIS, type HysteresisSettings } from '../occupancy/hysteresis.ts';
import type { Point } from '../occupancy/types.ts';
import type { LightStats } from './slot-cnn.ts';
import type { RgbPatch } from './warp.ts';

export const SIGNATURE_COLS = 8;
export const SIGNATURE_ROWS = 16;
/** Cells x RGB. */
export const SIGNATURE_LENGTH = SIGNATURE_COLS * SIGNATURE_ROWS * 3;

/** A slot's cheap picture: its upright patch averaged over 8x16 cells, RGB interleaved. */
export type Signature = Float32Array;
/** Light ratio, now over anchor, per channel (R, G, B). */
export type Gain = readonly [number, number, number];

export interface GateConfig {
  /**
   * A slot whose signature moved further than this from its anchor (mean absolute difference after the light change,
   * relative to its brightness) is re-evaluated. Measured on still slots (docs/accuracy.md, Speed): sensor noise,
   * compression and light drift stay well below it, a car arriving or leaving lands far above it.
   */
  readonly threshold: number;
  /**
   * A slot whose picture this frame's light statistics scale further than this from how its anchor frame's scaled it
   * (lightShift) is re-evaluated: another day's frame, cars elsewhere, shade over part of the lot. Measured
   * (docs/accuracy.md, Change gating): sensor noise and a uniform gain stay far below it, the kept slots that flipped
   * against the full path lie above it.
   */
  readonly lightThreshold: number;
  /** Every slot is re-evaluated at least about once in this many frames, whatever its signature does. */
  readonly refreshFrames: number;
  /** How many nearest slots the light change of a slot's region is estimated from. */
  readonly neighbours: number;
  /**
   * detect() runs on every frame where a slot is new or changed; a frame that only refreshes reuses the last
   * detections (nothing moved, so they still hold) unless they are older than this many frames.
   */
  readonly detectionFrames: number;
  /**
   * How many of the latest detect() calls say whether detections pay on this lot (detectionCeiling): on a far view
   * COCO-SSD finds few cars, and what it finds rarely lands on a slot, so detect() need not run for decisions its
   * footprints have not been moving.
   */
  readonly detectionMemory: number;
  /**
   * A slot whose corners moved no further than this (normalised frame units) from where its evidence was computed is
   * the same slot, and its signature decides: slots that follow a camera swaying by a pixel or two (src/motion/) keep
   * their evidence while their picture stays the same. A slot redrawn further is new.
   */
  readonly polygonTolerance: number;
}

export const DEFAULT_GATE: GateConfig = { threshold: 0.08, lightThreshold: 0.02, refreshFrames: 120, neighbours: 8, detectionFrames: 120, detectionMemory: 10, polygonTolerance: 0.005 };

/** Whether `now` is the polygon `before` within `tolerance` (same number of corners, each moved no further). */
export function samePlace(before: readonly Point[], now: readonly Point[], tolerance: number): boolean {
  return before.length === now.length && before.every((p, i) => Math.abs(p[0] - now[i]![0]) <= tolerance && Math.abs(p[1] - now[i]![1]) <= tolerance);
}

/** Brightness below which a slot's relative change is measured against this floor instead (night: noise, not light). */
const LEVEL_FLOOR = 16;

/** The signature of a patch whose width and height are multiples of 8 and 16 (the 32x64 hand-feature patch). */
export function signatureOf(patch: RgbPatch): Signature {
  const { width, height, data } = patch;
  const cw = width / SIGNATURE_COLS;
  const ch = height / SIGNATURE_ROWS;
  if (!Number.isInteger(cw) || !Number.isInteger(ch)) throw new Error(`a ${width}x${height} patch does not split into ${SIGNATURE_COLS}x${SIGNATURE_ROWS} cells`);
  const out = new Float32Array(SIGNATURE_LENGTH);
  for (let y = 0; y < height; y++) {
    const row = Math.floor(y / ch) * SIGNATURE_COLS;
    for (let x = 0; x < width; x++) {
      const o = (row + Math.floor(x / cw)) * 3;
      const i = (y * width + x) * 3;
      out[o] = out[o]! + data[i]!;
      out[o + 1] = out[o + 1]! + data[i + 1]!;
      out[o + 2] = out[o + 2]! + data[i + 2]!;
    }
  }
  const n = cw * ch;
  for (let k = 0; k < out.length; k++) out[k] = out[k]! / n;
  return out;
}

/**
 * Per-channel light ratio of `now` over `anchor`: the median ratio of the cells that are neither clipped (a brighter
 * light cannot push them past white) nor too dark to measure; the ratio of the means when too few cells are left.
 */
export function channelGains(now: Signature, anchor: Signature): Gain {
  return [0, 1, 2].map((c) => {
    const ratios: number[] = [];
    let s = 0;
    let a = 0;
    for (let k = c; k < now.length; k += 3) {
      const n = now[k]!;
      const o = anchor[k]!;
      s += n;
      a += o;
      if (o >= 8 && o < 250 && n < 250) ratios.push(n / o);
    }
    // +1 per cell keeps black slots (night, a black car) from dividing by ~0.
    const cells = now.length / 3;
    return ratios.length >= cells / 4 ? median(ratios) : (s + cells) / (a + cells);
  }) as unknown as Gain;
}

function median(xs: number[]): number {
  const s = xs.sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/**
 * The light change around each slot: per channel, the median gain of its `k` nearest other slots that have one.
 * Null for a slot with fewer than two such neighbours: alone, it cannot tell a cloud from a car.
 */
export function regionalGains(gains: readonly (Gain | null)[], centres: readonly Point[], k: number): (Gain | null)[] {
  return centres.map((c, i) => {
    const near = centres
      .map((p, j) => ({ j, d: (p[0] - c[0]) ** 2 + (p[1] - c[1]) ** 2 }))
      .filter(({ j }) => j !== i && gains[j] !== null)
      .sort((a, b) => a.d - b.d)
      .slice(0, k);
    if (near.length < 2) return null;
    return [0, 1, 2].map((ch) => median(near.map(({ j }) => gains[j]![ch]!))) as unknown as Gain;
  });
}

/** How far a slot's signature moved from its anchor once the light change `gain` is factored out (0 = not at all). */
export function changeScore(now: Signature, anchor: Signature, gain: Gain): number {
  let diff = 0;
  let level = 0;
  for (let k = 0; k < now.length; k++) {
    // A brighter light cannot push a cell past white: clipped cells stay at 255.
    const expected = Math.min(255, gain[k % 3]! * anchor[k]!);
    diff += Math.abs(now[k]! - expected);
    level += expected;
  }
  return diff / Math.max(level, LEVEL_FLOOR * now.length);
}

/** The light of a frame, per channel: the median over its slots of their signatures' mean. */
export function frameLight(signatures: readonly Signature[]): Gain {
  return [0, 1, 2].map((c) =>
    signatures.length === 0
      ? 1
      : Math.max(
          1,
          median(
            signatures.map((s) => {
              let t = 0;
              for (let k = c; k < s.length; k += 3) t += s[k]!;
              return t / (s.length / 3);
            }),
          ),
        ),
  ) as unknown as Gain;
}

/** What a slot is compared with: its signature and the frame's light when its evidence was computed. */
export interface Anchor {
  readonly signature: Signature;
  readonly light: Gain;
  /** The frame's light statistics its features were made with (slot-cnn.ts lightStats of every slot's patch). */
  readonly stats: LightStats;
}

/**
 * How differently this frame's light statistics scale a kept slot's picture than its anchor frame's did: its anchor
 * signature brought to this frame's light (per channel, `light` over the anchor's), then scaled as the tile CNN scales
 * its input, (value − channel mean) / spread, by this frame's statistics, against the anchor scaled by its own; the
 * mean absolute difference over the cells. The slot's own picture change is the change score's: this measures only
 * the scaling, so sensor noise hardly enters (the statistics average every slot's patch), and a gain over the whole
 * lot scales the picture, the mean and the spread alike and cancels. The rest of the lot changing (another day's cars,
 * one car among a few big slots, shade over part of the lot) moves the statistics and shows.
 */
export function lightShift(anchor: Anchor, stats: LightStats, light: Gain): number {
  const a = anchor.signature;
  const gains = [0, 1, 2].map((c) => light[c]! / anchor.light[c]!);
  let t = 0;
  for (let k = 0; k < a.length; k++) {
    const c = k % 3;
    t += Math.abs((gains[c]! * a[k]! - stats.mean[c]!) / stats.spread - (a[k]! - anchor.stats.mean[c]!) / anchor.stats.spread);
  }
  return t / a.length;
}

/** lightShift of every slot: null for a slot with no anchor. */
export function lightShifts(anchors: readonly (Anchor | null)[], stats: LightStats, light: Gain): (number | null)[] {
  return anchors.map((a) => (a ? lightShift(a, stats, light) : null));
}

/**
 * The change score of every slot: null for a slot with no anchor (never evaluated, or its polygon changed), which
 * must be evaluated anyway. Anchors taken in different light are brought to this frame's light (`light`) before
 * neighbours' light changes are compared, so a slot anchored under a cloud is not "changed" when the sun is back.
 */
export function changeScores(now: readonly Signature[], anchors: readonly (Pick<Anchor, 'signature' | 'light'> | null)[], light: Gain, centres: readonly Point[], k: number): (number | null)[] {
  // Each slot's light change, relative to what the whole frame's light did since its anchor.
  const own = now.map((s, i) => {
    const a = anchors[i];
    if (!a) return null;
    const g = channelGains(s, a.signature);
    return [0, 1, 2].map((c) => (g[c]! * a.light[c]!) / light[c]!) as unknown as Gain;
  });
  const regional = regionalGains(own, centres, k);
  return now.map((s, i) => {
    const a = anchors[i];
    if (!a) return null;
    const r = regional[i];
    // With no neighbours to compare with, any change of the slot counts, light included.
    const gain: Gain = r ? ([0, 1, 2].map((c) => (r[c]! * light[c]!) / a.light[c]!) as unknown as Gain) : [1, 1, 1];
    return changeScore(s, a.signature, gain);
  });
}

/** Why a slot's expensive evidence is (or is not) recomputed on this frame. */
export type GateReason =
  /** Nothing cached for it (first frame, a new or redrawn slot, its group changed, the model just loaded). */
  | 'new'
  /** Its signature moved beyond the threshold: a car arrived or left, or the light changed over it alone. */
  | 'changed'
  /** Its picture looks the same, but this frame's light statistics scale it differently (lightShift). */
  | 'light'
  /** Recomputed with its group (slots whose evidence is computed together) because another member changed. */
  | 'group'
  /** The slow round-robin refresh. */
  | 'refresh'
  | 'kept';

/**
 * A group of slots whose expensive evidence is computed together (one backbone mosaic today: a tile's features depend
 * on its neighbours in the mosaic, so a group is recomputed whole or not at all).
 */
export interface GateUnit {
  /** changeScores() of its slots: null for a slot with nothing cached. */
  readonly scores: readonly (number | null)[];
  /** lightShifts() of its slots (absent: not measured, nothing recomputed for light). */
  readonly shifts?: readonly (number | null)[];
  /** Frames since the group's evidence was last computed (0 when nothing is cached). */
  readonly age: number;
}

/** What the gate carries from frame to frame: refresh credit, in groups. */
export interface GateState {
  readonly credit: number;
}

export const INITIAL_GATE_STATE: GateState = { credit: 0 };

/**
 * Which groups to recompute on this frame, and why (per slot, in the units' order).
 *
 * - A group with a slot that has nothing cached, or whose signature changed beyond the threshold, is recomputed now:
 *   a car arriving or leaving is re-evaluated on the frame that shows it, whatever the refresh is doing. So is a group
 *   with a slot whose lightShift is beyond `lightThreshold` (this frame's light would scale its tile otherwise).
 * - Refresh: the lot earns `groups / refreshFrames` groups of credit a frame; a whole group of credit refreshes the
 *   group evaluated longest ago (a group not evaluated for twice `refreshFrames` is refreshed regardless).
 */
export function planFrame(state: GateState, units: readonly GateUnit[], cfg: GateConfig): { state: GateState; recompute: boolean[]; reasons: GateReason[][] } {
  const slotReason = (score: number | null, shift: number | null | undefined): GateReason =>
    score === null ? 'new' : score > cfg.threshold ? 'changed' : shift != null && shift > cfg.lightThreshold ? 'light' : 'kept';
  const reasons = units.map((u) => u.scores.map((s, j) => slotReason(s, u.shifts?.[j])));
  const recompute = reasons.map((r, i) => r.some((x) => x !== 'kept') || units[i]!.age >= 2 * cfg.refreshFrames);
  let credit = Math.min(state.credit + units.length / cfg.refreshFrames, units.length);
  if (credit >= 1) {
    const oldest = units
      .map((u, i) => ({ i, age: u.age }))
      .filter(({ i }) => !recompute[i])
      .sort((a, b) => b.age - a.age || a.i - b.i)[0];
    if (oldest) recompute[oldest.i] = true;
  }
  units.forEach((_unit, i) => {
    if (!recompute[i]) return;
    const changed = reasons[i]!.some((x) => x !== 'kept');
    reasons[i] = reasons[i]!.map((x) => (x !== 'kept' ? x : changed ? 'group' : 'refresh'));
    if (!changed) credit -= 1;
  });
  return { state: { credit: Math.max(0, credit) }, recompute, reasons };
}

/**
 * Whether this frame must run detect() whatever the evidence says: never run yet, or the last detections are
 * `detectionFrames` old while something is recomputed. `sinceDetection` is null before the first detect().
 */
export function detectionDue(reasons: readonly GateReason[], sinceDetection: number | null, cfg: GateConfig): boolean {
  return reasons.some((r) => r !== 'kept') && (sinceDetection === null || sinceDetection >= cfg.detectionFrames);
}

/**
 * The most footprint support fresh detections are taken to give a slot (detectionMatters' upper end): the most that
 * the latest `detectionMemory` detect() calls gave any slot (`recent`, one value a call, oldest first), or 1 while
 * there have been fewer calls. A lot whose detections stopped landing on slots gets a low ceiling until one lands
 * again, on a call that was due anyway (detectionDue).
 */
export function detectionCeiling(recent: readonly number[], cfg: Pick<GateConfig, 'detectionMemory'>): number {
  if (recent.length < cfg.detectionMemory || cfg.detectionMemory < 1) return 1;
  return Math.min(1, Math.max(0, ...recent.slice(-cfg.detectionMemory)));
}

/**
 * Where a probability falls for the occupancy decision (occupancy/hysteresis.ts): below the dead band, in its lower or
 * upper half (a slot's first frame decides by the threshold), above it.
 */
function decisionBin(p: number, s: Pick<HysteresisSettings, 'threshold' | 'band'>): number {
  return p < s.threshold - s.band ? 0 : p < s.threshold ? 1 : p < s.threshold + s.band ? 2 : 3;
}

/**
 * Whether fresh detections could change any decision of the slots just recomputed: `lo` and `hi` are their
 * probabilities with the detection support at its two extremes (0 and detectionCeiling's; the fusion is linear in it,
 * so every value in between falls between them). When every slot decides the same way at both, detect() can wait:
 * the decision a full evaluation would make is already known.
 */
export function detectionMatters(lo: readonly number[], hi: readonly number[], s: Pick<HysteresisSettings, 'threshold' | 'band'> = DEFAULT_HYSTERESIS): boolean {
  return lo.some((p, i) => decisionBin(p, s) !== decisionBin(hi[i]!, s));
}
