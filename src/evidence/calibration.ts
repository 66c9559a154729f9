// A lot's calibration from user corrections ("this slot is free / occupied now"). Pure functions over a serialisable
// object the app keeps in IndexedDB with the lot: record a correction, undo it, clear all, and refit.
//
// The refit is a tiny logistic regression on top of the shipped weights: the inputs are the base logits each
// correction recorded plus the distance of the slot's picture from its free reference, shrunk towards the shipped
// fusion so that a handful of taps nudges rather than overturns it. The free reference of a slot is the mean picture of
// its most recent confirmations as free, in similar light.
//
// Corrections must never make things worse: a refit is used only when it beats the shipped model on corrections it
// was not fitted on (held out by time, a group of frames at a time), only in light like the light it learned in, and
// only on frames of the layout it was learned on; a free reference only in light within the range of lights it was
// taken in (an afternoon's references judge a morning badly; references taken on several days judge the days between).
import { fusionInputs, modeOf, type BaseLogits, type EvidenceMode } from './fusion.ts';
import { REF_LENGTH, referenceDistance } from './hand-features.ts';
import { fitLogistic, predictLogit, sigmoid, type LinearModel } from './logistic.ts';
import type { EvidenceWeights } from './weights.ts';

/** What the evidence saw of a slot when the user corrected it (SlotEvidence returns it for every slot of a frame). */
export interface CorrectionFeatures {
  readonly logits: BaseLogits;
  readonly reference: readonly number[];
  /** The frame's light level (the median inner grey of its slots, hand-features.ts); absent in older corrections. */
  readonly light?: number;
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
  /** Their mean light level. */
  readonly light?: number;
  /**
   * Their lowest and highest light: the reference is used only in light within LIGHT_TOLERANCE of that range. Absent
   * in references stored by older versions: [light, light] then.
   */
  readonly lights?: readonly [number, number];
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
  /**
   * What the held-out check kept, per mode: nothing ('shipped'), the base refit, or the base refit and the reference
   * model; with the held-out errors of the shipped model and of what was kept. Absent when there was nothing to check.
   */
  readonly validation?: Readonly<Record<EvidenceMode, Validation>>;
  /**
   * Per mode, the lowest and highest light of the corrections the kept refit was fitted on: the refit is used only in
   * light within LIGHT_TOLERANCE of that range (a refit learned in the evening does not judge the noon). Absent when the
   * corrections carry no light (older ones): the refit then applies everywhere, as before.
   */
  readonly lights?: Readonly<Partial<Record<EvidenceMode, readonly [number, number]>>>;
  readonly references: Readonly<Record<string, SlotReference>>;
  /** Each slot's latest correction, held while the slot still looks as it did then (see STILL). */
  readonly stills?: Readonly<Record<string, StillCorrection>>;
}

/** What the user last said about a slot, with the slot's picture at that moment. */
export interface StillCorrection {
  readonly occupied: boolean;
  readonly reference: readonly number[];
  readonly light?: number;
  /** Epoch ms of the tap; absent in calibrations stored before it was recorded (held as before, until the next refit). */
  readonly at?: number;
}

/**
 * A refit needs corrections of both kinds before it changes anything, so a single tap would not show. Until the slot's
 * picture changes, it shows what the user said, with at least `margin` of logit. The distance is the mean absolute
 * difference of the reference pictures: measured on the fixture video, a still slot drifts by at most 0.06 from frame
 * to frame, a car leaving or the camera moving changes it by 0.12 to 0.45.
 *
 * The hold is about the moment of the tap, so it lasts at most `maxAgeMs`. It overrides the model unchecked, and
 * across days "the same picture" is no longer proof of the same state: on pucpr as a new lot, a slot tapped occupied
 * on its last calibration day was held occupied on the free slot of 9 other days, against a logit of −5.6 to −8.4,
 * because the two pictures were within 0.1 of each other. What lasts longer than a few hours is the validated refit
 * and the free references, which no tap bypasses.
 */
export const STILL = { maxDistance: 0.1, margin: 2, maxAgeMs: 2 * 3600_000 } as const;

/**
 * Pictures relative to the frame's light still change with the light (shadows, glare, lamps): a reference or a held
 * correction is used only when the light now is within this factor of the light it was made in. Unknown light (a
 * correction from an older version) never matches.
 */
export const LIGHT_TOLERANCE = 1.25;

