import { LitElement, css, html, nothing } from 'lit';
import { RelayViewerController, TabViewerController } from '../controllers/viewer-controllers.ts';
import { controlStyles } from '../components/shared-styles.ts';
import type { LotView } from '../components/lw-viewer.ts';
import type { RelayHistory } from '../share/relay-history.ts';
import { pauseText, viewerStatusLine, type ViewerModel } from '../share/viewer-model.ts';
import '../components/lw-viewer.ts';

/** Where a viewer's numbers come from: another tab of this browser, or the relay that served this page. */
export type ViewerRoute = { readonly kind: 'tab'; readonly lot: string } | { readonly kind: 'relay'; readonly lot: string };

/** The read-only viewer page: no camera, no model, only the lot's shared state. */
export class LwViewerApp extends LitElement {
  static override properties = { route: { attribute: false }, tab: { state: true } };
  declare route: ViewerRoute;
  /** A relay's viewer has two tabs: the live lot, and its history (`#history`), the same dashboard as the device's, read-only. */
  declare tab: 'live' | 'history';
  private source: TabViewerController | RelayViewerController | null = null;
  private history: RelayHistory | null = null;

  constructor() {
    super();
    this.tab = 'live';
  }

  static override styles = [
    controlStyles,
    css`
      :host {
        display: block;
        min-height: 100vh;
        background: #020617;
      }
      nav {
        display: flex;
        gap: 8px;
        padding: 8px 12px 0;
      }
      a.button {
        text-decoration: none;
      }
      a[aria-current='page'] {
        background: #facc15;
        color: #111827;
        border-color: #facc15;
      }
      lw-history-page {
        padding: 12px;
        max-width: 1100px;
        margin: 0 auto;
      }
    `,
  ];

  override connectedCallback(): void {
    this.source =
      this.route.kind === 'tab' ? new TabViewerController(this, this.route.lot) : new RelayViewerController(this, location.origin, this.route.lot);
    if (this.route.kind === 'relay') {
      addEventListener('hashchange', this.onHash);
      this.onHash();
    }
    super.connectedCallback();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    removeEventListener('hashchange', this.onHash);
  }

  private onHash = (): void => {
    if (location.hash !== '#history') {
      this.tab = 'live';
      return;
    }
    // The dashboard and its charts load only when asked for.
    const lot = this.route.lot;
    Promise.all([import('./lw-history-page.ts'), import('../share/relay-history.ts')]).then(
      ([, { RelayHistory }]) => {
        this.history ??= new RelayHistory(location.origin, lot);
        this.tab = location.hash === '#history' ? 'history' : 'live';
      },
      () => (this.tab = 'live'),
    );
  };

  override render() {
    const r = this.route;
    const tabs =
      r.kind === 'relay'
        ? html`<nav aria-label="View">
          <a class="button" href="#live" aria-current=${this.tab === 'live' ? 'page' : 'false'}>Live</a>
          <a class="button" href="#history" aria-current=${this.tab === 'history' ? 'page' : 'false'}>History</a>
        </nav>`
      : nothing;
    if (this.tab === 'history' && this.history) {
      return html`${tabs}<lw-history-page .source=${this.history} heading=${`lotwatch · ${r.lot} · history`} read-only></lw-history-page>`;
    }
    return html`${tabs}<lw-viewer
      .view=${toLotView(this.source!.model)}
      heading=${`lotwatch · ${r.lot}`}
      origin=${r.kind === 'tab' ? 'from another tab of this browser' : `via ${location.host}`}
    ></lw-viewer>`;
  }
}

/** The shared state (protocol shapes) as the viewer element shows it. */
export function toLotView(m: ViewerModel): LotView {
  const s = m.state;
  return {
    connection: m.status,
    line: viewerStatusLine(m),
    pausedBecause: pauseText(m.counter?.reason ?? null),
    counts: s ? { total: s.total_slots, occupied: s.occupied_slots, available: s.available_slots } : null,
    lastChanged: s ? Date.parse(s.last_updated) : null,
    layout: m.layout,
    slots: s?.slots ?? [],
    breakdown: s,
    offlineSince: m.offlineSince,
    error: m.error,
  };
}

customElements.define('lw-viewer-app', LwViewerApp);

declare global {
  interface HTMLElementTagNameMap {
    'lw-viewer-app': LwViewerApp;
  }
}
