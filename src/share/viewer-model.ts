import { CAMERA_MOVED_LINE, PAUSE_REASON_TEXT, type PauseReason, type StatusLine } from '../occupancy/counting-status.ts';
import type { CounterStatus, Layout, LotMetadata, TabMessage } from './protocol.ts';
import type { ViewerView } from './relay-client.ts';

/** Whether a viewer's numbers are live, and if not, why. */
export type ViewerStatus = 'waiting' | 'connecting' | 'live' | 'paused' | 'stopped' | 'offline' | 'unreachable';

/** What a viewer shows, wherever the numbers come from (another tab, or a relay). */
export interface ViewerModel {
  readonly status: ViewerStatus;
  readonly state: LotMetadata | null;
  readonly layout: Layout | null;
  /** When the counter went offline or stopped (ISO-8601), if it did. */
  readonly offlineSince: string | null;
  /** What the counter said of itself with its last state, if it did (why it is paused). */
  readonly counter: CounterStatus | null;
  /** Why the view gave up, in words. */
  readonly error: string | null;
}

export const INITIAL_VIEWER_MODEL: ViewerModel = { status: 'connecting', state: null, layout: null, offlineSince: null, counter: null, error: null };

/** A counter that is there: live while it says it counts (or says nothing, as older counters), else paused or stopped. */
function presentStatus(counter: CounterStatus | null | undefined, fallback: 'live' | 'paused'): ViewerStatus {
  if (!counter) return fallback;
  return counter.state === 'counting' ? 'live' : counter.state;
}

/** A relay subscription's view as the viewer shows it. */
export function fromRelayView(v: ViewerView): ViewerModel {
  const status: ViewerStatus = v.status === 'live' ? presentStatus(v.counter, 'live') : v.status;
  return {
    status,
    state: v.state,
    layout: v.layout,
    offlineSince: status === 'stopped' ? (v.counter?.since ?? null) : v.offlineSince,
    counter: v.counter,
    error: v.error,
  };
}

/** The next model after a message from the counting tab of this browser (`hello` changes nothing). */
export function fromTabMessage(m: ViewerModel, msg: TabMessage): ViewerModel {
  if (msg.type === 'state') {
    const counter = msg.state.status ?? null;
    const status = presentStatus(counter, msg.counting ? 'live' : 'paused');
    return { ...m, status, state: msg.state, layout: msg.state.layout ?? m.layout, counter, offlineSince: status === 'stopped' ? (counter?.since ?? null) : null };
  }
  if (msg.type === 'stopped') return { ...m, status: 'waiting', offlineSince: msg.at };
  return m;
}

/** Why the counter is paused, in words; a reason this version does not know is shown as it is. */
export function pauseText(reason: string | null): string {
  if (!reason) return 'the counter is not analysing frames right now';
  return reason in PAUSE_REASON_TEXT ? PAUSE_REASON_TEXT[reason as PauseReason] : reason.replace(/-/g, ' ');
}

/** The viewer's line under the counts: whether they are live, and if not, why. */
export function viewerStatusLine(m: ViewerModel): StatusLine {
  const at = (iso: string | null) => (iso ? ` since ${new Date(iso).toLocaleTimeString()}` : '');
  switch (m.status) {
    case 'live':
      return { key: 'counting', tone: 'live', text: 'live' };
    case 'paused':
      if (m.counter?.reason === 'camera-moved') return CAMERA_MOVED_LINE;
      return { key: 'paused', tone: 'paused', text: `paused: ${pauseText(m.counter?.reason ?? null)}` };
    case 'stopped':
      return { key: 'stopped', tone: 'stopped', text: `counting stopped${at(m.offlineSince)}` };
    case 'offline':
      return { key: 'offline', tone: 'offline', text: `counter offline${at(m.offlineSince)}` };
    case 'unreachable':
      return { key: 'unreachable', tone: 'offline', text: 'relay unreachable' };
    case 'connecting':
      return { key: 'connecting', tone: 'stopped', text: 'connecting…' };
    case 'waiting':
      return { key: 'waiting', tone: 'stopped', text: 'waiting for a counter' };
  }
}
