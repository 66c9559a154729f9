// npm run train -- --lot <dir> [--lot <dir> ...] [--hold-out LOT:N] [--cv K] [--out FILE] [--json]
// Fits the evidence weights from labelled frames (FORMAT.md) and writes them as a small JSON that lists the frames it
// was trained on. With --cv K it first prints K-fold cross-validation figures grouped by recording session: each lot's
// frames, in recording order (capture time, else the number in the file name), cut into K contiguous blocks, one per fold;
// a lot's dark frames (light level under 60 of 255: night, dusk) get a row of their own.
// --tile-model cnn (default) trains the tile CNN (scripts/lib/tile-cnn-data.ts: COCO-SSD's own MobileNetV2 frozen to
// expanded_conv_5 on each slot's rectified tile, two trained 3x3 convolutions) as the rectified evidence, inside every
// fold: the fusion learns from its out-of-fold logits. --tile-model probe fits the backbone probe's logistic head instead
// (the design before the CNN). --tile-enlarge X: the slot polygon's enlargement for the CNN's tile (1: the hand patch);
// --tile-sampling X: the warp's supersampling step for the tile (warp.ts SUPERSAMPLE_STEP); --tile-channels A,B and
// --tile-strides A,B: the trained convolutions (DEFAULT_TILE_CNN's when absent); --tile-copies N: versions of each
// slot's tile kept for training (copy 0 as the app sees it, the others augmented before the stem). --tile-second X: the
// second opinion's enlargement (a second network on wider tiles, consulted where the first is unsure; trained in each
// outer fit, not in the fusion's inner folds), or `none`.
// --hold-out LOT:N keeps a fraction 1/N of that lot's recording out of training altogether (blocks of N consecutive
// frames, every Nth block: see heldOutSessions), so that eval and the tests can score those frames as unseen.
import './lib/short-errors.ts';
import './lib/tf-gradients.ts';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { fusedLogit } from '../src/evidence/fusion.ts';
import { DEFAULT_PROBE } from '../src/evidence/probe.ts';
import type { EvidenceWeights } from '../src/evidence/weights.ts';
import { heldOutSessions, loadDataset, parseHoldOut, reproducingArgs, sessionFolds, type Sample } from './lib/dataset.ts';
import { readLot } from './lib/lots.ts';
import { DEFAULT_FIT, fitModels, sampleLogits, type FitSettings, type Models, type TileCnnFitter } from './lib/fit.ts';
import { tileCnnJson } from '../src/evidence/tile-cnn-weights.ts';
import { DEFAULT_TILE_CNN, fitTileCnn, secondOpinionSettings, tileCnnInputs, tileCnnSection, type TileCnnSettings } from './lib/tile-cnn-data.ts';
import type { WeightMap } from '../src/evidence/mobilenet.ts';
import { confusion, rocAuc, scores } from './lib/metrics.ts';
import { PROJECT_ROOT } from './lib/node-tf.ts';
import { progressBar } from './lib/progress.ts';
import { Runner } from './lib/runner.ts';
import { describeUnscorable } from './lib/unscorable.ts';

const USAGE =
  'usage: npm run train -- --lot <dir> [--lot <dir> ...] [--hold-out LOT:N] [--cv K] [--out FILE] [--json] [--fusion stacked|sum] [--balance sqrt|none] [--tile-model cnn|probe] [--tile-enlarge X] [--tile-sampling X] [--tile-channels A,B] [--tile-strides A,B] [--tile-copies N] [--tile-second X|none]';
export const DEFAULT_WEIGHTS_PATH = resolve(PROJECT_ROOT, 'src', 'evidence', 'weights.json');

