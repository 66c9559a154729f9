// npm run eval:motion -- [--cost] [--trust] [--accuracy] [--frames N]   (default: --cost --trust)
// The camera-moved check on the fixture lots (../shared/fixtures or LOTWATCH_FIXTURES):
// - cost: ms per frame of the grey copy and of the motion estimate, in Node (the worker runs the same code);
// - trust: how many blocks agree on the same camera on other days (pucpr) and on different views (acpds-train's
//   consecutive frames), which the trust threshold of src/motion/registration.ts sits between;
// - accuracy: balanced accuracy of the whole pipeline (COCO-SSD + SlotEvidence on WASM) on frames moved
//   synthetically, the slots following the estimated move vs left as marked.
import { readdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { RgbaFrame } from '../src/camera/frame.ts';
import { DEFAULT_DETECT } from '../src/detector/coco-detector.ts';
import { SlotEvidence } from '../src/evidence/slot-evidence.ts';
import { parseWeights } from '../src/evidence/weights.ts';
import type { CameraMove } from '../src/motion/camera-move.ts';
import { downscaleGrey } from '../src/motion/grey.ts';
import { DEFAULT_REGISTRATION, estimateMotion, prepareReference } from '../src/motion/registration.ts';
import { scoreMoves, type MovedCase } from './lib/camera-moved.ts';
import { decodeImage } from './lib/decode-image.ts';
import { loadAnalysisFrame, readLot } from './lib/lots.ts';
import { toAnalysisFrame } from './lib/resize.ts';
import { median } from './lib/metrics.ts';
import { moveFrame } from './lib/move-frame.ts';
import { PROJECT_ROOT } from './lib/node-tf.ts';
import { Runner } from './lib/runner.ts';

const FIXTURES = resolve(process.env.LOTWATCH_FIXTURES ?? join(PROJECT_ROOT, '..', 'shared', 'fixtures'));
const fixture = (...parts: string[]) => join(FIXTURES, ...parts);

const { values } = parseArgs({
  options: {
    cost: { type: 'boolean', default: false },
    trust: { type: 'boolean', default: false },
    accuracy: { type: 'boolean', default: false },
    frames: { type: 'string', default: '6' },
  },
});
const all = !values.cost && !values.trust && !values.accuracy;
const load = () => loadavg()[0]!.toFixed(1);
const pct = (v: number) => `${(100 * v).toFixed(2)} %`;

const MOVES: CameraMove[] = [
  { dx: 0.03, dy: -0.02, angle: 2, scale: 1.03 },
  { dx: -0.035, dy: 0.02, angle: -2.5, scale: 0.97 },
  { dx: 0.045, dy: 0.015, angle: 1, scale: 1 },
];

if (values.cost || all) {
  const frames = [
    ['pucpr 1280x720', fixture('lots', 'pucpr', 'images', '2012-09-13_17_00_33.jpg')],
    ['acpds 1280x960', fixture('lots', 'acpds', 'images', 'GOPR6645.jpg')],
    ['carpark 1100x720', fixture('lots', 'carpark', 'images', 'carParkImg.png')],
  ] as const;
  // CPU time as well as wall time: on a shared, busy machine the wall clock mostly measures the queue for a core.
  const time = (fn: () => unknown, n: number) => {
    const wall: number[] = [];
    for (let i = 0; i < 10; i++) fn();
    const c0 = process.cpuUsage();
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      fn();
      wall.push(performance.now() - t0);
    }
    const c = process.cpuUsage(c0);
    return `median ${median(wall).toFixed(2)} ms (CPU ${((c.user + c.system) / 1000 / n).toFixed(2)} ms)`;
  };
  for (const [name, path] of frames) {
    const f = loadAnalysisFrame(path);
    const ref = prepareReference(downscaleGrey(f));
    const still = downscaleGrey(f);
    const moved = downscaleGrey(moveFrame(f, MOVES[0]!));
    console.log(
      `cost ${name} (${ref.fine.blocks.length} blocks): grey copy ${time(() => downscaleGrey(f), 50)} · estimate, camera still ${time(() => estimateMotion(ref, still), 50)} · ` +
        `moved ${time(() => estimateMotion(ref, moved), 50)} · reference ${time(() => prepareReference(still), 10)} · load ${load()}`,
    );
  }
}

