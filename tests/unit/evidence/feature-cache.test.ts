// The commands' feature cache gives back what it was given: every field of a slot's features, the frame's light
// included (without it, a warm-cache eval skipped calibration's light gate, which the app never does).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HAND_FEATURE_COUNT, REF_LENGTH } from '../../../src/evidence/hand-features.ts';
import type { SlotFeatures } from '../../../src/evidence/slot-features.ts';
import { FeatureCache } from '../../../scripts/lib/runner.ts';

const dir = mkdtempSync(join(tmpdir(), 'lotwatch-cache-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const features = (id: string, k: number, light?: number): SlotFeatures => ({
  id,
  hand: Array.from({ length: HAND_FEATURE_COUNT }, (_, i) => Math.fround(i * 0.25 - k)),
  square: null,
  rectified: Float32Array.from({ length: 8 }, (_, i) => i + k),
  detection: Math.fround(0.125 * k),
  reference: Array.from({ length: REF_LENGTH }, (_, i) => Math.fround(Math.sin(i + k))),
  ...(light === undefined ? {} : { light }),
});

describe('FeatureCache', () => {
  it('keeps every field, the frame light included', () => {
    const cache = new FeatureCache(dir);
    const frame = [features('a', 1, 47.5), features('b', 2, 47.5)];
    cache.put('frame-1', frame);
    expect(cache.get('frame-1')).toEqual(frame);
  });

  it('leaves the light out when it was not known, rather than inventing one', () => {
    const cache = new FeatureCache(dir);
    const frame = [features('a', 3)];
    cache.put('frame-2', frame);
    expect(cache.get('frame-2')).toEqual(frame);
    expect(cache.get('frame-2')![0]).not.toHaveProperty('light');
  });

  it('has nothing for a key it never stored', () => {
    expect(new FeatureCache(dir).get('missing')).toBeNull();
  });
});