export function similarLight(a: number | undefined, b: number | undefined): boolean {
  return a !== undefined && b !== undefined && a > 0 && b > 0 && Math.abs(Math.log(a / b)) <= Math.log(LIGHT_TOLERANCE);
}

/** The lowest and highest light of some corrections; undefined when one of them has none (an older correction). */
function lightRange(list: readonly Correction[]): readonly [number, number] | undefined {
  const lights = list.map((c) => c.features.light);
  if (lights.length === 0 || lights.some((l) => l === undefined || !(l > 0))) return undefined;
  return [Math.min(...(lights as number[])), Math.max(...(lights as number[]))];
}

/** Whether a refit fitted in `range` may judge a frame in `light` (unknown on either side: yes, as before lights). */
function inLightRange(range: readonly [number, number] | undefined, light: number | undefined): boolean {
  return range === undefined || light === undefined || (light >= range[0] / LIGHT_TOLERANCE && light <= range[1] * LIGHT_TOLERANCE);
}

/**
 * The reference model's starting point, before the corrections move it: the distance's meaning measured on the fixture
 * video (a still slot drifts by at most 0.06, a car arriving or leaving moves it by 0.12 to 0.45; STILL) as ±2 logits
 * at ±0.05 around STILL.maxDistance. A handful of frames of corrections holds few of the hard cases that would teach
 * it from nothing (a zero start fitted a slope of ~5, too weak to move a decision: pucpr as a new lot, docs/accuracy.md).
 */
export const REFERENCE_PRIOR = { slope: 40, at: STILL.maxDistance } as const;

/**
 * The groups of frames a refit is validated on (leave one group out), at most this many, in time order; with fewer
 * than MIN_VALIDATION_GROUPS frames nothing is refitted (two frames are too few to tell a lesson from a coincidence:
 * on acpds, a refit on two dusk frames that each confirmed the other cost 5 points on the later frames).
 */
export const VALIDATION_GROUPS = 8;
export const MIN_VALIDATION_GROUPS = 3;

export interface Validation {
  readonly kept: 'shipped' | 'refit' | 'refit+references';
  /** Held-out corrections the check saw, and how many each model got wrong. */
  readonly corrections: number;
  readonly shippedErrors: number;
  readonly keptErrors: number;
}

export interface LotCalibration {
  readonly version: 1;
  /** In the order they were made: undo removes the last. */
  readonly corrections: readonly Correction[];
  readonly fitted: FittedCalibration;
}

export interface CalibrationOptions {
  /**
   * Shrinkage towards the shipped fusion (L2 on standardised inputs, sum form): the refit's penalty is the larger of
   * `l2` and `l2PerFrame` times the mean number of corrections per corrected frame. The taps of one frame share its day
   * and light, so a frame with every slot tapped is one more look at the lot, not a hundred independent ones: with the
   * sum form alone, 5 frames of 100 taps each pulled the refit as far as 500 independent taps would (pucpr as a new
   * lot: 4 frames of taps 0.9961, 5 frames 0.9884; docs/accuracy.md). The shipped model then weighs half a frame of
   * taps: three frames that agree still overturn weights that are wrong on the lot. A few taps a frame shrink by `l2`.
   */
  readonly l2: number;
  /** The shipped model's weight in frames of taps (see l2). */
  readonly l2PerFrame: number;
  /** A slot's free reference averages its latest this-many free confirmations: light changes, old ones go stale. */
  readonly referenceDepth: number;
}

export const DEFAULT_CALIBRATION: CalibrationOptions = { l2: 2, l2PerFrame: 0.5, referenceDepth: 5 };

export function emptyCalibration(): LotCalibration {
  return { version: 1, corrections: [], fitted: { full: null, patchOnly: null, fullRef: null, patchOnlyRef: null, references: {} } };
}

/**
 * A slot's free reference from its latest free confirmations (`list` is that slot's corrections), leaving one out, with
 * the range of lights they were made in. Corrections from before lights were recorded average among themselves.
 */
