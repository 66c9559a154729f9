// npm run eval -- --lot <dir> [--weights FILE] [--calibration <dir> | --calibration-frames N] [--taps every|wrong|unsure] [--layout FILE] [--json] [--sequence]
// Scores the product's own pipeline on labelled frames (FORMAT.md): the analysis-size frame, COCO-SSD detections,
// SlotEvidence (the app's evidence module), the lot's calibration fed through applyCorrection (what a tap in the app
// calls), and the occupancy decision of stepLot. Frames the weights were trained on are not scored. Prints the scores
// overall and by slot size in the frame (metrics.ts bySlotSize), and how many errors the unsure decisions hold (the
// slots the app outlines dotted: occupancy/unsure.ts).
// --sequence: the frames in time order through the incremental path as well, compared step by step (lib/sequence.ts).
// Also prints the slots wrong most often; --errors lists every wrong decision (frame, slot, logit, size).
import './lib/short-errors.ts';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { applyCorrection, applyCorrections, emptyCalibration, type LotCalibration } from '../src/evidence/calibration.ts';
import { parseLayoutFile } from '../src/layout/layout-format.ts';
import { matchByOverlap } from '../src/evidence/polygon-overlap.ts';
import { makeConfirmation, makeCorrection, SlotEvidence } from '../src/evidence/slot-evidence.ts';
import { parseWeights, type EvidenceWeights } from '../src/evidence/weights.ts';
import { DEFAULT_HYSTERESIS } from '../src/occupancy/hysteresis.ts';
import { stepLot } from '../src/occupancy/lot-state.ts';
import { slotSizePx } from '../src/occupancy/slot-size.ts';
import { isUnsure, UNSURE_LOGIT } from '../src/occupancy/unsure.ts';
import type { Slot } from '../src/occupancy/types.ts';
import { readLot, loadAnalysisFrame, sha256File, type LotFrame } from './lib/lots.ts';
import { bySlotSize, confusion, median, percentile, scores, unsureShare, worstSlots, type ScoredSlot, type SizeBand } from './lib/metrics.ts';
import { PROJECT_ROOT } from './lib/node-tf.ts';
import { progressBar } from './lib/progress.ts';
import { Runner } from './lib/runner.ts';
import { describeSequence, runSequence } from './lib/sequence.ts';
import { describeUnscorable, runSkippingUnscorable, type Unscorable } from './lib/unscorable.ts';

const USAGE =
  'usage: npm run eval -- --lot <dir> [--weights FILE] [--calibration <dir> | --calibration-frames N] [--taps every|wrong|unsure] [--layout FILE] [--json] [--patch-only] [--sensitivity X] [--sequence] [--errors]';

