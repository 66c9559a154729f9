import { LitElement, css, html, nothing, type PropertyValues } from 'lit';
import { unsafeHTML } from 'lit/directives/unsafe-html.js';
import QRCode from 'qrcode';
import { controlStyles } from './shared-styles.ts';

/** Where the counter publishes, as far as the panel shows it (the token is never shown again). */
export interface RelayTarget {
  readonly url: string;
  readonly lot: string;
  /** Publishing as one camera of a lot seen by several. */
  readonly camera?: string;
}

/** The link to the relay: none, the lot being created, connecting, live, unreachable, or refused for good. */
export type RelayLinkStatus = 'off' | 'creating' | 'connecting' | 'live' | 'unreachable' | 'refused';

/** Why the relay could not be set up: which case (`kind`), what happened and what to try. */
export interface RelaySetupProblem {
  readonly kind: string;
  readonly message: string;
  readonly advice: string;
}

export interface RelayConnectRequest {
  url: string;
  lot: string;
  /** Null: create the lot on the relay and get a new token. */
  token: string | null;
  /** Publish as this camera of a lot seen by several phones; null: as the lot. */
  camera: string | null;
  /** To create the lot on a relay that lets only its operator create lots. */
  operatorToken: string | null;
}

/**
 * Sharing the counts: a viewer tab on this device, the metadata as a file or on the clipboard, and a relay with a
 * viewer link (QR code + copy). Fires `relay-connect-requested`, `relay-disconnect-requested`,
 * `metadata-download-requested`, `metadata-copy-requested`, `link-copy-requested`, `token-copy-requested`.
 */
export class LwSharePanel extends LitElement {
  static override properties = {
    relay: { attribute: false },
    relayStatus: { type: String, attribute: 'relay-status' },
    relayDetail: { attribute: false },
    problem: { attribute: false },
    createdToken: { attribute: false },
    viewerLink: { attribute: false },
    localViewerLink: { type: String, attribute: 'local-viewer-link' },
    defaultRelayUrl: { type: String, attribute: 'default-relay-url' },
    note: { type: String },
    qr: { state: true },
    haveToken: { state: true },
  };

  declare relay: RelayTarget | null;
  declare relayStatus: RelayLinkStatus;
  declare relayDetail: string | null;
  declare problem: RelaySetupProblem | null;
  declare createdToken: string | null;
  declare viewerLink: string | null;
  declare localViewerLink: string;
  declare defaultRelayUrl: string;
  /** A short confirmation ("Copied") shown after an action. */
  declare note: string;
  declare qr: string;
  declare haveToken: boolean;

  constructor() {
    super();
    this.relay = null;
    this.relayStatus = 'off';
    this.relayDetail = null;
    this.problem = null;
    this.createdToken = null;
    this.viewerLink = null;
    this.localViewerLink = '#/view';
    this.defaultRelayUrl = '';
    this.note = '';
    this.qr = '';
    this.haveToken = false;
  }

