import { LitElement, css, html, nothing } from 'lit';
import type { Slot } from '../occupancy/types.ts';
import {
  detectFormat,
  parseLayoutFile,
  toLabelledFrame,
  toLotwatchLayout,
  toUltralytics,
  type FrameSize,
  type ImportedLayout,
} from '../layout/layout-format.ts';
import { controlStyles } from './shared-styles.ts';

export interface LayoutImportedDetail {
  layout: ImportedLayout;
  fileName: string;
}

/**
 * Layouts in and out as files: the app's own layout, a labelled frame (the format `npm run eval` reads), and
 * Ultralytics' bounding_boxes.json. A file that fails validation changes nothing; the reason is shown here.
 *
 * @fires layout-imported
 */
export class LwLayoutFiles extends LitElement {
  static override properties = {
    slots: { attribute: false },
    frame: { attribute: false },
    imageName: { type: String, attribute: 'image-name' },
    pending: { state: true },
    message: { state: true },
  };

  declare slots: readonly Slot[];
  /** The picture's size, or null when none is open (nothing to export against). */
  declare frame: FrameSize | null;
  /** The picture's file name, for the labelled frame's "image". */
  declare imageName: string;
  /** An Ultralytics file waiting for the size of the picture it was made on. */
  declare pending: { text: string; name: string } | null;
  declare message: { kind: 'error' | 'info'; text: string } | null;

  constructor() {
    super();
    this.slots = [];
    this.frame = null;
    this.imageName = '';
    this.pending = null;
    this.message = null;
  }

  static override styles = [
    controlStyles,
    css`
      :host {
        display: grid;
        gap: 8px;
      }
      .row {
        display: flex;
        flex-wrap: wrap;
        gap: 6px;
        align-items: center;
      }
      input[type='file'] {
        display: none;
      }
      input[type='number'] {
        width: 6em;
      }
      p {
        margin: 0;
        font-size: 0.9rem;
      }
      .error {
        color: #fecaca;
      }
      .info {
        color: #bbf7d0;
      }
      .muted {
        color: #94a3b8;
      }
    `,
  ];

  override render() {
    const canExport = Boolean(this.frame && this.slots.length);
    return html`<div class="row">
        <label class="button">Import layout…<input type="file" accept=".json,application/json" @change=${this.onFile} /></label>
      </div>
      ${this.pending ? this.renderSizeForm(this.pending) : nothing}
      ${this.message
        ? html`<p class=${this.message.kind} role=${this.message.kind === 'error' ? 'alert' : 'status'} data-kind=${this.message.kind}>
            ${this.message.text}
          </p>`
        : nothing}
      <div class="row" role="group" aria-label="Export the layout">
        <button ?disabled=${!canExport} @click=${() => this.export('lotwatch')}>Export layout</button>
        <button ?disabled=${!canExport} @click=${() => this.export('labelled-frame')}>Export labelled frame</button>
        <button ?disabled=${!canExport} @click=${() => this.export('ultralytics')}>Export Ultralytics</button>
      </div>
      <p class="muted">
        A labelled frame is the format <code>npm run eval</code> reads (slots in pixels, states left unknown). Import accepts all
        three; slots are scaled to this picture.
      </p>`;
  }

  private renderSizeForm(pending: { text: string; name: string }) {
    const f = this.frame;
    return html`<form class="row" aria-label="Picture size of the Ultralytics file" @submit=${this.onSize}>
      <p>${pending.name} has no picture size. Its pixels are of a picture</p>
      <label>width <input name="width" type="number" min="1" required .value=${String(f?.width ?? '')} /></label>
      <label>height <input name="height" type="number" min="1" required .value=${String(f?.height ?? '')} /></label>
      <button type="submit" class="primary">Import</button>
      <button type="button" @click=${() => (this.pending = null)}>Cancel</button>
    </form>`;
  }

  private onFile = async (e: Event): Promise<void> => {
    const input = e.target as HTMLInputElement;
    const file = input.files?.[0];
    input.value = '';
    if (!file) return;
    const text = await file.text();
    this.pending = null;
    let data: unknown = null;
    try {
      data = JSON.parse(text);
    } catch {
      // parseLayoutFile says what is wrong.
    }
    // Ultralytics files say nothing of their picture: ask, with this picture's size filled in.
    if (detectFormat(data) === 'ultralytics') {
      this.pending = { text, name: file.name };
      this.message = null;
      return;
    }
    this.finish(parseLayoutFile(text, file.name), file.name);
  };

  private onSize = (e: SubmitEvent): void => {
    e.preventDefault();
    const pending = this.pending;
    if (!pending) return;
    const data = new FormData(e.target as HTMLFormElement);
    const size = { width: Number(data.get('width')), height: Number(data.get('height')) };
    this.pending = null;
    this.finish(parseLayoutFile(pending.text, pending.name, size), pending.name);
  };

  private finish(result: ReturnType<typeof parseLayoutFile>, fileName: string): void {
    if (!result.ok) {
      this.message = { kind: 'error', text: `Nothing was changed: ${result.error}` };
      return;
    }
    this.message = null;
    const detail: LayoutImportedDetail = { layout: result.layout, fileName };
    this.dispatchEvent(new CustomEvent('layout-imported', { detail, bubbles: true, composed: true }));
  }

  private export(kind: 'lotwatch' | 'labelled-frame' | 'ultralytics'): void {
    const frame = this.frame;
    if (!frame) return;
    const stem = this.imageName.replace(/\.[^.]*$/, '') || 'lot';
    const [name, data] =
      kind === 'lotwatch'
        ? ['lotwatch-layout.json', toLotwatchLayout(this.slots, frame)]
        : kind === 'labelled-frame'
          ? [`${stem}.json`, toLabelledFrame(this.slots, frame, `images/${this.imageName || `${stem}.jpg`}`)]
          : ['bounding_boxes.json', toUltralytics(this.slots, frame)];
    const url = URL.createObjectURL(new Blob([`${JSON.stringify(data, null, 2)}\n`], { type: 'application/json' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = name;
    this.renderRoot.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }
}

customElements.define('lw-layout-files', LwLayoutFiles);

declare global {
  interface HTMLElementTagNameMap {
    'lw-layout-files': LwLayoutFiles;
  }
  interface HTMLElementEventMap {
    'layout-imported': CustomEvent<LayoutImportedDetail>;
  }
}
