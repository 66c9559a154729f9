import { LitElement, css, html, nothing } from 'lit';
import type { StatusLine } from '../occupancy/counting-status.ts';
import type { LotCounts } from '../occupancy/types.ts';
import { camerasLine, type BreakdownModel } from './lw-breakdown.ts';
import type { MapLayout, MapSlotState } from './lw-lot-map.ts';
import './lw-breakdown.ts';
import './lw-lot-map.ts';
import './lw-notice.ts';
import './lw-status-bar.ts';

/** Whether the numbers shown are live, and if not, why. */
export type ViewerConnection = 'waiting' | 'connecting' | 'live' | 'paused' | 'stopped' | 'offline' | 'unreachable';

/** What the viewer shows: the lot's counts and slot map, wherever they come from (another tab, or a relay). */
export interface LotView {
  readonly connection: ViewerConnection;
  /** The same, in words, under the counts. */
  readonly line: StatusLine;
  /** Why the counter is paused, in words. */
  readonly pausedBecause: string;
  readonly counts: LotCounts | null;
  /** Epoch ms the counts last changed. */
  readonly lastChanged: number | null;
  /** The slot map, and what is known of each slot now. */
  readonly layout: MapLayout | null;
  readonly slots: readonly MapSlotState[];
  /** Counts per zone and kind, cameras online, what is left out of the counts. */
  readonly breakdown: BreakdownModel | null;
  /** When the counter went offline or stopped (ISO-8601), if it did. */
  readonly offlineSince: string | null;
  /** Why the view gave up, in words. */
  readonly error: string | null;
}

export const EMPTY_LOT_VIEW: LotView = {
  connection: 'waiting',
  line: { key: 'waiting', tone: 'stopped', text: 'waiting' },
  pausedBecause: '',
  counts: null,
  lastChanged: null,
  layout: null,
  slots: [],
  breakdown: null,
  offlineSince: null,
  error: null,
};

/** A read-only live view of a lot: counts, the slot map, and whether the numbers are live. Never opens a camera. */
export class LwViewer extends LitElement {
  static override properties = { view: { attribute: false }, heading: { type: String }, origin: { type: String } };
  declare view: LotView;
  declare heading: string;
  /** Where the numbers come from, for the status line. */
  declare origin: string;

  constructor() {
    super();
    this.view = EMPTY_LOT_VIEW;
    this.heading = 'lotwatch';
    this.origin = '';
  }

  static override styles = css`
    :host {
      display: block;
      min-height: 100vh;
      background: #020617;
      color: #e2e8f0;
      font: 16px/1.4 system-ui, sans-serif;
    }
    header {
      padding: 10px 12px;
      border-bottom: 1px solid #1e293b;
      display: flex;
      flex-wrap: wrap;
      gap: 6px 12px;
      align-items: baseline;
    }
    h1 {
      font-size: 1.25rem;
      margin: 0;
    }
    .badge {
      font-size: 0.85rem;
      color: #94a3b8;
    }
    main {
      padding: 12px;
      display: grid;
      gap: 12px;
      max-width: 1100px;
      margin: 0 auto;
    }
  `;

  override render() {
    const v = this.view;
    const live = v.connection === 'live';
    return html`<header>
        <h1>${this.heading}</h1>
        <span class="badge" data-status=${v.connection}>${statusLine(v.connection)}${this.origin ? ` · ${this.origin}` : ''}${
          camerasLine(v.breakdown) ? ` · ${camerasLine(v.breakdown)}` : ''
        } · read-only</span>
      </header>
      <main>
        ${this.notice(v)}
        <lw-status-bar
          .counts=${v.counts}
          .lastChanged=${v.lastChanged}
          .status=${v.line}
          .detail=${live || !v.counts ? '' : 'last known numbers'}
        ></lw-status-bar>
        <lw-breakdown .model=${v.breakdown}></lw-breakdown>
        <lw-lot-map .layout=${v.layout} .slots=${v.slots} .cameras=${v.breakdown?.cameras ?? null} ?stale=${!live}></lw-lot-map>
      </main>`;
  }

  private notice(m: LotView) {
    const since = m.offlineSince ? new Date(m.offlineSince).toLocaleString() : null;
    switch (m.connection) {
      case 'offline':
        return html`<lw-notice tone="info" data-problem="offline" heading=${`Counter offline${since ? ` since ${since}` : ''}`}
          message="The numbers below are the last ones it sent, not live ones."></lw-notice>`;
      case 'paused':
        if (m.line.key === 'camera-moved') {
          return html`<lw-notice tone="info" data-problem="camera-moved" heading="The counter's camera moved"
            message="Its slots no longer fit the picture, so it holds the last counts (uncertain) until someone checks the slots on the counting device."></lw-notice>`;
        }
        return html`<lw-notice tone="info" data-problem="paused" heading="Counting is paused"
          .message=${`The counting device is not analysing frames right now: ${m.pausedBecause}. The numbers below are the last ones it saw.`}></lw-notice>`;
      case 'stopped':
        return html`<lw-notice tone="info" data-problem="stopped" heading=${`Counting stopped${since ? ` at ${since}` : ''}`}
          message="Someone stopped counting on the counting device. The numbers below are the last ones it saw, not live ones."></lw-notice>`;
      case 'unreachable':
        return html`<lw-notice data-problem="unreachable" heading="The relay cannot be reached"
          .message=${m.error ?? 'Retrying by itself; the numbers below may be out of date.'}></lw-notice>`;
      case 'waiting':
        return html`<lw-notice tone="info" data-problem="waiting" heading="Waiting for a counter"
          message="Nothing is counting this lot in this browser right now. Start counting in another tab, and this view follows it."></lw-notice>`;
      default:
        return nothing;
    }
  }
}

function statusLine(c: ViewerConnection): string {
  return {
    waiting: 'waiting',
    connecting: 'connecting…',
    live: 'live',
    paused: 'paused',
    stopped: 'stopped',
    offline: 'counter offline',
    unreachable: 'relay unreachable',
  }[c];
}

customElements.define('lw-viewer', LwViewer);

declare global {
  interface HTMLElementTagNameMap {
    'lw-viewer': LwViewer;
  }
}
