import { LitElement, css, html } from 'lit';
import { controlStyles } from './shared-styles.ts';

/** The sources a user can pick (the shell opens them through its source controller). */
export type SourceChoice = 'camera' | 'video' | 'image';

export interface SourceRequest {
  kind: SourceChoice;
  file?: File;
}

/** Camera, or a video or photo file for demos and devices without a camera. Fires `source-requested`. */
export class LwSourcePicker extends LitElement {
  static override properties = { active: { type: String } };
  declare active: SourceChoice | '';

  constructor() {
    super();
    this.active = '';
  }

  static override styles = [
    controlStyles,
    css`
      :host {
        display: flex;
        flex-wrap: wrap;
        gap: 8px;
      }
      input[type='file'] {
        display: none;
      }
    `,
  ];

  // The file inputs stay hidden; real buttons open them, so Tab and Enter reach them (a label cannot be focused).
  override render() {
    return html`<button class=${this.active ? '' : 'primary'} aria-pressed=${this.active === 'camera'} @click=${() => this.request('camera')}>
        Use camera
      </button>
      <button aria-pressed=${this.active === 'video'} @click=${() => this.choose('video/*')}>Open video…</button>
      <input type="file" accept="video/*" tabindex="-1" aria-hidden="true" @change=${(e: Event) => this.pick(e, 'video')} />
      <button aria-pressed=${this.active === 'image'} @click=${() => this.choose('image/*')}>Open photo…</button>
      <input type="file" accept="image/*" tabindex="-1" aria-hidden="true" @change=${(e: Event) => this.pick(e, 'image')} />`;
  }

  private choose(accept: string): void {
    this.renderRoot.querySelector<HTMLInputElement>(`input[accept="${accept}"]`)?.click();
  }

  private pick(e: Event, kind: SourceChoice): void {
    const input = e.target as HTMLInputElement;
    const file = input.files?.[0];
    input.value = '';
    if (file) this.request(kind, file);
  }

  private request(kind: SourceChoice, file?: File): void {
    const detail: SourceRequest = file ? { kind, file } : { kind };
    this.dispatchEvent(new CustomEvent('source-requested', { detail, bubbles: true, composed: true }));
  }
}

customElements.define('lw-source-picker', LwSourcePicker);

declare global {
  interface HTMLElementTagNameMap {
    'lw-source-picker': LwSourcePicker;
  }
  interface HTMLElementEventMap {
    'source-requested': CustomEvent<SourceRequest>;
  }
}
