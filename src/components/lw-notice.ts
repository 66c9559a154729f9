import { LitElement, css, html, nothing } from 'lit';

/** A message that explains what went wrong and what to do, with an optional action (retry); more actions go in its slot. */
export class LwNotice extends LitElement {
  static override properties = {
    heading: { type: String },
    message: { type: String },
    action: { type: String },
    tone: { type: String, reflect: true },
  };

  declare heading: string;
  declare message: string;
  /** Label of the action button; none when empty. Clicking it fires `notice-action`. */
  declare action: string;
  declare tone: 'error' | 'info';

  constructor() {
    super();
    this.heading = '';
    this.message = '';
    this.action = '';
    this.tone = 'error';
  }

  static override styles = css`
    :host {
      display: block;
      border-radius: 12px;
      padding: 12px 14px;
      background: #450a0a;
      color: #fee2e2;
      border: 1px solid #b91c1c;
    }
    :host([tone='info']) {
      background: #0c4a6e;
      color: #e0f2fe;
      border-color: #0284c7;
    }
    h2 {
      font-size: 1.05rem;
      margin: 0 0 4px;
    }
    p {
      margin: 0;
      line-height: 1.4;
    }
    button {
      margin-top: 10px;
      min-height: 44px;
      min-width: 44px;
      padding: 0 16px;
      border-radius: 8px;
      border: 0;
      font: inherit;
      font-weight: 600;
      background: #fee2e2;
      color: #450a0a;
      cursor: pointer;
    }
  `;

  override render() {
    return html`<div role=${this.tone === 'error' ? 'alert' : 'status'}>
      <h2>${this.heading}</h2>
      <p>${this.message}</p>
      ${this.action
        ? html`<button @click=${() => this.dispatchEvent(new CustomEvent('notice-action', { bubbles: true, composed: true }))}>
            ${this.action}
          </button>`
        : nothing}
      <slot></slot>
    </div>`;
  }
}

customElements.define('lw-notice', LwNotice);

declare global {
  interface HTMLElementTagNameMap {
    'lw-notice': LwNotice;
  }
  interface HTMLElementEventMap {
    'notice-action': CustomEvent<void>;
  }
}
