import { benchDetector } from './detector.ts';
import { benchHistory } from './history.ts';
import { benchSize } from './size.ts';

export type Section = (args: string[]) => Promise<unknown>;

export const sections: Record<string, Section> = {
  size: benchSize,
  detector: benchDetector,
  history: benchHistory,
};