const { values } = parseArgs({
  options: {
    lot: { type: 'string' },
    weights: { type: 'string' },
    calibration: { type: 'string' },
    'calibration-frames': { type: 'string' },
    taps: { type: 'string', default: 'every' },
    layout: { type: 'string' },
    json: { type: 'boolean', default: false },
    'patch-only': { type: 'boolean', default: false },
    sensitivity: { type: 'string', default: '0' },
    sequence: { type: 'boolean', default: false },
    errors: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
const fail = (msg: string): never => {
  console.error(`${msg}\n${USAGE}`);
  process.exit(2);
};
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
if (!values.lot) fail('--lot is required');
if (values.calibration && values['calibration-frames']) fail('--calibration and --calibration-frames exclude each other');
const calibrationFrames = values['calibration-frames'] === undefined ? 0 : Number(values['calibration-frames']);
const tapsMode = values.taps;
if (tapsMode !== 'every' && tapsMode !== 'wrong' && tapsMode !== 'unsure') fail('--taps is every, wrong or unsure');
if (!Number.isInteger(calibrationFrames) || calibrationFrames < 0) fail('--calibration-frames needs a whole number');
const sensitivity = Number(values.sensitivity);
if (!Number.isFinite(sensitivity)) fail('--sensitivity needs a number');

const weightsPath = resolve(values.weights ?? resolve(PROJECT_ROOT, 'src', 'evidence', 'weights.json'));
const weights: EvidenceWeights = parseWeights(JSON.parse(readFileSync(weightsPath, 'utf8')));
function readLayout(path: string): Slot[] {
  // The app's export, or a labelled frame: the same reader as the app's import (src/layout/layout-format.ts).
  const read = parseLayoutFile(readFileSync(path, 'utf8'), path);
  if (!read.ok) return fail(read.error);
  return read.layout.slots;
}
const layout: Slot[] | null = values.layout ? readLayout(values.layout) : null;

const lotFrames = readLot(values.lot!);
const calFrames: LotFrame[] = values.calibration ? readLot(values.calibration) : lotFrames.slice(0, calibrationFrames);
if (calibrationFrames > lotFrames.length) fail(`--calibration-frames ${calibrationFrames}: the lot has only ${lotFrames.length} frames`);
const candidates = values.calibration ? lotFrames : lotFrames.slice(calibrationFrames);
const trainedOn = new Set(weights.training.frames.map((f) => f.sha256));
const shaOf = new Map(lotFrames.map((f) => [f, sha256File(f.imagePath)]));
const notTrained = candidates.filter((f) => !trainedOn.has(shaOf.get(f)!));
const excludedTrained = candidates.length - notTrained.length;
// A frame given to --calibration <dir> that is also in --lot is a calibration frame, not a scored one.
const calShas = new Set(values.calibration ? calFrames.map((f) => sha256File(f.imagePath)) : []);
const scored = notTrained.filter((f) => !calShas.has(shaOf.get(f)!));
const excludedCalibration = values.calibration ? notTrained.length - scored.length : calFrames.length;

/** The slots the app would watch on this frame, each with the label it is scored against (null: not scored). */
function slotsOf(f: LotFrame): { slots: Slot[]; truth: (boolean | null)[] } {
  if (!layout) return { slots: f.slots.map(({ id, name, polygon }) => ({ id, name, polygon })), truth: f.slots.map((s) => s.occupied) };
  const match = matchByOverlap(
    layout.map((s) => s.polygon),
    f.slots.map((s) => s.polygon),
  );
  return { slots: layout, truth: match.map((i) => (i < 0 ? null : f.slots[i]!.occupied)) };
}

const runner = await Runner.create(weights.probe);
const patchOnly = values['patch-only'];
const evidence = new SlotEvidence(weights, patchOnly ? null : runner.detector.graph);
// Patch-only is the app without a model (loading or failed): no detections either.
const detect = (frame: Parameters<Runner['detect']>[0]) => (patchOnly ? Promise.resolve([]) : runner.detect(frame));
const capturedAt = (f: LotFrame, i: number) => {
  const t = f.label.captured ? Date.parse(f.label.captured) : NaN;
  return Number.isFinite(t) ? t : i * 60_000;
};

// Calibration: every labelled slot of each calibration frame is corrected. --taps every: one tap at a time, in slot
// order. --taps wrong: as a user does it in the app, the slots shown wrong tapped one by one (each on a frame of its
// own), then "All slots right" for the rest a few seconds later (calibration.ts confirmable, one step). --taps unsure:
// a user who checks only the slots outlined as unsure (occupancy/unsure.ts), taps those shown wrong, and confirms the
// rest unchecked: the slots shown wrong that were not unsure are confirmed wrong.
let calibration: LotCalibration = emptyCalibration();
let corrections = 0;
/** What the user did: single taps, and confirmations of every slot. */
let taps = 0;
let confirmations = 0;
// Slots whose evidence throws are reported by id and left out; they never stop the command.
const unscorable: Unscorable[] = [];
const calBar = progressBar('calibration');
for (const [i, f] of calFrames.entries()) {
  calBar(i, calFrames.length, f.image);
  const frame = loadAnalysisFrame(f.imagePath);
  const { slots, truth } = slotsOf(f);
  const detections = await detect(frame);
  const cal = calibration;
  const r = await runSkippingUnscorable(f.image, slots, (ss) => evidence.observe(frame, ss, detections, cal, { sensitivity, at: capturedAt(f, i) }));
  unscorable.push(...r.unscorable);
  const labelled = (r.value?.features ?? []).flatMap((feat, j) => {
    const t = truth[r.kept[j]!];
    const p = r.value!.observations[j]!.probability;
    return t === null || t === undefined ? [] : [{ feat, truth: t, shown: p > 0.5, unsure: isUnsure(p) }];
  });
  const at = capturedAt(f, i);
  if (tapsMode === 'every') {
    for (const { feat, truth: t } of labelled) calibration = applyCorrection(calibration, makeCorrection(feat, t, f.imagePath, weights, at), weights);
    corrections += labelled.length;
    taps += labelled.length;
    continue;
  }
  const tapped = labelled.filter((l) => l.shown !== l.truth && (tapsMode === 'wrong' || l.unsure));
  for (const [k, { feat, truth: t }] of tapped.entries()) {
    calibration = applyCorrection(calibration, makeCorrection(feat, t, `${f.imagePath}#tap${k}`, weights, at + k), weights);
    corrections++;
    taps++;
  }
  const shown = labelled.map((l) => ({ slotId: l.feat.id, occupied: l.shown }));
  const features = new Map(labelled.map((l) => [l.feat.id, l.feat]));
  const made = makeConfirmation(calibration, shown, features, `${f.imagePath}#confirm`, weights, at + 5000);
  if (made.length) calibration = applyCorrections(calibration, made, weights);
  corrections += made.length;
  confirmations++;
}
if (calFrames.length) calBar(calFrames.length, calFrames.length);

// The app warms the model once after loading; so does eval, so that the first frame's timing is not the warm-up.
if (scored.length) {
  const f = scored[0]!;
  const frame = loadAnalysisFrame(f.imagePath);
  const detections = await detect(frame);
  await runSkippingUnscorable(f.image, slotsOf(f).slots, (ss) => evidence.observe(frame, ss, detections, calibration));
}

if (values.sequence) {
  const frames = scored.map((f, i) => ({ ...slotsOf(f), load: () => loadAnalysisFrame(f.imagePath), at: capturedAt(f, i) }));
  const report = await runSequence({ frames, evidence, detect, calibration, sensitivity, onStep: progressBar('sequence') });
  runner.dispose();
  const head = { lot: relative(process.cwd(), resolve(values.lot!)), weights: relative(process.cwd(), weightsPath), weightsId: weights.id, frames: scored.length };
  console.log(`lot ${head.lot} · weights ${head.weights} (${head.weightsId}) · ${scored.length} frames in time order, ${calFrames.length} calibration frames`);
  for (const line of describeSequence(report)) console.log(line);
  console.log(`load average ${loadavg()[0]!.toFixed(1)}`);
  if (values.json) console.log(JSON.stringify({ ...head, sequence: report, loadAverage: loadavg()[0] }));
  process.exit(0);
}

/** A slot's size in the analysis frame: the square root of its polygon's area, px (what the app's small-slot hint measures). */
const slotSize = (s: Slot, frame: { width: number; height: number }) => slotSizePx(s.polygon, frame.width, frame.height);

// Scoring: every frame on its own (no hysteresis state from another day), with what calibration learned.
const pairs: (ScoredSlot & { size: number; logit: number; unsure: boolean })[] = [];
const ms: number[] = [];
const cpuMs: number[] = [];
const modes = new Set<string>();
const bar = progressBar('eval');
for (const [i, f] of scored.entries()) {
  bar(i, scored.length, f.image);
  const frame = loadAnalysisFrame(f.imagePath);
  const { slots, truth } = slotsOf(f);
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const detections = await detect(frame);
  const r = await runSkippingUnscorable(f.image, slots, (ss) => evidence.observe(frame, ss, detections, calibration, { sensitivity, at: capturedAt(f, i) }));
  unscorable.push(...r.unscorable);
  const kept = r.kept.map((k) => slots[k]!);
  const state = r.value ? stepLot(null, kept, r.value.observations, capturedAt(f, i), DEFAULT_HYSTERESIS) : null;
  ms.push(performance.now() - t0);
  const c = process.cpuUsage(c0);
  cpuMs.push((c.user + c.system) / 1000);
  if (r.value) modes.add(r.value.mode);
  state?.slots.forEach((s, j) => {
    const t = truth[r.kept[j]!];
    const slot = kept[j]!;
    const logit = r.value!.features[j]!.logit;
    if (t !== null && t !== undefined) pairs.push({ frame: f.image, slot: slot.id, truth: t, predicted: s.occupied, size: slotSize(slot, frame), logit, unsure: isUnsure(s.probability) });
  });
}
bar(scored.length, scored.length);
runner.dispose();

const sc = scores(confusion(pairs));
const sizes = bySlotSize(pairs);
const unsure = unsureShare(pairs);
const worst = worstSlots(pairs);
const wrong = pairs.filter((p) => p.truth !== p.predicted);
const report = {
  lot: relative(process.cwd(), resolve(values.lot!)),
  weights: relative(process.cwd(), weightsPath),
  weightsId: weights.id,
  mode: [...modes].join(',') || evidence.mode,
  frames: scored.length,
  slots: sc.slots,
  excludedFrames: excludedTrained + excludedCalibration,
  excludedTrained,
  excludedCalibration,
  calibrationFrames: calFrames.length,
  corrections,
  taps,
  confirmations,
  // What the held-out check kept of the refit, per mode (calibration.ts validate); absent without corrections.
  ...(calibration.fitted.validation ? { calibrationKept: calibration.fitted.validation } : {}),
  unscorableSlots: unscorable.length,
  unscorable: unscorable.map(({ frame, id, reason }) => ({ frame, id, reason })),
  accuracy: sc.accuracy,
  balancedAccuracy: sc.balancedAccuracy,
  precision: sc.precision,
  recall: sc.recall,
  f1: sc.f1,
  confusion: sc.confusion,
  bySlotSize: sizes,
  // The decisions the app outlines as unsure, and the errors among them.
  unsure,
  // Every slot wrong on some frame, most errors first; each wrong decision with its logit (calibrated, before sensitivity).
  worstSlots: worst,
  errors: wrong.map(({ frame, slot, truth, logit, size }) => ({ frame, slot, occupied: truth, logit, size })),
  msMedian: median(ms),
  msP95: percentile(ms, 95),
  // This process's CPU time per frame: what the frame costs on an idle core when the shared machine is busy.
  cpuMsMedian: median(cpuMs),
  loadAverage: loadavg()[0],
};
const f4 = (x: number) => x.toFixed(4);
console.log(`lot ${report.lot} · weights ${report.weights} (${report.weightsId}) · mode ${report.mode}`);
console.log(
  `frames ${report.frames} scored, ${report.slots} slots · excluded ${report.excludedFrames} frames (${excludedTrained} the weights were trained on, ${excludedCalibration} used for calibration)`,
);
if (calFrames.length) console.log(`calibration: ${calFrames.length} frames, ${corrections} corrections (${taps} taps${confirmations ? `, ${confirmations} confirmations of every slot` : ''})`);
for (const [mode, v] of Object.entries(calibration.fitted.validation ?? {})) {
  console.log(`calibration kept (${mode}): ${v.kept} · held-out errors ${v.shippedErrors} shipped → ${v.keptErrors} kept, of ${v.corrections}`);
}
if (unscorable.length) console.log([`${unscorable.length} slot observations could not be scored (left out):`, ...describeUnscorable(unscorable)].join('\n'));
console.log(`accuracy ${f4(sc.accuracy)} · balanced accuracy ${f4(sc.balancedAccuracy)}`);
console.log(`occupied: precision ${f4(sc.precision)} · recall ${f4(sc.recall)} · F1 ${f4(sc.f1)}`);
console.log(`confusion: TP ${sc.confusion.tp} · FP ${sc.confusion.fp} · TN ${sc.confusion.tn} · FN ${sc.confusion.fn}`);
if (sizes.length) {
  const band = (b: SizeBand) => (b.to === null ? `${b.from} px and more` : b.from === 0 ? `under ${b.to} px` : `${b.from}–${b.to} px`);
  console.log(`by slot size (√area in the analysis frame): ${sizes.map((b) => `${band(b)}: ${f4(b.balancedAccuracy)} (${b.slots} slots)`).join(' · ')}`);
}
if (unsure.slots) {
  const pct = (a: number, b: number) => `${b ? ((100 * a) / b).toFixed(1) : '0.0'} %`;
  console.log(
    `unsure (within ${UNSURE_LOGIT} logit of even, dotted in the app): ${pct(unsure.unsure, unsure.slots)} of decisions (${unsure.unsure}), holding ${unsure.unsureErrors} of the ${unsure.errors} errors (${pct(unsure.unsureErrors, unsure.errors)})`,
  );
}
// Slots wrong on several frames, most first; when none is (every acpds frame is its own lot), only how many were wrong.
const repeated = worst.filter((w) => w.fp + w.fn > 1);
if (repeated.length) {
  const shown = repeated.slice(0, 8).map((w) => `${w.slot}: ${w.fp + w.fn} of ${w.frames}${w.fp && w.fn ? '' : w.fp ? ' called occupied' : ' called free'}`);
  const more = worst.length - shown.length;
  console.log(`slots wrong most often (frames wrong of frames scored): ${shown.join(' · ')}${more ? ` · ${more} more slots` : ''}`);
} else if (worst.length) console.log(`slots wrong: ${worst.length}, none on more than one frame`);
if (values.errors) {
  for (const e of wrong) {
    const z = `${e.logit >= 0 ? '+' : ''}${e.logit.toFixed(1)}`;
    console.log(`  ${e.frame} · slot ${e.slot}: ${e.truth ? 'occupied' : 'free'}, called ${e.predicted ? 'occupied' : 'free'} (logit ${z}, ${e.size.toFixed(0)} px)`);
  }
}
console.log(
  `ms per frame (detection + evidence + decision): median ${report.msMedian.toFixed(0)} · p95 ${report.msP95.toFixed(0)} (CPU time median ${report.cpuMsMedian.toFixed(0)}, load average ${report.loadAverage!.toFixed(1)})`,
);
if (scored.length === 0) console.log('no frame left to score: every frame was excluded');
if (values.json) console.log(JSON.stringify(report));
