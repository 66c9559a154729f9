import { LitElement, html } from 'lit';
import { RelayViewerController, TabViewerController } from '../controllers/viewer-controllers.ts';
import '../components/lw-viewer.ts';

/** Where a viewer's numbers come from: another tab of this browser, or the relay that served this page. */
export type ViewerRoute = { readonly kind: 'tab'; readonly lot: string } | { readonly kind: 'relay'; readonly lot: string };

/** The read-only viewer page: no camera, no model, only the lot's shared state. */
export class LwViewerApp extends LitElement {
  static override properties = { route: { attribute: false } };
  declare route: ViewerRoute;
  private source: TabViewerController | RelayViewerController | null = null;

  override connectedCallback(): void {
    this.source =
      this.route.kind === 'tab' ? new TabViewerController(this, this.route.lot) : new RelayViewerController(this, location.origin, this.route.lot);
    super.connectedCallback();
  }

  override render() {
    const r = this.route;
    return html`<lw-viewer
      .model=${this.source!.model}
      heading=${`lotwatch · ${r.lot}`}
      origin=${r.kind === 'tab' ? 'from another tab of this browser' : `via ${location.host}`}
    ></lw-viewer>`;
  }
}

customElements.define('lw-viewer-app', LwViewerApp);

declare global {
  interface HTMLElementTagNameMap {
    'lw-viewer-app': LwViewerApp;
  }
}
