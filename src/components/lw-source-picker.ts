import { LitElement, css, html, nothing } from 'lit';
import { controlStyles } from './shared-styles.ts';

/** The sources a user can pick (the shell opens them through its counter). */
export type SourceChoice = 'camera' | 'video' | 'image';

export interface SourceRequest {
  kind: SourceChoice;
  file?: File;
}

const NAMES: Record<SourceChoice, string> = { camera: 'Camera', video: 'Video', image: 'Photo' };

/**
 * Camera, or a video or photo file for demos and devices without a camera. Before anything runs, the three choices
 * are shown in full; once a source runs they fold into one button naming it, which opens them again together with
 * "Stop counting" (kept away from the picture's own buttons, where it was an easy mis-tap).
 *
 * @fires source-requested - a source was chosen (detail: the kind, and the file for video and photo)
 * @fires stop-requested - the user wants counting to stop
 */
export class LwSourcePicker extends LitElement {
  static override properties = { active: { type: String }, open: { state: true } };
  /** The source running now, or '' when none is. */
  declare active: SourceChoice | '';
  /** The folded menu is open. */
  declare open: boolean;

  constructor() {
    super();
    this.active = '';
    this.open = false;
  }

  static override styles = [
    controlStyles,
    css`
      :host {
        display: block;
        position: relative;
      }
      .choices {
        display: flex;
        flex-wrap: wrap;
        gap: 8px;
      }
      .menu {
        position: absolute;
        right: 0;
        top: calc(100% + 6px);
        z-index: 20;
        display: grid;
        gap: 8px;
        padding: 10px;
        min-width: 200px;
        background: #0f172a;
        border: 1px solid #334155;
        border-radius: 12px;
        box-shadow: 0 8px 24px rgb(0 0 0 / 0.5);
      }
      .menu hr {
        width: 100%;
        border: 0;
        border-top: 1px solid #334155;
        margin: 4px 0;
      }
      .chevron {
        display: inline-block;
        margin-left: 6px;
        transition: transform 0.15s;
      }
      [aria-expanded='true'] .chevron {
        transform: rotate(180deg);
      }
      input[type='file'] {
        display: none;
      }
    `,
  ];

  override connectedCallback(): void {
    super.connectedCallback();
    addEventListener('keydown', this.onKey);
    addEventListener('pointerdown', this.onOutside);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    removeEventListener('keydown', this.onKey);
    removeEventListener('pointerdown', this.onOutside);
  }

  // The file inputs stay hidden; real buttons open them, so Tab and Enter reach them (a label cannot be focused).
  override render() {
    const inputs = html`<input type="file" accept="video/*" tabindex="-1" aria-hidden="true" @change=${(e: Event) => this.pick(e, 'video')} />
      <input type="file" accept="image/*" tabindex="-1" aria-hidden="true" @change=${(e: Event) => this.pick(e, 'image')} />`;
    const choices = html`<button class=${this.active ? '' : 'primary'} aria-pressed=${this.active === 'camera'} @click=${() => this.request('camera')}>
        Use camera
      </button>
      <button aria-pressed=${this.active === 'video'} @click=${() => this.choose('video/*')}>Open video…</button>
      <button aria-pressed=${this.active === 'image'} @click=${() => this.choose('image/*')}>Open photo…</button>`;
    if (!this.active) return html`<div class="choices">${choices}</div>${inputs}`;
    return html`<button aria-expanded=${this.open ? 'true' : 'false'} aria-controls="source-menu" @click=${() => (this.open = !this.open)}>
        <span class="visually-hidden">Source: </span>${NAMES[this.active]}<span class="chevron" aria-hidden="true">▾</span>
      </button>
      ${this.open
        ? html`<div class="menu" id="source-menu" role="group" aria-label="Source">
            ${choices}
            <hr />
            <button class="danger" @click=${this.stop}>Stop counting</button>
          </div>`
        : nothing}
      ${inputs}`;
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
    this.open = false;
    const detail: SourceRequest = file ? { kind, file } : { kind };
    this.dispatchEvent(new CustomEvent('source-requested', { detail, bubbles: true, composed: true }));
  }

  private stop = (): void => {
    this.open = false;
    this.dispatchEvent(new CustomEvent('stop-requested', { bubbles: true, composed: true }));
  };

  private onKey = (e: KeyboardEvent): void => {
    if (e.key === 'Escape' && this.open) this.open = false;
  };

  private onOutside = (e: PointerEvent): void => {
    if (this.open && !e.composedPath().includes(this)) this.open = false;
  };
}

customElements.define('lw-source-picker', LwSourcePicker);

declare global {
  interface HTMLElementTagNameMap {
    'lw-source-picker': LwSourcePicker;
  }
  interface HTMLElementEventMap {
    'source-requested': CustomEvent<SourceRequest>;
    'stop-requested': CustomEvent<void>;
  }
}