function slotReference(list: readonly Correction[], depth: number, leaveOut?: Correction): SlotReference | undefined {
  const free = list.filter((c) => !c.occupied && c !== leaveOut && c.features.reference.length === REF_LENGTH).sort((a, b) => a.at - b.at);
  const last = free[free.length - 1];
  if (!last) return undefined;
  const recent = free.filter((c) => (c.features.light === undefined) === (last.features.light === undefined)).slice(-depth);
  const vector = new Array<number>(REF_LENGTH).fill(0);
  for (const c of recent) for (let i = 0; i < REF_LENGTH; i++) vector[i] = vector[i]! + c.features.reference[i]! / recent.length;
  const lights = recent.map((c) => c.features.light);
  if (!lights.every((l) => l !== undefined)) return { vector, count: recent.length };
  const known = lights as number[];
  return { vector, count: recent.length, light: known.reduce((a, b) => a + b, 0) / known.length, lights: [Math.min(...known), Math.max(...known)] };
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
 * The distance of a picture from the slot's reference, when the light now is within LIGHT_TOLERANCE of the lights the
 * reference was made in. Unknown light on either side never matches.
 */
function gatedDistance(features: CorrectionFeatures, ref: SlotReference | undefined): number | null {
  const range = ref?.lights ?? (ref?.light === undefined ? undefined : ([ref.light, ref.light] as const));
  const light = features.light;
  if (!ref || !range || light === undefined || !(light > 0)) return null;
  return inLightRange(range, light) ? referenceDistance(features.reference, ref.vector) : null;
}

interface Row {
  readonly c: Correction;
  /** Distance from the slot's reference as it would have been seen live (free ones: made without themselves). */
  readonly distance: number | null;
}

interface Stage {
  readonly base: LinearModel | null;
  readonly ref: LinearModel | null;
}

const bothKinds = (list: readonly Row[]) => list.some((r) => r.c.occupied) && list.some((r) => !r.c.occupied);

/** The refit's penalty on these rows (CalibrationOptions.l2). */
function shrinkage(rows: readonly Row[], o: CalibrationOptions): number {
  const frames = new Set(rows.map((r) => r.c.frame)).size;
  return Math.max(o.l2, frames ? (o.l2PerFrame * rows.length) / frames : 0);
}

/** The two-stage refit of one mode on some rows: base over x, then [base logit, reference distance] where there is one. */
function fitStage(list: readonly Row[], x: (c: Correction) => number[], prior: LinearModel, o: CalibrationOptions): Stage {
  const fit = (rows: readonly Row[], f: (r: Row) => number[], p: LinearModel): LinearModel | null =>
    bothKinds(rows) ? fitLogistic(rows.map(f), rows.map((r) => r.c.occupied), { l2: shrinkage(rows, o), prior: p }) : null;
  const base = fit(list, (r) => x(r.c), prior);
  const ref = base
    ? fit(
        list.filter((r) => r.distance !== null),
        (r) => [predictLogit(base, x(r.c)), r.distance!],
        { w: [1, REFERENCE_PRIOR.slope], b: -REFERENCE_PRIOR.slope * REFERENCE_PRIOR.at },
      )
    : null;
  return { base, ref };
}

/** Rows of the given corrections, each free one's distance measured against its slot's reference made without it. */
function rowsOf(list: readonly Correction[], depth: number): Row[] {
  const slots = bySlot(list);
  const refs = new Map<string, SlotReference | undefined>();
  for (const [id, l] of slots) refs.set(id, slotReference(l, depth));
  return list.map((c) => ({
    c,
    distance: gatedDistance(c.features, c.occupied ? refs.get(c.slotId) : slotReference(slots.get(c.slotId)!, depth, c)),
  }));
}

/**
 * Which stage of the refit to trust: each group of frames (in time order) is held out in turn, the refit is made on
 * the others, and the held-out corrections are scored by the shipped model, the base refit and base + references.
 * A refit is kept only when it makes fewer held-out errors than the shipped model, and no more in any group.
 */
function validate(rows: readonly Row[], all: readonly Correction[], x: (c: Correction) => number[], prior: LinearModel, o: CalibrationOptions): Validation {
  const frames = [...new Set(rows.map((r) => r.c.frame))];
  const firstAt = new Map<string, number>();
  for (const r of rows) firstAt.set(r.c.frame, Math.min(firstAt.get(r.c.frame) ?? Infinity, r.c.at));
  frames.sort((a, b) => firstAt.get(a)! - firstAt.get(b)!);
  const groups = Math.min(VALIDATION_GROUPS, frames.length);
  const groupOf = new Map(frames.map((f, i) => [f, Math.floor((i * groups) / frames.length)]));
  const errors = [0, 0, 0];
  const loss = [0, 0, 0];
  // Per held-out group: a refit must not be worse than the shipped model on any of them.
  const groupErrors = Array.from({ length: groups }, () => [0, 0, 0]);
  let n = 0;
  const mine = new Set(rows.map((r) => r.c));
  for (let g = 0; g < groups; g++) {
    const held = new Set(frames.filter((f) => groupOf.get(f) === g));
    const train = rowsOf(
      all.filter((c) => !held.has(c.frame)),
      o.referenceDepth,
    ).filter((r) => mine.has(r.c));
    const stage = fitStage(train, x, prior, o);
    const range = lightRange(train.map((r) => r.c));
    const refs = new Map<string, SlotReference | undefined>();
    for (const [id, l] of bySlot(all.filter((c) => !held.has(c.frame)))) refs.set(id, slotReference(l, o.referenceDepth));
    for (const r of rows) {
      if (!held.has(r.c.frame)) continue;
      const xi = x(r.c);
      const z0 = predictLogit(prior, xi);
      const useBase = stage.base !== null && inLightRange(range, r.c.features.light);
      const z1 = useBase ? predictLogit(stage.base!, xi) : z0;
      const d = gatedDistance(r.c.features, refs.get(r.c.slotId));
      const z2 = useBase && stage.ref && d !== null ? predictLogit(stage.ref, [z1, d]) : z1;
      [z0, z1, z2].forEach((z, k) => {
        if (z >= 0 !== r.c.occupied) {
          errors[k]!++;
          groupErrors[g]![k]!++;
        }
        const p = sigmoid(r.c.occupied ? z : -z);
        loss[k]! -= Math.log(Math.max(p, 1e-12));
      });
      n++;
    }
  }
  // Better than the shipped model: fewer errors in all, and no more in any held-out group (a lesson that holds on
  // some days and fails on others would fail the user on the next such day). Between the two stages, the one with
  // fewer errors (as few: the lower log loss).
  const beatsShipped = (k: number) => errors[k]! < errors[0]! && groupErrors.every((e) => e[k]! <= e[0]!);
  const better = (k: number, than: number) => errors[k]! < errors[than]! || (errors[k] === errors[than] && loss[k]! < loss[than]! - 1e-9);
  const kept = groups < MIN_VALIDATION_GROUPS || n === 0 ? 0 : beatsShipped(2) && !better(1, 2) ? 2 : beatsShipped(1) ? 1 : 0;
  return { kept: (['shipped', 'refit', 'refit+references'] as const)[kept]!, corrections: n, shippedErrors: errors[0]!, keptErrors: errors[kept]! };
}

/**
 * Fits a lot's calibration from its corrections. Each free correction's reference distance is measured against the
 * slot's reference made without it (leave-one-out), as it would have been seen live. Corrections made with other
 * weights still give references, but not logits. Each mode's refit is kept only as far as validate() trusts it.
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
  const rows = rowsOf(corrections, options.referenceDepth).filter((r) => r.c.weightsId === weights.id);
  const modes = {
    full: { rows: rows.filter((r) => modeOf(r.c.features.logits) === 'full'), x: (c: Correction) => fusionInputs(c.features.logits), prior: weights.fusion },
    'patch-only': { rows, x: (c: Correction) => [c.features.logits.hand], prior: weights.patchOnly },
  } as const;
  const fitted = {} as Record<EvidenceMode, Stage>;
  const validation = {} as Record<EvidenceMode, Validation>;
  const lights: Partial<Record<EvidenceMode, readonly [number, number]>> = {};
  for (const mode of ['full', 'patch-only'] as const) {
    const m = modes[mode];
    const stage = fitStage(m.rows, m.x, m.prior, options);
    const v = stage.base ? validate(m.rows, corrections, m.x, m.prior, options) : null;
    if (v) validation[mode] = v;
    fitted[mode] = { base: v && v.kept !== 'shipped' ? stage.base : null, ref: v?.kept === 'refit+references' ? stage.ref : null };
    const range = fitted[mode].base ? lightRange(m.rows.map((r) => r.c)) : undefined;
    if (range) lights[mode] = range;
  }
  const stills: Record<string, StillCorrection> = {};
  for (const [id, list] of slots) {
    const last = list.reduce((a, b) => (b.at >= a.at ? b : a));
    if (last.features.reference.length !== REF_LENGTH) continue;
    const light = last.features.light === undefined ? {} : { light: last.features.light };
    stills[id] = { occupied: last.occupied, reference: last.features.reference, ...light, at: last.at };
  }
  return {
    full: fitted.full.base,
    patchOnly: fitted['patch-only'].base,
    fullRef: fitted.full.ref,
    patchOnlyRef: fitted['patch-only'].ref,
    references,
    stills,
    ...(Object.keys(validation).length ? { validation } : {}),
    ...(Object.keys(lights).length ? { lights } : {}),
  };
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

/**
 * Removes the latest step and refits: the latest correction, with every other made with it (the same frame and time:
 * a confirmation of every slot at once is one step, as it was one tap).
 */
export function undoCorrection(cal: LotCalibration, weights: EvidenceWeights, options: CalibrationOptions = DEFAULT_CALIBRATION): LotCalibration {
  const last = cal.corrections.at(-1);
  if (!last) return cal;
  const corrections = cal.corrections.filter((c) => c.frame !== last.frame || c.at !== last.at);
  return { version: 1, corrections, fitted: fitCalibration(corrections, weights, options) };
}

/** A slot's state as the counter shows it, confirmed by the user. */
export interface ConfirmedState {
  readonly slotId: string;
  readonly occupied: boolean;
}

/**
 * Which of the states of a confirmation ("every slot is right") to record at `now`: all but those of slots the user
 * tapped to the other state less than STILL.maxAgeMs ago. The picture follows a tap only after the hysteresis
 * (seconds), so a slot just corrected may still show its old state when the rest is confirmed: the tap wins.
 */
export function confirmable(cal: LotCalibration, states: readonly ConfirmedState[], now: number): ConfirmedState[] {
  const latest = new Map<string, Correction>();
  for (const c of cal.corrections) if ((latest.get(c.slotId)?.at ?? -Infinity) <= c.at) latest.set(c.slotId, c);
  return states.filter((s) => {
    const c = latest.get(s.slotId);
    return !c || c.occupied === s.occupied || now - c.at > STILL.maxAgeMs;
  });
}

/** Forgets every correction of the lot. */
export function clearCorrections(): LotCalibration {
  return emptyCalibration();
}

/**
 * The calibration that may judge a frame of these slots: a lot's calibration belongs to the layout it was learned on.
 * A frame none of whose slots was ever corrected (another layout, another camera: every acpds frame is its own lot)
 * is judged by the shipped model; a refit learned on other slots moved acpds's later frames by up to 4 points.
 */
export function calibrationForSlots(cal: LotCalibration | null | undefined, slotIds: readonly string[]): LotCalibration | null {
  if (!cal || cal.corrections.length === 0) return null;
  const corrected = new Set(cal.corrections.map((c) => c.slotId));
  return slotIds.some((id) => corrected.has(id)) ? cal : null;
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
 * shipped one; plus the reference model when the slot has a free reference made in similar light. `features` are the
 * slot's logits, picture and the frame's light now; `now` the frame's time (epoch ms), which ends a tap's hold after
 * STILL.maxAgeMs (unknown: held while the picture and light match, as before times were passed).
 */
export function calibratedLogit(features: CorrectionFeatures, slotId: string, weights: EvidenceWeights, cal: LotCalibration | null | undefined, now?: number): number {
  const { logits, reference } = features;
  const full = modeOf(logits) === 'full';
  const x = full ? fusionInputs(logits) : [logits.hand];
  const fitted = full ? cal?.fitted.full : cal?.fitted.patchOnly;
  // A refit judges only light like the light it learned in; elsewhere the shipped model (and no reference model).
  const base = fitted && inLightRange(cal?.fitted.lights?.[full ? 'full' : 'patch-only'], features.light) ? fitted : null;
  const z = base ? predictLogit(base, x) : predictLogit(full ? weights.fusion : weights.patchOnly, x);
  const refModel = full ? cal?.fitted.fullRef : cal?.fitted.patchOnlyRef;
  const distance = base && refModel ? gatedDistance(features, cal?.fitted.references[slotId]) : null;
  const logit = distance !== null ? predictLogit(refModel!, [z, distance]) : z;
  const still = cal?.fitted.stills?.[slotId];
  // Either way round: eval may score frames taken before the taps it learned from.
  if (still?.at !== undefined && now !== undefined && Math.abs(now - still.at) > STILL.maxAgeMs) return logit;
  if (!still || reference.length !== REF_LENGTH || referenceDistance(reference, still.reference) >= STILL.maxDistance) return logit;
  // Unknown light on either side (older corrections, tests of the picture alone) holds as before; known lights must match.
  if (still.light !== undefined && features.light !== undefined && !similarLight(still.light, features.light)) return logit;
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
      Array.isArray(c.features.reference) &&
      (c.features.light === undefined || (typeof c.features.light === 'number' && Number.isFinite(c.features.light)));
    if (!ok) throw new Error('calibration: a correction is malformed');
  }
  return o as LotCalibration;
}
