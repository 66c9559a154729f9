// The camera moved after the slots were marked: real fixture frames, shifted, turned and zoomed synthetically, go
// through the analysis worker's steps in Node (scene reference, motion estimate, slots that follow, COCO-SSD and
// SlotEvidence.observe on WASM). Counting must stay as right as on the unmoved frames.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CocoDetector, DEFAULT_DETECT } from '../../../src/detector/coco-detector.ts';
import { SlotEvidence } from '../../../src/evidence/slot-evidence.ts';
import { parseWeights } from '../../../src/evidence/weights.ts';
import type { CameraMove } from '../../../src/motion/camera-move.ts';
import { scoreMoves, type MovedCase } from '../../../scripts/lib/camera-moved.ts';
import { decodeImage } from '../../../scripts/lib/decode-image.ts';
import { readLot } from '../../../scripts/lib/lots.ts';
import { toAnalysisFrame } from '../../../scripts/lib/resize.ts';
import { initTf, modelFromDir } from '../../../scripts/lib/node-tf.ts';
import { fixture, fixturesAvailable } from '../../support/fixtures.ts';

const shipped = parseWeights(JSON.parse(readFileSync(new URL('../../../src/evidence/weights.json', import.meta.url), 'utf8')));

// Well within the limits the slots follow by themselves (5 % of the width, 3°: a move right at the limit may be
// measured just past it), with a zoom each way.
const MOVES: CameraMove[] = [
  { dx: 0.03, dy: -0.02, angle: 2, scale: 1.03 },
  { dx: -0.035, dy: 0.02, angle: -2.5, scale: 0.97 },
];

describe.skipIf(!fixturesAvailable())('the camera moved: real lot frames through the whole evidence (WASM)', () => {
  let detector: CocoDetector;
  beforeAll(async () => {
    await initTf('wasm');
    detector = await CocoDetector.load(modelFromDir());
  });
  afterAll(() => detector?.dispose());

  const frameOf = (lot: string, image: string) => {
    const f = readLot(fixture('lots', lot)).find((x) => x.image.endsWith(image));
    if (!f) throw new Error(`${lot}/${image} not found`);
    const picture = decodeImage(f.imagePath);
    return { picture, frame: toAnalysisFrame(picture), slots: f.slots };
  };

  it('slots that follow the move keep balanced accuracy within 0.01 of the unmoved frames; left as marked, they do not', async () => {
    const marked = frameOf('pucpr', '2012-09-13_17_00_33.jpg');
    const rainy = frameOf('pucpr', '2012-09-16_09_18_02.jpg');
    const acpds = frameOf('acpds', 'GOPR6645.jpg');
    const carpark = frameOf('carpark', 'carParkImg.png');
    const cases: MovedCase[] = [
      // Marked on a sunny afternoon; three days later it rains, other cars are parked, and the camera moved.
      { name: 'pucpr', reference: marked.frame, picture: rainy.picture, slots: rainy.slots },
      { name: 'acpds', reference: acpds.frame, picture: acpds.picture, slots: acpds.slots },
      { name: 'carpark', reference: carpark.frame, picture: carpark.picture, slots: carpark.slots },
    ];
    const evidence = new SlotEvidence(shipped, detector.graph);
    const r = await scoreMoves(cases, MOVES, evidence, (f) => detector.detect(f, DEFAULT_DETECT));
    const ba = (s: { balancedAccuracy: number }) => s.balancedAccuracy.toFixed(4);
    console.log(`camera moved: ${r.unmoved.slots} slots unmoved BA ${ba(r.unmoved)} · moved, following ${ba(r.followed)} · moved, as marked ${ba(r.asMarked)}`);

    for (const w of r.watches) expect(w.camera, `${w.name} ${JSON.stringify(w.move)}`).toMatchObject({ state: 'following', placed: true });
    expect(r.followed.slots).toBe(r.unmoved.slots * MOVES.length);
    expect(r.followed.balancedAccuracy).toBeGreaterThanOrEqual(r.unmoved.balancedAccuracy - 0.01);
    // The test can fail: slots left where they were marked lose far more than 0.01.
    expect(r.asMarked.balancedAccuracy).toBeLessThan(r.unmoved.balancedAccuracy - 0.05);
  });
});
