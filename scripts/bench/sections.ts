import { benchDetector } from './detector.ts';
import { benchCadence, benchOfflineStart } from './pwa.ts';
import { benchSize } from './size.ts';

export type Section = (args: string[]) => Promise<unknown>;

export const sections: Record<string, Section> = {
  size: benchSize,
  detector: benchDetector,
  cadence: benchCadence,
  'offline-start': benchOfflineStart,
};