  static override styles = [
    controlStyles,
    css`
      :host {
        display: grid;
        gap: 14px;
      }
      h3 {
        font-size: 0.95rem;
        margin: 0 0 6px;
        color: #cbd5e1;
      }
      .row {
        display: flex;
        flex-wrap: wrap;
        gap: 8px;
        align-items: center;
      }
      form {
        display: grid;
        gap: 8px;
      }
      label {
        display: grid;
        gap: 4px;
        font-size: 0.9rem;
      }
      a {
        color: #7dd3fc;
        word-break: break-all;
      }
      .qr {
        width: 168px;
        height: 168px;
        background: #fff;
        border-radius: 8px;
        padding: 6px;
        box-sizing: border-box;
      }
      .qr svg {
        width: 100%;
        height: 100%;
      }
      .token {
        flex: 1;
        min-width: 0;
        font-family: ui-monospace, monospace;
        word-break: break-all;
        background: #1e293b;
        padding: 6px 8px;
        border-radius: 8px;
        user-select: all;
      }
      .status {
        font-size: 0.9rem;
      }
      .status[data-status='live'] {
        color: #4ade80;
      }
      .status[data-status='unreachable'],
      .status[data-status='refused'] {
        color: #fca5a5;
      }
      small {
        color: #94a3b8;
      }
      .problem {
        padding: 8px 10px;
        border-radius: 10px;
        border: 1px solid #7f1d1d;
        background: #2a0f12;
        color: #fecaca;
        font-size: 0.9rem;
      }
      .problem p {
        margin: 4px 0 0;
        color: #fde2e2;
      }
    `,
  ];

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('viewerLink')) {
      this.qr = '';
      const link = this.viewerLink;
      if (link) {
        void QRCode.toString(link, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' }).then((svg) => {
          if (this.viewerLink === link) this.qr = svg;
        });
      }
    }
  }

  override render() {
    return html`<section>
        <h3>On this device</h3>
        <div class="row">
          <a class="button" href=${this.localViewerLink} target="_blank" rel="noopener">Open a viewer tab</a>
        </div>
        <small>Other tabs and windows of this browser follow the counts live, without the camera.</small>
      </section>
      <section>
        <h3>Metadata</h3>
        <div class="row">
          <button @click=${() => this.fire('metadata-download-requested')}>Download JSON</button>
          <button @click=${() => this.fire('metadata-copy-requested')}>Copy JSON</button>
        </div>
        <small>The original API's shape (total, occupied, available, last updated), per-slot detail and the slot layout.</small>
      </section>
      <section>
        <h3>Relay</h3>
        ${this.relay ? this.renderConnected(this.relay) : this.renderConnect()}
      </section>
      ${this.note ? html`<small role="status">${this.note}</small>` : nothing}`;
  }

  private renderConnected(relay: RelayTarget) {
    return html`<div class="status" data-status=${this.relayStatus} role="status">
        Publishing to ${relay.url} as lot “${relay.lot}”${relay.camera ? `, camera “${relay.camera}”` : ''}: <strong>${this.relayStatus}</strong>${this.relayDetail ? ` — ${this.relayDetail}` : ''}
      </div>
      ${this.createdToken
        ? html`<p>Publish token for this lot, shown only now (keep it to publish from another device):</p>
            <div class="row">
              <div class="token" data-token>${this.createdToken}</div>
              <button @click=${() => this.fire('token-copy-requested')}>Copy token</button>
            </div>`
        : nothing}
      ${this.viewerLink
        ? html`<p>Viewers anywhere, read-only: <a href=${this.viewerLink} target="_blank" rel="noopener" data-viewer-link>${this.viewerLink}</a></p>
            <div class="row">
              <div class="qr" role="img" aria-label="QR code of the viewer link">${this.qr ? unsafeHTML(this.qr) : nothing}</div>
              <button @click=${() => this.fire('link-copy-requested')}>Copy link</button>
            </div>`
        : nothing}
      <div class="row"><button class="danger" @click=${() => this.fire('relay-disconnect-requested')}>Stop publishing</button></div>`;
  }

  private renderConnect() {
    return html`<form @submit=${this.onSubmit}>
      <label>Relay address <input name="url" type="url" required .value=${this.defaultRelayUrl} /></label>
      <label>Lot name (a-z, 0-9, - and _) <input name="lot" required pattern="[a-z0-9_\\-]{1,64}" value="default" /></label>
      <label class="row"
        ><input type="checkbox" .checked=${this.haveToken} @change=${(e: Event) => (this.haveToken = (e.target as HTMLInputElement).checked)} />
        I have this lot’s publish token</label
      >
      ${this.haveToken
        ? html`<label>Publish token <input name="token" required autocomplete="off" /></label>
            <label>Camera, when several phones count this lot (a-z, 0-9, - and _; optional)
              <input name="camera" pattern="[a-z0-9_\-]{1,32}" autocomplete="off" placeholder="north" /></label>`
        : html`<label>Operator token (only if the relay asks for one) <input name="operatorToken" autocomplete="off" /></label>`}
      <div class="row">
        <button class="primary" type="submit" ?disabled=${this.relayStatus === 'creating'}>
          ${this.haveToken ? 'Publish to relay' : 'Create lot and publish'}
        </button>
      </div>
      ${this.problem
        ? html`<div class="problem" role="alert" data-relay-problem=${this.problem.kind}>
            <strong>${this.problem.message}.</strong>
            <p>${this.problem.advice}</p>
          </div>`
        : nothing}
      <small>Only counts and the slot map are sent, never video.</small>
    </form>`;
  }

  private onSubmit = (e: SubmitEvent): void => {
    e.preventDefault();
    const data = new FormData(e.currentTarget as HTMLFormElement);
    const detail: RelayConnectRequest = {
      url: String(data.get('url') ?? '').trim(),
      lot: String(data.get('lot') ?? '').trim(),
      token: this.haveToken ? String(data.get('token') ?? '').trim() || null : null,
      camera: this.haveToken ? String(data.get('camera') ?? '').trim() || null : null,
      operatorToken: this.haveToken ? null : String(data.get('operatorToken') ?? '').trim() || null,
    };
    this.dispatchEvent(new CustomEvent('relay-connect-requested', { detail, bubbles: true, composed: true }));
  };

  private fire(
    name: 'metadata-download-requested' | 'metadata-copy-requested' | 'link-copy-requested' | 'token-copy-requested' | 'relay-disconnect-requested',
  ): void {
    this.dispatchEvent(new CustomEvent(name, { bubbles: true, composed: true }));
  }
}

customElements.define('lw-share-panel', LwSharePanel);

declare global {
  interface HTMLElementTagNameMap {
    'lw-share-panel': LwSharePanel;
  }
  interface HTMLElementEventMap {
    'relay-connect-requested': CustomEvent<RelayConnectRequest>;
    'relay-disconnect-requested': CustomEvent<void>;
    'metadata-download-requested': CustomEvent<void>;
    'metadata-copy-requested': CustomEvent<void>;
    'link-copy-requested': CustomEvent<void>;
    'token-copy-requested': CustomEvent<void>;
  }
}