const { values } = parseArgs({
  options: {
    lot: { type: 'string', multiple: true },
    cv: { type: 'string' },
    'hold-out': { type: 'string' },
    out: { type: 'string' },
    json: { type: 'boolean', default: false },
    fusion: { type: 'string', default: 'stacked' },
    balance: { type: 'string', default: DEFAULT_FIT.balance },
    'l2-probe': { type: 'string' },
    'tile-model': { type: 'string', default: 'cnn' },
    'tile-enlarge': { type: 'string' },
    'tile-sampling': { type: 'string' },
    'tile-channels': { type: 'string' },
    'tile-strides': { type: 'string' },
    'tile-copies': { type: 'string' },
    'tile-second': { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});
if (values.help || !values.lot?.length) {
  console.error(USAGE);
  process.exit(values.help ? 0 : 2);
}
const cvK = values.cv === undefined ? 0 : Number(values.cv);
if (values.cv !== undefined && (!Number.isInteger(cvK) || cvK < 2)) {
  console.error(`--cv needs an integer >= 2\n${USAGE}`);
  process.exit(2);
}
if (values.fusion !== 'stacked' && values.fusion !== 'sum') throw new Error('--fusion is stacked or sum');
if (values.balance !== 'sqrt' && values.balance !== 'none') throw new Error('--balance is sqrt or none');
if (values['tile-model'] !== 'cnn' && values['tile-model'] !== 'probe') throw new Error('--tile-model is cnn or probe');
const useCnn = values['tile-model'] === 'cnn';
const enlarge = values['tile-enlarge'] === undefined ? DEFAULT_TILE_CNN.enlarge : Number(values['tile-enlarge']);
if (!(enlarge >= 1 && enlarge <= 4)) throw new Error('--tile-enlarge is a number from 1 to 4');
const sampling = values['tile-sampling'] === undefined ? DEFAULT_TILE_CNN.sampling : Number(values['tile-sampling']);
if (!(sampling >= 1 && sampling <= 8)) throw new Error('--tile-sampling is a number from 1 to 8');
const arch = DEFAULT_TILE_CNN.train.arch;
const channels = values['tile-channels'] === undefined ? arch.channels : values['tile-channels'].split(',').map(Number);
const strides = values['tile-strides'] === undefined ? arch.strides : values['tile-strides'].split(',').map(Number);
if (!channels.every((c) => Number.isInteger(c) && c >= 1 && c <= 512)) throw new Error('--tile-channels is a list of integers from 1 to 512');
if (strides.length !== channels.length || !strides.every((s): s is 1 | 2 => s === 1 || s === 2)) throw new Error('--tile-strides is a list of 1s and 2s, one per channel count');
const copies = values['tile-copies'] === undefined ? DEFAULT_TILE_CNN.copies : Number(values['tile-copies']);
if (!(Number.isInteger(copies) && copies >= 1 && copies <= 32)) throw new Error('--tile-copies is an integer from 1 to 32');
const secondArg = values['tile-second'];
const second = secondArg === 'none' ? null : secondArg === undefined ? DEFAULT_TILE_CNN.second : { ...(DEFAULT_TILE_CNN.second ?? { consultBelow: 2 }), enlarge: Number(secondArg) };
if (second && !(second.enlarge >= 1 && second.enlarge <= 4)) throw new Error('--tile-second is none or a number from 1 to 4');
const cnnSettings: TileCnnSettings = { ...DEFAULT_TILE_CNN, enlarge, sampling, copies, train: { ...DEFAULT_TILE_CNN.train, arch: { channels, strides } }, second };
const settings: FitSettings = {
  ...DEFAULT_FIT,
  innerFolds: values.fusion === 'sum' ? 0 : DEFAULT_FIT.innerFolds,
  balance: values.balance,
  l2Probe: values['l2-probe'] ? Number(values['l2-probe']) : DEFAULT_FIT.l2Probe,
};
const log = (msg: string) => console.error(msg);
const holdOut = values['hold-out'] === undefined ? null : parseHoldOut(values['hold-out']);

const runner = await Runner.create(useCnn ? null : DEFAULT_PROBE);
const lotFrames = values.lot.flatMap((d) => readLot(d));
const held = holdOut ? heldOutSessions(lotFrames.map((source) => ({ lot: source.lot, source })), holdOut).map((s) => s !== null) : [];
if (holdOut) {
  const names = lotFrames.filter((_, i) => held[i]).map((f) => f.image.replace(/^.*\//, ''));
  if (names.length === 0) throw new Error(`--hold-out: no frames of lot ${holdOut.lot}`);
  log(`train: holding out ${names.length} frames of ${holdOut.lot} (blocks of ${holdOut.n} in recording order, every ${holdOut.n}th): ${names.join(' ')}`);
}
const data = await loadDataset(lotFrames.filter((_, i) => !held[i]), runner, progressBar('features'));
const graphWeights = runner.detector.graph.weights as WeightMap;
const cnnInputs = useCnn ? await tileCnnInputs(data, graphWeights, cnnSettings, progressBar('tile CNN inputs')) : null;
const wideSettings = useCnn ? secondOpinionSettings(cnnSettings) : null;
const wideInputs = wideSettings ? await tileCnnInputs(data, graphWeights, wideSettings, progressBar('second opinion inputs')) : null;
runner.dispose();
const fitCnn: TileCnnFitter | undefined = cnnInputs ? (samples, seed, final) => fitTileCnn(cnnInputs, samples, cnnSettings, seed, log, final ? wideInputs : null) : undefined;
const lots = [...new Set(data.samples.map((s) => s.lot))];
log(`train: ${data.frames.length} frames, ${data.samples.length} labelled slots (${lots.join(', ')})`);
if (data.unscorable.length) log([`train: ${data.unscorable.length} slots could not be computed (left out):`, ...describeUnscorable(data.unscorable)].join('\n'));

/** The fusion's inner folds: whole recording sessions, as the outer CV holds them out. */
const innerFolds = (frames: readonly number[], k: number) => sessionFolds(frames.map((i) => data.frames[i]!), k);

const asWeights = ({ cnn: _, ...m }: Models): EvidenceWeights =>
  ({ format: 'lotwatch-evidence-weights', version: 1, id: '', probe: DEFAULT_PROBE, ...m, training: { command: '', date: '', frames: [], options: {} } });

interface CvRow {
  lot: string;
  frames: number;
  slots: number;
  accuracy: number;
  balancedAccuracy: number;
  auc: number;
  patchOnlyBalancedAccuracy: number;
  handBalancedAccuracy: number;
  squareBalancedAccuracy: number | null;
  rectifiedBalancedAccuracy: number;
}

/** A frame darker than this (its slots' median inner grey, 0–255) is reported on its own in the CV: night and dusk. */
const DARK_LIGHT = 60;

function cvReport(k: number): CvRow[] {
  const folds = sessionFolds(data.frames, k);
  const pred = new Map<Sample, { fused: number; patch: number; hand: number; square: number; rect: number }>();
  for (let f = 0; f < k; f++) {
    const train = data.samples.filter((s) => folds[s.frame] !== f);
    const test = data.samples.filter((s) => folds[s.frame] === f);
    if (test.length === 0) continue;
    log(`cv fold ${f + 1}/${k}: ${train.length} training slots, ${test.length} held out`);
    const m = fitModels(train, settings, { log, cnn: fitCnn, seed: f + 2, innerFolds });
    const w = asWeights(m);
    const logits = sampleLogits(test, m);
    for (const [i, s] of test.entries()) {
      const b = logits[i]!;
      pred.set(s, {
        fused: fusedLogit(b, w),
        patch: fusedLogit({ ...b, square: null, rectified: null }, w),
        hand: b.hand,
        square: b.square ?? NaN,
        rect: b.rectified!,
      });
    }
  }
  const rows: CvRow[] = [];
  // Each lot, its dark frames (night, dusk: the frame's light level under DARK_LIGHT) when it has some, then all.
  const groups: { lot: string; ss: readonly Sample[] }[] = [];
  for (const lot of lots) {
    const ss = data.samples.filter((s) => s.lot === lot);
    groups.push({ lot, ss });
    const dark = ss.filter((s) => s.f.light !== undefined && s.f.light < DARK_LIGHT);
    if (dark.length) groups.push({ lot: `${lot}:dark`, ss: dark });
  }
  groups.push({ lot: 'all', ss: data.samples });
  for (const { lot, ss } of groups) {
    const ba = (key: 'fused' | 'patch' | 'hand' | 'square' | 'rect') =>
      scores(confusion(ss.map((s) => ({ truth: s.occupied, predicted: pred.get(s)![key] >= 0 })))).balancedAccuracy;
    const fused = scores(confusion(ss.map((s) => ({ truth: s.occupied, predicted: pred.get(s)!.fused >= 0 }))));
    rows.push({
      lot,
      frames: new Set(ss.map((s) => s.frame)).size,
      slots: ss.length,
      accuracy: fused.accuracy,
      balancedAccuracy: fused.balancedAccuracy,
      auc: rocAuc(ss.map((s) => ({ truth: s.occupied, score: pred.get(s)!.fused }))),
      patchOnlyBalancedAccuracy: ba('patch'),
      handBalancedAccuracy: ba('hand'),
      squareBalancedAccuracy: ss.some((s) => Number.isNaN(pred.get(s)!.square)) ? null : ba('square'),
      rectifiedBalancedAccuracy: ba('rect'),
    });
  }
  return rows;
}

const f4 = (x: number) => x.toFixed(4);
let cv: CvRow[] | null = null;
if (cvK) {
  cv = cvReport(cvK);
  console.log(`${cvK}-fold cross-validation grouped by recording session (${cvK} contiguous blocks of each lot's frames in recording order, whole blocks held out), decision at logit 0:`);
  console.log('lot          frames slots  accuracy balanced  auc     | patch-only  hand    square  rectified (balanced)');
  for (const r of cv) {
    console.log(
      `${r.lot.padEnd(12)} ${String(r.frames).padStart(6)} ${String(r.slots).padStart(5)}  ${f4(r.accuracy)}   ${f4(r.balancedAccuracy)}   ${f4(r.auc)}  | ${f4(r.patchOnlyBalancedAccuracy)}      ${f4(r.handBalancedAccuracy)}  ${r.squareBalancedAccuracy === null ? '  -   ' : f4(r.squareBalancedAccuracy)}  ${f4(r.rectifiedBalancedAccuracy)}`,
    );
  }
}

log('fitting the final weights on every frame');
const models = fitModels(data.samples, settings, { log, cnn: fitCnn, seed: 1, innerFolds });
const cnn = models.cnn ? tileCnnSection(models.cnn.weights, cnnSettings, models.cnn.second) : null;
const round = (x: number) => Number(x.toPrecision(6));
const roundModel = (m: { w: readonly number[]; b: number }) => ({ w: m.w.map(round), b: round(m.b) });
// With the tile CNN the probe config is unused (weights.ts), and it looks at the rectified slot only.
const body = {
  probe: cnn ? { ...DEFAULT_PROBE, crops: ['rectified' as const] } : DEFAULT_PROBE,
  hand: roundModel(models.hand),
  square: models.square ? roundModel(models.square) : null,
  // The CNN's head reads its own features exactly: not rounded.
  rectified: cnn ? cnn.rectified : roundModel(models.rectified),
  ...(cnn ? { tileCnn: tileCnnJson(cnn.tileCnn) } : {}),
  fusion: roundModel(models.fusion),
  patchOnly: roundModel(models.patchOnly),
};
const id = createHash('sha256').update(JSON.stringify(body)).digest('hex').slice(0, 12);
// The command that makes this model: where the file went and how the run reported (--out, --json) change nothing in it.
const argv = reproducingArgs(process.argv.slice(2)).map((a) => (a.includes(' ') ? JSON.stringify(a) : a));
// As the file holds it: the tile CNN's arrays as base64 (tile-cnn-weights.ts).
const weights: Omit<EvidenceWeights, 'tileCnn'> & { tileCnn?: Record<string, unknown> } = {
  format: 'lotwatch-evidence-weights',
  version: 1,
  id,
  ...body,
  training: {
    command: `npm run train -- ${argv.join(' ')}`,
    date: new Date().toISOString(),
    frames: data.frames.map(({ lot, image, sha256 }) => ({ lot, image, sha256 })),
    options: {
      ...settings,
      ...(holdOut ? { holdOut: `${holdOut.lot}:${holdOut.n}` } : {}),
      tileModel: useCnn ? 'cnn' : 'probe',
      ...(useCnn ? { tileCnn: JSON.stringify({ ...cnnSettings, tile: `${cnnSettings.tile.width}x${cnnSettings.tile.height}` }) } : {}),
    },
  },
};
const out = resolve(values.out ?? DEFAULT_WEIGHTS_PATH);
const text = JSON.stringify(weights) + '\n';
writeFileSync(out, text);
log(`train: wrote ${relative(process.cwd(), out)} (${(text.length / 1024).toFixed(1)} KB, id ${id}, ${data.frames.length} frames)`);
if (values.json) console.log(JSON.stringify({ out, id, frames: data.frames.length, slots: data.samples.length, unscorable: data.unscorable, cv }));
