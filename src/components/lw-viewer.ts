import { LitElement, css, html, nothing } from 'lit';
import type { Layout, LotMetadata } from '../share/protocol.ts';
import './lw-breakdown.ts';
import { camerasLine } from './lw-breakdown.ts';
import './lw-lot-map.ts';
import './lw-notice.ts';
import './lw-status-bar.ts';

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

/** A read-only live view of a lot: counts, the slot map, and whether the numbers are live. Never opens a camera. */
export class LwViewer extends LitElement {
  static override properties = { model: { attribute: false }, heading: { type: String }, origin: { type: String } };
  declare model: ViewerModel;
  declare heading: string;
  /** Where the numbers come from, for the status line. */
  declare origin: string;

  constructor() {
    super();
    this.model = { status: 'waiting', state: null, layout: null, offlineSince: null, error: null };
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
    const m = this.model;
    const live = m.status === 'live';
    return html`<header>
        <h1>${this.heading}</h1>
        <span class="badge" data-status=${m.status}>${statusLine(m)}${this.origin ? ` · ${this.origin}` : ''}${
          camerasLine(m.state) ? ` · ${camerasLine(m.state)}` : ''
        } · read-only</span>
      </header>
      <main>
        ${this.notice(m)}
        <lw-status-bar
          .counts=${m.state ? { total: m.state.total_slots, occupied: m.state.occupied_slots, available: m.state.available_slots } : null}
          .lastChanged=${m.state ? Date.parse(m.state.last_updated) : null}
          .live=${live}
          .detail=${live ? 'live' : m.state ? 'last known numbers' : ''}
        ></lw-status-bar>
        <lw-breakdown .model=${m.state}></lw-breakdown>
        <lw-lot-map .layout=${m.layout} .slots=${m.state?.slots ?? []} .cameras=${m.state?.cameras ?? null} ?stale=${!live}></lw-lot-map>
      </main>`;
  }

  private notice(m: ViewerModel) {
    const since = m.offlineSince ? new Date(m.offlineSince).toLocaleString() : null;
    switch (m.status) {
      case 'offline':
        return html`<lw-notice tone="info" data-problem="offline" heading=${`Counter offline${since ? ` since ${since}` : ''}`}
          message="The numbers below are the last ones it sent, not live ones."></lw-notice>`;
      case 'paused':
        return html`<lw-notice tone="info" data-problem="paused" heading="Counting is paused"
          message="The counting device is not analysing frames right now (its page is hidden or its camera stopped)."></lw-notice>`;
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

function statusLine(m: ViewerModel): string {
  return { waiting: 'waiting', connecting: 'connecting…', live: 'live', paused: 'paused', offline: 'counter offline', unreachable: 'relay unreachable' }[
    m.status
  ];
}

customElements.define('lw-viewer', LwViewer);

declare global {
  interface HTMLElementTagNameMap {
    'lw-viewer': LwViewer;
  }
}
