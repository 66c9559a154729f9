// A lot's calibration from user corrections ("this slot is free / occupied now"). Pure functions over a serialisable
// object the app keeps in IndexedDB with the lot: record a correction, undo it, clear all, and refit.
//
// The refit is a tiny logistic regression on top of the shipped weights: the inputs are the base logits each
// correction recorded plus the distance of the slot's picture from its free reference, shrunk towards the shipped
// fusion so that a handful of taps nudges rather than overturns it. The free reference of a slot is the mean picture of
// its most recent confirmations as free.
import { fusionInputs, modeOf, type BaseLogits } from './fusion.ts';
import { REF_LENGTH, referenceDistance } from './hand-features.ts';
import { fitLogistic, predictLogit, type LinearModel } from './logistic.ts';
import type { EvidenceWeights } from './weights.ts';

/** What the evidence saw of a slot when the user corrected it (SlotEvidence returns it for every slot of a frame). */
export interface CorrectionFeatures {
  readonly logits: BaseLogits;
  readonly reference: readonly number[];
}

export interface Correction {
  readonly slotId: string;
  readonly occupied: boolean;
  /** Epoch ms of the correction. */
  readonly at: number;
  /** Identifies the frame the correction was made on: a second tap on the same slot and frame replaces the first. */
  readonly frame: string;
  /** The `id` of the weights the logits were made with. */
  readonly weightsId: string;
  readonly features: CorrectionFeatures;
}

export interface SlotReference {
  readonly vector: readonly number[];
  /** How many free confirmations it averages. */
  readonly count: number;
}

/**
 * The fitted part, derived from the corrections (refit on every change, never edited by hand). Two stages per mode:
 * the base model recalibrates the shipped logits; the reference model, fitted only on corrections whose slot had a
 * free reference, adds the distance from that reference. Whether a slot has a reference at all is never an input:
 * it says which slots were free when the user tapped, not what the slot holds now.
 */
export interface FittedCalibration {
  /** Over FUSION_INPUTS; null until there are full-mode corrections of both kinds. */
  readonly full: LinearModel | null;
  /** Over [hand logit]; null until there are corrections of both kinds. */
  readonly patchOnly: LinearModel | null;
  /** Over [base calibrated logit, reference distance], per mode; null until enough corrections have references. */
  readonly fullRef: LinearModel | null;
  readonly patchOnlyRef: LinearModel | null;
  readonly references: Readonly<Record<string, SlotReference>>;
  /** Each slot's latest correction, held while the slot still looks as it did then (see STILL). */
  readonly stills?: Readonly<Record<string, StillCorrection>>;
}

/** What the user last said about a slot, with the slot's picture at that moment. */
export interface StillCorrection {
  readonly occupied: boolean;
  readonly reference: readonly number[];
}

/**
 * A refit needs corrections of both kinds before it changes anything, so a single tap would not show. Until the slot's
 * picture changes, it shows what the user said, with at least `margin` of logit. The distance is the mean absolute
 * difference of the reference pictures: measured on the fixture video, a still slot drifts by at most 0.06 from frame
 * to frame, a car leaving or the camera moving changes it by 0.12 to 0.45.
 */
export const STILL = { maxDistance: 0.1, margin: 2 } as const;

export interface LotCalibration {
  readonly version: 1;
  /** In the order they were made: undo removes the last. */
  readonly corrections: readonly Correction[];
  readonly fitted: FittedCalibration;
}

export interface CalibrationOptions {
  /** Shrinkage towards the shipped fusion (L2 on standardised inputs, sum form). */
  readonly l2: number;
  /** A slot's free reference averages its latest this-many free confirmations: light changes, old ones go stale. */
  readonly referenceDepth: number;
}

export const DEFAULT_CALIBRATION: CalibrationOptions = { l2: 2, referenceDepth: 5 };

export function emptyCalibration(): LotCalibration {
  return { version: 1, corrections: [], fitted: { full: null, patchOnly: null, fullRef: null, patchOnlyRef: null, references: {} } };
}

