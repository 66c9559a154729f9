import type { Stay } from './types.ts';

/**
 * How long cars stay. Only stays whose arrival and departure were both seen have a dwell time; the mean and median
 * are over those. The others are censored (a car already there when counting started, still there when the range
 * ends or counting stopped): counted apart, with the longest of them as a lower bound ("at least").
 */
export interface DwellStats {
  readonly stays: number;
  readonly meanMs: number | null;
  readonly medianMs: number | null;
  readonly censored: number;
  readonly censoredLongestMs: number | null;
}

export const isComplete = (s: Stay): boolean => s.startObserved && s.endObserved;

export function median(sorted: readonly number[]): number | null {
  if (sorted.length === 0) return null;
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function dwellStats(stays: readonly Stay[]): DwellStats {
  const done: number[] = [];
  let censored = 0;
  let longest: number | null = null;
  for (const s of stays) {
    const d = s.end - s.start;
    if (isComplete(s)) done.push(d);
    else {
      censored++;
      longest = longest === null ? d : Math.max(longest, d);
    }
  }
  done.sort((a, b) => a - b);
  const sum = done.reduce((a, b) => a + b, 0);
  return { stays: done.length, meanMs: done.length ? sum / done.length : null, medianMs: median(done), censored, censoredLongestMs: longest };
}