if (values.trust || all) {
  const o = { ...DEFAULT_REGISTRATION, minInliers: 0, minInlierShare: 0, minBlockShare: 0 };
  const share = (a: RgbaFrame, b: RgbaFrame) => {
    const ref = prepareReference(downscaleGrey(a), o);
    const e = estimateMotion(ref, downscaleGrey(b), undefined, o);
    return { inliers: e.inliers, share: e.inliers / Math.max(1, e.blocks) };
  };
  const pucpr = readLot(fixture('lots', 'pucpr'));
  const marked = loadAnalysisFrame(pucpr[0]!.imagePath);
  const same = pucpr.slice(1).map((f) => share(marked, loadAnalysisFrame(f.imagePath)));
  const dir = fixture('lots', 'acpds-train', 'images');
  const names = readdirSync(dir).sort();
  const other = names.slice(1).map((n, i) => share(loadAnalysisFrame(`${dir}/${names[i]}`), loadAnalysisFrame(`${dir}/${n}`)));
  const min = (xs: { inliers: number; share: number }[]) => `${Math.min(...xs.map((x) => x.inliers))} blocks, ${pct(Math.min(...xs.map((x) => x.share)))}`;
  const max = (xs: { inliers: number; share: number }[]) => `${Math.max(...xs.map((x) => x.inliers))} blocks, ${pct(Math.max(...xs.map((x) => x.share)))}`;
  console.log(`trust: pucpr, same camera on ${same.length} other days: agreeing blocks at least ${min(same)}`);
  console.log(`trust: acpds-train, ${other.length} pairs of different views: agreeing blocks at most ${max(other)}`);
  const t = DEFAULT_REGISTRATION;
  console.log(`trust threshold: ${t.minInliers} blocks, ${pct(t.minBlockShare)} of the blocks, ${pct(t.minInlierShare)} of those found`);
}

if (values.accuracy || all) {
  const n = Number(values.frames);
  const runner = await Runner.create();
  const weights = parseWeights(JSON.parse(readFileSync(join(PROJECT_ROOT, 'src', 'evidence', 'weights.json'), 'utf8')));
  const evidence = new SlotEvidence(weights, runner.detector.graph);
  const detect = (f: RgbaFrame) => runner.detector.detect(f, DEFAULT_DETECT);
  const every = <T>(xs: T[], k: number) => xs.filter((_, i) => i % Math.max(1, Math.floor(xs.length / k)) === 0).slice(0, k);
  const pucpr = readLot(fixture('lots', 'pucpr'));
  const marked = loadAnalysisFrame(pucpr[0]!.imagePath);
  const lots: [string, MovedCase[]][] = [
    // pucpr: marked on the first day; scored on other days (other cars, light and weather), moved.
    ['pucpr', every(pucpr.slice(1), n).map((f) => ({ name: f.image, reference: marked, picture: decodeImage(f.imagePath), slots: f.slots }))],
    ...(['acpds', 'carpark'] as const).map((lot): [string, MovedCase[]] => [
      lot,
      every(readLot(fixture('lots', lot)), n).map((f) => {
        const picture = decodeImage(f.imagePath);
        return { name: f.image, reference: toAnalysisFrame(picture), picture, slots: f.slots };
      }),
    ]),
  ];
  for (const [lot, cases] of lots) {
    const t0 = performance.now();
    const r = await scoreMoves(cases, MOVES, evidence, detect, true);
    const lost = r.watches.filter((w) => !w.camera?.placed || w.camera.state !== 'following');
    const ba = (s: { balancedAccuracy: number } | null) => s?.balancedAccuracy.toFixed(4) ?? '-';
    console.log(
      `accuracy ${lot}: ${cases.length} frames x ${MOVES.length} moves, ${r.unmoved.slots} slots · BA unmoved ${ba(r.unmoved)} · ` +
        `moved: following the estimate ${ba(r.followed)}, moved by the true move ${ba(r.oracle)}, left as marked ${ba(r.asMarked)} · ` +
        `moves not placed ${lost.length}${lost.length ? ` (${lost.map((w) => w.name).join(', ')})` : ''} · ${((performance.now() - t0) / 1000).toFixed(0)} s, load ${load()}`,
    );
  }
  runner.dispose();
}