/** A slot's free reference from its latest free confirmations (`list` is that slot's corrections), leaving one out. */
function slotReference(list: readonly Correction[], depth: number, leaveOut?: Correction): SlotReference | undefined {
  const free = list.filter((c) => !c.occupied && c !== leaveOut && c.features.reference.length === REF_LENGTH);
  if (free.length === 0) return undefined;
  const recent = [...free].sort((a, b) => a.at - b.at).slice(-depth);
  const vector = new Array<number>(REF_LENGTH).fill(0);
  for (const c of recent) for (let i = 0; i < REF_LENGTH; i++) vector[i] = vector[i]! + c.features.reference[i]! / recent.length;
  return { vector, count: recent.length };
}

function bySlot(corrections: readonly Correction[]): Map<string, Correction[]> {
  const out = new Map<string, Correction[]>();
  for (const c of corrections) {
    const list = out.get(c.slotId) ?? [];
    list.push(c);
    out.set(c.slotId, list);
  }
  return out;
}

/**
 * Fits a lot's calibration from its corrections. Each free correction's reference distance is measured against the
 * slot's reference made without it (leave-one-out), as it would have been seen live. Corrections made with other
 * weights still give references, but not logits.
 */
export function fitCalibration(
  corrections: readonly Correction[],
  weights: EvidenceWeights,
  options: CalibrationOptions = DEFAULT_CALIBRATION,
): FittedCalibration {
  const slots = bySlot(corrections);
  const references: Record<string, SlotReference> = {};
  for (const [id, list] of slots) {
    const ref = slotReference(list, options.referenceDepth);
    if (ref) references[id] = ref;
  }
  const rows = corrections
    .filter((c) => c.weightsId === weights.id)
    .map((c) => {
      // Leave-one-out only matters for free corrections: an occupied one is never part of a reference.
      const ref = c.occupied ? references[c.slotId] : slotReference(slots.get(c.slotId)!, options.referenceDepth, c);
      return { c, distance: ref ? referenceDistance(c.features.reference, ref.vector) : null };
    });
  type Row = (typeof rows)[number];
  const bothKinds = (list: readonly Row[]) => list.some((r) => r.c.occupied) && list.some((r) => !r.c.occupied);
  const fit = (list: readonly Row[], x: (r: Row) => number[], prior: LinearModel): LinearModel | null =>
    bothKinds(list) ? fitLogistic(list.map(x), list.map((r) => r.c.occupied), { l2: options.l2, prior }) : null;
  const stage = (list: readonly Row[], x: (r: Row) => number[], prior: LinearModel) => {
    const base = fit(list, x, prior);
    const withRef = list.filter((r) => r.distance !== null);
    const ref = base ? fit(withRef, (r) => [predictLogit(base, x(r)), r.distance!], { w: [1, 0], b: 0 }) : null;
    return { base, ref };
  };
  const full = stage(
    rows.filter((r) => modeOf(r.c.features.logits) === 'full'),
    (r) => fusionInputs(r.c.features.logits),
    weights.fusion,
  );
  const patchOnly = stage(rows, (r) => [r.c.features.logits.hand], weights.patchOnly);
  const stills: Record<string, StillCorrection> = {};
  for (const [id, list] of slots) {
    const last = list.reduce((a, b) => (b.at >= a.at ? b : a));
    if (last.features.reference.length === REF_LENGTH) stills[id] = { occupied: last.occupied, reference: last.features.reference };
  }
  return { full: full.base, patchOnly: patchOnly.base, fullRef: full.ref, patchOnlyRef: patchOnly.ref, references, stills };
}

const sameTarget = (a: Correction, b: Correction) => a.slotId === b.slotId && a.frame === b.frame;

