import type { Layout, LotMetadata } from './protocol.ts';

/** Whether a viewer's numbers are live, and if not, why. */
export type ViewerStatus = 'waiting' | 'connecting' | 'live' | 'paused' | 'offline' | 'unreachable';

/** What a viewer shows, wherever the numbers come from (another tab, or a relay). */
export interface ViewerModel {
  readonly status: ViewerStatus;
  readonly state: LotMetadata | null;
  readonly layout: Layout | null;
  /** When the counter went offline or stopped (ISO-8601), if it did. */
  readonly offlineSince: string | null;
  /** Why the view gave up, in words. */
  readonly error: string | null;
}

export const INITIAL_VIEWER_MODEL: ViewerModel = { status: 'connecting', state: null, layout: null, offlineSince: null, error: null };
