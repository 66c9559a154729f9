// The product's pipeline in Node, for the commands: the analysis-size frame, COCO-SSD detections and the evidence
// features, with the real weights on the WASM backend.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RgbaFrame } from '../../src/camera/frame.ts';
import { CocoDetector, DEFAULT_DETECT } from '../../src/detector/coco-detector.ts';
import { HAND_FEATURE_COUNT, REF_LENGTH } from '../../src/evidence/hand-features.ts';
import { BackboneProbe, DEFAULT_PROBE, type ProbeConfig } from '../../src/evidence/probe.ts';
import { extractFeatures, type SlotFeatures } from '../../src/evidence/slot-features.ts';
import type { Detection, Slot } from '../../src/occupancy/types.ts';
import { initTf, modelFromDir, PROJECT_ROOT } from './node-tf.ts';

/** Bump when the features change, so cached ones are not reused. */
export const FEATURE_VERSION = 7;

export class Runner {
  private constructor(
    readonly detector: CocoDetector,
    /** The probe behind the `rectified` features; null: none (train's tile CNN makes its own inputs, tile-cnn-data.ts). */
    readonly probeConfig: ProbeConfig | null,
  ) {}

  static async create(probeConfig: ProbeConfig | null = DEFAULT_PROBE): Promise<Runner> {
    await initTf('wasm');
    return new Runner(await CocoDetector.load(modelFromDir()), probeConfig);
  }

  detect(frame: RgbaFrame): Promise<Detection[]> {
    return this.detector.detect(frame, DEFAULT_DETECT);
  }

  async features(frame: RgbaFrame, slots: readonly Slot[], detections: readonly Detection[]): Promise<SlotFeatures[]> {
    const f = await extractFeatures(frame, slots, detections, this.probeConfig ? new BackboneProbe(this.detector.graph, this.probeConfig) : null);
    return [...f.slots];
  }

  dispose(): void {
    this.detector.dispose();
  }
}

/** Cached features of one frame's slots, keyed by the image's hash, the slots and the feature configuration. */
export class FeatureCache {
  constructor(private readonly dir = join(PROJECT_ROOT, '.cache', 'evidence-features')) {}

  key(imageSha: string, slots: readonly Slot[], probe: ProbeConfig | null): string {
    const h = createHash('sha256')
      .update(JSON.stringify({ v: FEATURE_VERSION, probe, detect: DEFAULT_DETECT, slots: slots.map((s) => [s.id, s.polygon]) }))
      .digest('hex')
      .slice(0, 16);
    return `${imageSha.slice(0, 24)}-${h}`;
  }

  get(key: string): SlotFeatures[] | null {
    const meta = join(this.dir, `${key}.json`);
    const bin = join(this.dir, `${key}.bin`);
    if (!existsSync(meta) || !existsSync(bin)) return null;
    const m = JSON.parse(readFileSync(meta, 'utf8')) as { ids: string[]; channels: number; square: boolean; rectified?: boolean };
    const buf = readFileSync(bin);
    const all = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
    const per = HAND_FEATURE_COUNT + 2 * m.channels + 1 + REF_LENGTH + 1;
    return m.ids.map((id, i) => {
      const o = i * per;
      const light = all[o + per - 1]!;
      const s = (a: number, n: number) => all.slice(o + a, o + a + n);
      return {
        id,
        hand: Array.from(s(0, HAND_FEATURE_COUNT)),
        square: m.square ? s(HAND_FEATURE_COUNT, m.channels) : null,
        rectified: m.rectified === false ? null : s(HAND_FEATURE_COUNT + m.channels, m.channels),
        detection: all[o + HAND_FEATURE_COUNT + 2 * m.channels]!,
        reference: Array.from(s(HAND_FEATURE_COUNT + 2 * m.channels + 1, REF_LENGTH)),
        ...(Number.isNaN(light) ? {} : { light }),
      };
    });
  }

  put(key: string, feats: readonly SlotFeatures[]): void {
    mkdirSync(this.dir, { recursive: true });
    const channels = feats[0]?.rectified?.length ?? 0;
    const rectified = feats[0]?.rectified != null;
    const per = HAND_FEATURE_COUNT + 2 * channels + 1 + REF_LENGTH + 1;
    const all = new Float32Array(per * feats.length);
    feats.forEach((f, i) => {
      if ((f.rectified != null) !== rectified) throw new Error("a frame's slots are cached all with tile features or all without");
      const o = i * per;
      all.set(f.hand, o);
      if (f.square) all.set(f.square, o + HAND_FEATURE_COUNT);
      if (f.rectified) all.set(f.rectified, o + HAND_FEATURE_COUNT + channels);
      all[o + HAND_FEATURE_COUNT + 2 * channels] = f.detection;
      all.set(f.reference, o + HAND_FEATURE_COUNT + 2 * channels + 1);
      // The frame's light: without it, eval's corrections would skip calibration's light gate (unknown light passes).
      all[o + per - 1] = f.light ?? NaN;
    });
    writeFileSync(join(this.dir, `${key}.bin`), all);
    writeFileSync(join(this.dir, `${key}.json`), JSON.stringify({ ids: feats.map((f) => f.id), channels, square: feats[0]?.square != null, rectified }));
  }
}
