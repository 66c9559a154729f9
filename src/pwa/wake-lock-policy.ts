// When to hold the screen wake lock. Pure: the controller only carries out the step this returns.

export interface WakeLockSituation {
  /** The app is counting (a source is open): the screen should stay on. */
  readonly wanted: boolean;
  /** The page is hidden: the browser releases wake locks of hidden pages, and requests fail there. */
  readonly hidden: boolean;
  /** A sentinel is held now. */
  readonly held: boolean;
  /** A request is under way. */
  readonly pending: boolean;
  /** The last request was refused while the page stayed visible: don't retry until visibility or wish changes. */
  readonly refused: boolean;
}

export type WakeLockStep = 'request' | 'release' | 'keep';

/** What the storage panel says about the screen: kept on, not kept on, not possible here, or refused. */
export type WakeLockState = 'off' | 'on' | 'unsupported' | 'refused';

export function nextWakeLockStep(s: WakeLockSituation): WakeLockStep {
  const want = s.wanted && !s.hidden;
  if (want && !s.held && !s.pending && !s.refused) return 'request';
  if (!want && s.held) return 'release';
  return 'keep';
}
