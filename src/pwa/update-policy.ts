// When a new version may replace the running one. Pure: the page never reloads by itself in the middle of counting.

/** What the user said about the waiting version. */
export type UpdateChoice = 'undecided' | 'now' | 'later';

export interface UpdateSituation {
  /** A new version is installed and waiting to take over. */
  readonly waiting: boolean;
  readonly choice: UpdateChoice;
}

/**
 * - `none`: nothing to do.
 * - `offer`: show the banner with "Reload now" / "Later".
 * - `remind`: the user said later; keep a small "Update ready" button in reach.
 * - `apply`: the user asked for it: activate the new version and reload.
 */
export type UpdateAction = 'none' | 'offer' | 'remind' | 'apply';

/** Only the user applies an update; counting or not, the app never does it on its own. */
export function decideUpdate(s: UpdateSituation): UpdateAction {
  if (!s.waiting) return 'none';
  if (s.choice === 'now') return 'apply';
  return s.choice === 'later' ? 'remind' : 'offer';
}

export interface TakeoverSituation {
  /** This page asked for the new version (its user pressed "Reload now"). */
  readonly requestedHere: boolean;
  /** A source is open: the page is counting or about to. */
  readonly counting: boolean;
}

/**
 * A new version took control of this page (its user, or the user of another tab, accepted it). Reload at once when
 * this page asked for it or is idle; while counting, keep counting with the code already loaded and ask instead.
 */
export function afterTakeover(s: TakeoverSituation): 'reload' | 'ask' {
  return s.requestedHere || !s.counting ? 'reload' : 'ask';
}

/** A phone on a pole never navigates, so the browser's own update checks (on navigation) never run: check hourly. */
export const UPDATE_CHECK_INTERVAL_MS = 60 * 60 * 1000;

export function isUpdateCheckDue(s: { now: number; lastCheck: number; online: boolean; hidden: boolean }): boolean {
  return s.online && !s.hidden && s.now - s.lastCheck >= UPDATE_CHECK_INTERVAL_MS;
}
