import { LitElement, css, html, nothing } from 'lit';
import '../components/lw-history-dashboard.ts';
import { controlStyles } from '../components/shared-styles.ts';
import { HistoryViewController } from '../controllers/history-view-controller.ts';
import type { HistorySource } from '../history/source.ts';

/**
 * The history page: the dashboard fed by a source, this device's own history (with exports of raw events, storage
 * and retention) or a relay's (read-only). Loaded only when opened, with its charting library.
 */
export class LwHistoryPage extends LitElement {
  static override properties = {
    source: { attribute: false },
    heading: { type: String },
    backHref: { type: String, attribute: 'back-href' },
    readOnly: { type: Boolean, attribute: 'read-only' },
  };

  declare source: HistorySource | null;
  declare heading: string;
  /** Where "Back" goes (the counter); none on a viewer, whose tabs do that. */
  declare backHref: string;
  declare readOnly: boolean;

  readonly view = new HistoryViewController(this, () => this.source);

  constructor() {
    super();
    this.source = null;
    this.heading = 'History';
    this.backHref = '';
    this.readOnly = false;
  }

  static override styles = [
    controlStyles,
    css`
      :host {
        display: block;
        color: #e2e8f0;
        font: 16px/1.4 system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif;
      }
      header {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 8px 12px;
        margin-bottom: 12px;
      }
      h1 {
        font-size: 1.25rem;
        margin: 0;
      }
      a.button {
        text-decoration: none;
      }
      .badge {
        color: #94a3b8;
        font-size: 0.85rem;
      }
    `,
  ];

  override render() {
    const v = this.view;
    return html`<header>
        ${this.backHref ? html`<a class="button" href=${this.backHref}>← Counter</a>` : nothing}
        <h1>${this.heading}</h1>
        ${this.readOnly ? html`<span class="badge">read-only</span>` : nothing}
      </header>
      <lw-history-dashboard
        .report=${v.report}
        status=${v.status}
        error=${v.error}
        .choice=${v.choice}
        time-zone=${v.timeZone}
        .storage=${this.readOnly ? null : v.storage}
        .retentionDays=${this.readOnly ? null : v.retentionDays}
        ?events-export=${!this.readOnly && Boolean(this.source?.events)}
        note=${v.note}
        empty-hint=${this.readOnly
          ? 'The counter did not publish to this relay then.'
          : 'This device records history only while its camera counts: a video or a photo is not the lot as it is now, so counting one records nothing.'}
        @history-range-changed=${(e: CustomEvent<{ choice: typeof v.choice }>) => v.setChoice(e.detail.choice)}
        @history-export-requested=${(e: CustomEvent<{ table: 'events' | 'series' | 'slots'; format: 'csv' | 'json' }>) =>
          void v.export(e.detail.table, e.detail.format)}
        @history-retention-changed=${(e: CustomEvent<{ days: number }>) => void v.saveRetention(e.detail.days)}
      ></lw-history-dashboard>`;
  }

  protected override updated(changed: Map<PropertyKey, unknown>): void {
    // The device's source arrives once its database is open.
    if (changed.has('source') && changed.get('source') === null && this.source) void this.view.load();
  }
}

customElements.define('lw-history-page', LwHistoryPage);

declare global {
  interface HTMLElementTagNameMap {
    'lw-history-page': LwHistoryPage;
  }
}
