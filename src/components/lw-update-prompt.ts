import { LitElement, css, html, nothing } from 'lit';
import type { UpdateAction } from '../pwa/update-policy.ts';
import { controlStyles } from './shared-styles.ts';

/**
 * Offers a new version: a banner with "Reload now" and "Later", then (after "Later") a small reminder button. It only
 * asks; the app reloads when the user accepts, never by itself in the middle of counting.
 *
 * @fires update-accepted - the user wants the new version now
 * @fires update-postponed - the user chose later
 */
export class LwUpdatePrompt extends LitElement {
  static override properties = { action: { type: String }, counting: { type: Boolean } };
  declare action: UpdateAction;
  /** Counting now: say that a reload restarts the count, and that nothing happens until they choose. */
  declare counting: boolean;

  constructor() {
    super();
    this.action = 'none';
    this.counting = false;
  }

  static override styles = [
    controlStyles,
    css`
      :host {
        display: block;
      }
      .banner {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 8px 12px;
        padding: 10px 12px;
        background: #0c4a6e;
        color: #e0f2fe;
        border-bottom: 1px solid #0284c7;
      }
      p {
        margin: 0;
        flex: 1 1 16rem;
      }
      .actions {
        display: flex;
        gap: 8px;
      }
    `,
  ];

  override render() {
    if (this.action === 'offer') {
      return html`<section class="banner" aria-label="Update" aria-live="polite">
        <p>
          <strong>A new version of lotwatch is ready.</strong>
          ${this.counting
            ? 'Counting goes on until you reload; after the reload the camera and the count restart by themselves.'
            : 'Reload to use it.'}
        </p>
        <div class="actions">
          <button class="primary" @click=${() => this.fire('update-accepted')}>Reload now</button>
          <button @click=${() => this.fire('update-postponed')}>Later</button>
        </div>
      </section>`;
    }
    if (this.action === 'remind') {
      return html`<button class="remind" @click=${() => this.fire('update-accepted')}>Update ready: reload</button>`;
    }
    return nothing;
  }

  private fire(name: 'update-accepted' | 'update-postponed'): void {
    this.dispatchEvent(new CustomEvent(name, { bubbles: true, composed: true }));
  }
}

customElements.define('lw-update-prompt', LwUpdatePrompt);

declare global {
  interface HTMLElementTagNameMap {
    'lw-update-prompt': LwUpdatePrompt;
  }
  interface HTMLElementEventMap {
    'update-accepted': CustomEvent<void>;
    'update-postponed': CustomEvent<void>;
  }
}