/** Records a correction (replacing an earlier one of the same slot on the same frame) and refits. */
export function applyCorrection(
  cal: LotCalibration,
  correction: Correction,
  weights: EvidenceWeights,
  options: CalibrationOptions = DEFAULT_CALIBRATION,
): LotCalibration {
  const corrections = [...cal.corrections.filter((c) => !sameTarget(c, correction)), correction];
  return { version: 1, corrections, fitted: fitCalibration(corrections, weights, options) };
}

/** Several corrections at once (a whole frame labelled), refitted once. */
export function applyCorrections(
  cal: LotCalibration,
  added: readonly Correction[],
  weights: EvidenceWeights,
  options: CalibrationOptions = DEFAULT_CALIBRATION,
): LotCalibration {
  const corrections = [...cal.corrections.filter((c) => !added.some((a) => sameTarget(c, a))), ...added];
  return { version: 1, corrections, fitted: fitCalibration(corrections, weights, options) };
}

/** Removes the latest correction and refits. */
export function undoCorrection(cal: LotCalibration, weights: EvidenceWeights, options: CalibrationOptions = DEFAULT_CALIBRATION): LotCalibration {
  if (cal.corrections.length === 0) return cal;
  const corrections = cal.corrections.slice(0, -1);
  return { version: 1, corrections, fitted: fitCalibration(corrections, weights, options) };
}

/** Forgets every correction of the lot. */
export function clearCorrections(): LotCalibration {
  return emptyCalibration();
}

/** Drops the corrections of slots no longer in the layout and refits (after the user edits the layout). */
export function pruneCorrections(
  cal: LotCalibration,
  slotIds: readonly string[],
  weights: EvidenceWeights,
  options: CalibrationOptions = DEFAULT_CALIBRATION,
): LotCalibration {
  const keep = new Set(slotIds);
  const corrections = cal.corrections.filter((c) => keep.has(c.slotId));
  if (corrections.length === cal.corrections.length) return cal;
  return { version: 1, corrections, fitted: fitCalibration(corrections, weights, options) };
}

/**
 * The logit of a slot under a lot's calibration: the calibrated model when there is one for this mode, else the
 * shipped one; plus the reference model when the slot has a free reference. `reference` is the slot's picture now.
 */
export function calibratedLogit(
  logits: BaseLogits,
  reference: readonly number[],
  slotId: string,
  weights: EvidenceWeights,
  cal: LotCalibration | null | undefined,
): number {
  const full = modeOf(logits) === 'full';
  const x = full ? fusionInputs(logits) : [logits.hand];
  const base = full ? cal?.fitted.full : cal?.fitted.patchOnly;
  const z = base ? predictLogit(base, x) : predictLogit(full ? weights.fusion : weights.patchOnly, x);
  const refModel = full ? cal?.fitted.fullRef : cal?.fitted.patchOnlyRef;
  const slotRef = cal?.fitted.references[slotId];
  const logit = base && refModel && slotRef ? predictLogit(refModel, [z, referenceDistance(reference, slotRef.vector)]) : z;
  const still = cal?.fitted.stills?.[slotId];
  if (!still || reference.length !== REF_LENGTH || referenceDistance(reference, still.reference) >= STILL.maxDistance) return logit;
  return still.occupied ? Math.max(logit, STILL.margin) : Math.min(logit, -STILL.margin);
}

/** Checks a calibration read back from storage; throws with the reason when it is not one. */
export function parseCalibration(json: unknown): LotCalibration {
  const o = json as Partial<LotCalibration> | null;
  if (!o || o.version !== 1 || !Array.isArray(o.corrections) || !o.fitted || typeof o.fitted !== 'object') {
    throw new Error('calibration: not a v1 lot calibration');
  }
  for (const c of o.corrections) {
    const ok =
      typeof c?.slotId === 'string' &&
      typeof c.occupied === 'boolean' &&
      typeof c.at === 'number' &&
      typeof c.frame === 'string' &&
      typeof c.weightsId === 'string' &&
      typeof c.features?.logits?.hand === 'number' &&
      Array.isArray(c.features.reference);
    if (!ok) throw new Error('calibration: a correction is malformed');
  }
  return o as LotCalibration;
}
