import { BACKEND_PREFERENCES, type BackendPreference } from '../detector/backend-choice.ts';
import { DEFAULT_HYSTERESIS, type HysteresisSettings } from '../occupancy/hysteresis.ts';

/** The backend choices the settings offer (the names live with the detector). */
export { BACKEND_PREFERENCES };

export interface Settings {
  /** Which TF.js backend runs the model; 'auto' decides from the device. */
  readonly backend: BackendPreference;
  /** Detector: lowest vehicle score kept. */
  readonly minScore: number;
  /** Detector: most boxes kept per frame. */
  readonly maxBoxes: number;
  /**
   * Sensitivity of the slot evidence, as a logit offset: 0 is the trained decision, +1 multiplies the odds of
   * "occupied" by e (finds more cars, more false alarms), -1 divides them.
   */
  readonly sensitivity: number;
  /** A slot changes only after the new state held this many frames… */
  readonly holdFrames: number;
  /** …and this many milliseconds. */
  readonly holdMs: number;
  /** Draw the detector's vehicle boxes over the video. */
  readonly showDetections: boolean;
  /** Pause between processed frames, ms (0 = as fast as the device allows). */
  readonly cadenceMs: number;
}

export const DEFAULT_SETTINGS: Settings = {
  backend: 'auto',
  minScore: 0.3,
  maxBoxes: 100,
  sensitivity: 0,
  holdFrames: 3,
  holdMs: 2000,
  // Off: the boxes cover the slots; Settings shows them (never while editing).
  showDetections: false,
  // Once a second: a change shows within ~3 s with the hold above, for a fraction of the CPU (and heat) of
  // continuous detection; `npm run bench -- cadence` measures it, docs/pwa.md has the figures.
  cadenceMs: 1000,
};

type NumericKey = { [K in keyof Settings]: Settings[K] extends number ? K : never }[keyof Settings];
const RANGES: Record<NumericKey, readonly [number, number]> = {
  minScore: [0.05, 0.95],
  maxBoxes: [1, 300],
  sensitivity: [-3, 3],
  holdFrames: [0, 100],
  holdMs: [0, 600_000],
  cadenceMs: [0, 600_000],
};

/** Builds valid settings from anything (stored JSON of an older version, a form): unknown or bad fields fall back. */
export function sanitizeSettings(input: unknown): Settings {
  const src = typeof input === 'object' && input !== null ? (input as Record<string, unknown>) : {};
  const out: Record<string, unknown> = { ...DEFAULT_SETTINGS };
  for (const key of Object.keys(RANGES) as NumericKey[]) {
    const v = src[key];
    if (typeof v === 'number' && Number.isFinite(v)) {
      const [lo, hi] = RANGES[key];
      out[key] = Math.min(hi, Math.max(lo, key === 'maxBoxes' || key === 'holdFrames' ? Math.round(v) : v));
    }
  }
  if (typeof src.showDetections === 'boolean') out.showDetections = src.showDetections;
  if (typeof src.backend === 'string' && (BACKEND_PREFERENCES as readonly string[]).includes(src.backend)) out.backend = src.backend;
  return out as unknown as Settings;
}

export const SETTING_RANGES = RANGES;

/** The occupancy decision's hysteresis with these settings: their hold, around the trained threshold and band. */
export function hysteresisOf(s: Pick<Settings, 'holdFrames' | 'holdMs'>): HysteresisSettings {
  return { ...DEFAULT_HYSTERESIS, holdFrames: s.holdFrames, holdMs: s.holdMs };
}
