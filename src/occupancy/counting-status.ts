// Whether the counts are current, for the status bar and for viewers. Pure: inputs are arguments.

export type CountingState = 'counting' | 'paused' | 'stopped';

/** Why counting is paused. Viewers see this, so a frozen count is never mistaken for a quiet lot. */
export type PauseReason =
  | 'page-hidden'
  | 'camera-lost'
  | 'detector-loading'
  | 'detector-restarting'
  | 'detector-failed'
  /** The camera moved too far since the slots were marked (or its view no longer matches): counts held, uncertain. */
  | 'camera-moved';

export interface CountingStatus {
  readonly state: CountingState;
  /** Set when `state` is `paused`. */
  readonly reason: PauseReason | null;
}

export interface CountingInputs {
  /** A frame source (camera, video, photo) is open. */
  readonly sourceOpen: boolean;
  /** The camera ended by itself and the app is trying to get it back. */
  readonly cameraRecovering: boolean;
  readonly detector: 'idle' | 'loading' | 'ready' | 'error';
  /** The detector is being reloaded after a failure of its own (lost WebGL context). */
  readonly detectorRestarting: boolean;
  /** The page is hidden: the analysis loop idles there to save battery. */
  readonly pageHidden: boolean;
  /** The camera moved past what the slots can follow (motion/camera-watch.ts): the layout is not trusted. */
  readonly cameraMoved?: boolean;
}

export function countingStatus(i: CountingInputs): CountingStatus {
  const paused = (reason: PauseReason): CountingStatus => ({ state: 'paused', reason });
  if (!i.sourceOpen) return i.cameraRecovering ? paused('camera-lost') : { state: 'stopped', reason: null };
  // Before the detector's states: the counts are held until a person checks the slots, whatever the model does.
  if (i.cameraMoved) return paused('camera-moved');
  if (i.detector === 'error') return paused('detector-failed');
  if (i.detector !== 'ready') return paused(i.detectorRestarting ? 'detector-restarting' : 'detector-loading');
  if (i.pageHidden) return paused('page-hidden');
  return { state: 'counting', reason: null };
}

export const PAUSE_REASON_TEXT: Record<PauseReason, string> = {
  'page-hidden': 'the app is in the background',
  'camera-lost': 'the camera stopped; reconnecting',
  'detector-loading': 'loading the vehicle detector',
  'detector-restarting': 'restarting the vehicle detector',
  'detector-failed': 'the vehicle detector could not be loaded',
  'camera-moved': 'the camera moved: check the slots',
};

/**
 * The status as published next to `toMetadata(...)` (field `status`), so viewers can tell live counts from frozen ones:
 * `{ "state": "paused", "reason": "page-hidden", "since": "2026-11-28T12:00:00.000Z" }`.
 */
export interface StatusMetadata {
  state: CountingState;
  reason: PauseReason | null;
  /** ISO-8601 time the app entered this state. */
  since: string;
}

/**
 * The status as it travels with every shared state (the protocol's `status`): `{"state": "paused", "reason":
 * "page-hidden", "since": "…"}`. Reasons the app sends today are the `PauseReason`s; readers show one they do not
 * know as it is, so a newer counter's reason reaches older viewers.
 */
export interface CounterStatus {
  state: CountingState;
  /** Why it is paused; null while counting or stopped. */
  reason: string | null;
  /** ISO-8601 time the counter entered this state. */
  since: string;
}

/** Whether the counter is counting: `paused` and `stopped` counts are the last ones seen, not live ones. */
export type CounterState = CountingState;

export function toStatusMetadata(status: CountingStatus, since: number): StatusMetadata {
  return { state: status.state, reason: status.reason, since: new Date(since).toISOString() };
}

export function sameStatus(a: CountingStatus, b: CountingStatus): boolean {
  return a.state === b.state && a.reason === b.reason;
}

/** How a status line looks: live (green), paused (amber), stopped (grey), a warning (amber, the counts uncertain), offline (grey). */
export type StatusTone = 'live' | 'paused' | 'stopped' | 'warning' | 'offline';

/**
 * One line under the counts saying whether they are current: `key` names the state for styling and tests
 * (`data-counting`), `text` says it in words. States add a case to `describeCounting` (as "the camera moved: check the
 * slots" did, in the warning tone) and show in the same place, on the counter, in viewers and in monitor mode.
 */
export interface StatusLine {
  readonly key: string;
  readonly tone: StatusTone;
  readonly text: string;
}

/** The camera moved too far for the slots to follow: not just paused, the layout needs a person (issue 12). */
export const CAMERA_MOVED_LINE: StatusLine = { key: 'camera-moved', tone: 'warning', text: PAUSE_REASON_TEXT['camera-moved'] };

export function describeCounting(s: CountingStatus): StatusLine {
  if (s.state === 'paused' && s.reason === 'camera-moved') return CAMERA_MOVED_LINE;
  if (s.state === 'counting') return { key: 'counting', tone: 'live', text: 'counting' };
  if (s.state === 'paused') return { key: 'paused', tone: 'paused', text: `paused: ${s.reason ? PAUSE_REASON_TEXT[s.reason] : 'not analysing frames'}` };
  return { key: 'stopped', tone: 'stopped', text: 'not counting' };
}

/** How full the lot is, for colour and words that do not rely on colour alone: free spaces, a few left, full, no slots. */
export type Availability = 'free' | 'few' | 'full' | 'none';

export function availabilityOf(c: { readonly total: number; readonly available: number }): Availability {
  if (c.total === 0) return 'none';
  if (c.available === 0) return 'full';
  return c.available <= Math.max(1, Math.round(c.total * 0.1)) ? 'few' : 'free';
}
