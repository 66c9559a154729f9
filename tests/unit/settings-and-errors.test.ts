import { describe, expect, it } from 'vitest';
import { cameraUnavailable, describeSourceError } from '../../src/camera/camera-errors.ts';
import { DEFAULT_HYSTERESIS } from '../../src/occupancy/hysteresis.ts';
import { DEFAULT_SETTINGS, hysteresisOf, sanitizeSettings } from '../../src/settings/settings.ts';

describe('sanitizeSettings', () => {
  it.each([
    ['nothing', undefined, DEFAULT_SETTINGS],
    ['garbage', 'nope', DEFAULT_SETTINGS],
    ['a valid change', { minScore: 0.4 }, { ...DEFAULT_SETTINGS, minScore: 0.4 }],
    ['out of range is clamped', { sensitivity: 7, holdFrames: -3 }, { ...DEFAULT_SETTINGS, sensitivity: 3, holdFrames: 0 }],
    ['an old stored threshold is dropped', { threshold: 0.4 }, DEFAULT_SETTINGS],
    ['counts are whole', { maxBoxes: 50.6 }, { ...DEFAULT_SETTINGS, maxBoxes: 51 }],
    ['wrong types fall back', { minScore: '0.4', showDetections: 'yes', backend: 'cuda' }, DEFAULT_SETTINGS],
    ['NaN falls back', { holdMs: Number.NaN }, DEFAULT_SETTINGS],
    ['backend and flags', { backend: 'wasm', showDetections: true }, { ...DEFAULT_SETTINGS, backend: 'wasm', showDetections: true }],
    ['unknown keys are dropped', { colour: 'red' }, DEFAULT_SETTINGS],
  ])('%s', (_n, input, expected) => {
    expect(sanitizeSettings(input)).toEqual(expected);
  });
});

describe('hysteresisOf', () => {
  it('takes the hold from the settings and the threshold and band from the decision', () => {
    expect(hysteresisOf({ ...DEFAULT_SETTINGS, holdFrames: 7, holdMs: 9000 })).toEqual({ ...DEFAULT_HYSTERESIS, holdFrames: 7, holdMs: 9000 });
    expect(hysteresisOf(DEFAULT_SETTINGS)).toEqual(DEFAULT_HYSTERESIS);
  });
});

describe('describeSourceError', () => {
  const err = (name: string) => Object.assign(new Error('x'), { name });
  it.each([
    ['NotAllowedError', 'denied', /permission denied/i],
    ['SecurityError', 'denied', /permission denied/i],
    ['NotFoundError', 'no-camera', /no camera/i],
    ['OverconstrainedError', 'no-camera', /no camera/i],
    ['NotReadableError', 'in-use', /in use/i],
    ['TypeError', 'unknown', /could not be started/i],
  ])('%s → %s', (name, code, title) => {
    const p = describeSourceError(err(name));
    expect(p.code).toBe(code);
    expect(p.title).toMatch(title);
    expect(p.message.length).toBeGreaterThan(20);
  });
  it('accepts DOMException-like objects and plain strings', () => {
    expect(describeSourceError({ name: 'NotAllowedError', message: '' }).code).toBe('denied');
    expect(describeSourceError('boom').code).toBe('unknown');
  });
  it('explains insecure pages and missing APIs before trying', () => {
    expect(cameraUnavailable({ isSecureContext: false, hasGetUserMedia: true })?.code).toBe('insecure');
    expect(cameraUnavailable({ isSecureContext: true, hasGetUserMedia: false })?.code).toBe('unsupported');
    expect(cameraUnavailable({ isSecureContext: true, hasGetUserMedia: true })).toBeNull();
  });
});
