// Scores of a binary "occupied" decision over labelled slots. Pure.
import { SLOT_SIZE_EDGES } from '../../src/occupancy/slot-size.ts';

export interface Confusion {
  tp: number;
  fp: number;
  tn: number;
  fn: number;
}

export interface Scores {
  readonly slots: number;
  readonly accuracy: number;
  readonly balancedAccuracy: number;
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
  readonly confusion: Confusion;
}

export function confusion(pairs: readonly { truth: boolean; predicted: boolean }[]): Confusion {
  const c: Confusion = { tp: 0, fp: 0, tn: 0, fn: 0 };
  for (const { truth, predicted } of pairs) {
    if (truth && predicted) c.tp++;
    else if (truth) c.fn++;
    else if (predicted) c.fp++;
    else c.tn++;
  }
  return c;
}

const ratio = (a: number, b: number) => (b === 0 ? 0 : a / b);

export function scores(c: Confusion): Scores {
  const n = c.tp + c.fp + c.tn + c.fn;
  const tpr = ratio(c.tp, c.tp + c.fn);
  const tnr = ratio(c.tn, c.tn + c.fp);
  // With one class absent, balanced accuracy is the rate of the class that is there.
  const classes = (c.tp + c.fn > 0 ? 1 : 0) + (c.tn + c.fp > 0 ? 1 : 0);
  const precision = ratio(c.tp, c.tp + c.fp);
  return {
    slots: n,
    accuracy: ratio(c.tp + c.tn, n),
    balancedAccuracy: classes === 0 ? 0 : (tpr * (c.tp + c.fn > 0 ? 1 : 0) + tnr * (c.tn + c.fp > 0 ? 1 : 0)) / classes,
    precision,
    recall: tpr,
    f1: ratio(2 * precision * tpr, precision + tpr),
    confusion: c,
  };
}

export interface SizeBand {
  /** The band's sizes, px: from ≤ size < to (`to` null: no upper end). */
  readonly from: number;
  readonly to: number | null;
  readonly slots: number;
  readonly balancedAccuracy: number;
  readonly confusion: Confusion;
}

/** Scores per band of slot size: one band below the first edge, one between each pair, one from the last; empty bands left out. */
export function bySlotSize(pairs: readonly { truth: boolean; predicted: boolean; size: number }[], edges: readonly number[] = SLOT_SIZE_EDGES): SizeBand[] {
  const bounds = [0, ...edges, Infinity];
  return bounds.slice(1).flatMap((to, k) => {
    const from = bounds[k]!;
    const s = scores(confusion(pairs.filter((p) => p.size >= from && p.size < to)));
    return s.slots ? [{ from, to: Number.isFinite(to) ? to : null, slots: s.slots, balancedAccuracy: s.balancedAccuracy, confusion: s.confusion }] : [];
  });
}

/** How many decisions were unsure (occupancy/unsure.ts, the app's dotted slots) and how many of the errors they hold. */
export interface UnsureShare {
  readonly slots: number;
  readonly unsure: number;
  readonly errors: number;
  readonly unsureErrors: number;
}

export function unsureShare(pairs: readonly { truth: boolean; predicted: boolean; unsure: boolean }[]): UnsureShare {
  const wrong = pairs.filter((p) => p.truth !== p.predicted);
  return {
    slots: pairs.length,
    unsure: pairs.filter((p) => p.unsure).length,
    errors: wrong.length,
    unsureErrors: wrong.filter((p) => p.unsure).length,
  };
}

/** A scored slot on one frame: what eval keeps of each decision to say where the errors are. */
export interface ScoredSlot {
  readonly frame: string;
  readonly slot: string;
  readonly truth: boolean;
  readonly predicted: boolean;
}

export interface SlotErrors {
  readonly slot: string;
  /** Frames on which the slot was called occupied while free (fp) or free while occupied (fn). */
  readonly fp: number;
  readonly fn: number;
  /** Frames on which it was scored. */
  readonly frames: number;
}

/**
 * The slots wrong on at least one frame, most errors first (ties: layout order of first appearance). A few slots wrong
 * on most frames are a slot to redraw or tap; errors spread over many slots are the view or the light.
 */
export function worstSlots(scored: readonly ScoredSlot[]): SlotErrors[] {
  const by = new Map<string, { fp: number; fn: number; frames: number }>();
  for (const s of scored) {
    const e = by.get(s.slot) ?? { fp: 0, fn: 0, frames: 0 };
    e.frames++;
    if (s.predicted && !s.truth) e.fp++;
    if (!s.predicted && s.truth) e.fn++;
    by.set(s.slot, e);
  }
  return [...by.entries()]
    .filter(([, e]) => e.fp + e.fn > 0)
    .map(([slot, e]) => ({ slot, ...e }))
    .sort((a, b) => b.fp + b.fn - (a.fp + a.fn));
}

/** Area under the ROC curve (ties count half): how well the scores rank, whatever the threshold. */
export function rocAuc(pairs: readonly { truth: boolean; score: number }[]): number {
  const s = [...pairs].sort((a, b) => a.score - b.score);
  let rank = 0;
  let posRanks = 0;
  let pos = 0;
  for (let i = 0; i < s.length; ) {
    let j = i;
    while (j < s.length && s[j]!.score === s[i]!.score) j++;
    const avg = (rank + 1 + rank + (j - i)) / 2;
    for (let k = i; k < j; k++) if (s[k]!.truth) { posRanks += avg; pos++; }
    rank += j - i;
    i = j;
  }
  const neg = s.length - pos;
  return pos === 0 || neg === 0 ? 0.5 : (posRanks - (pos * (pos + 1)) / 2) / (pos * neg);
}

export function median(xs: readonly number[]): number {
  return percentile(xs, 50);
}

/** Nearest-rank percentile. */
export function percentile(xs: readonly number[], p: number): number {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}
