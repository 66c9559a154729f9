import { benchDetector } from './detector.ts';
import { benchSetup } from './setup.ts';
import { benchCadence, benchOfflineStart } from './pwa.ts';
import { benchSize } from './size.ts';

export type Section = (args: string[]) => Promise<unknown>;

export const sections: Record<string, Section> = {
  size: benchSize,
  detector: benchDetector,
  setup: benchSetup,
  cadence: benchCadence,
  'offline-start': benchOfflineStart,
};
