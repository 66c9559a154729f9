import { LitElement, css, html, nothing } from 'lit';
import type { SceneReference } from '../motion/scene.ts';
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
import { planImport, type ImportMode, type ImportPlan } from '../layout/layout-import.ts';
import { controlStyles } from './shared-styles.ts';

export interface LayoutImportedDetail {
  layout: ImportedLayout;
  fileName: string;
  /** Replace the lot's slots, or add the file's to them. */
  mode: ImportMode;
}

/**
 * Layouts in and out as files: the app's own layout, a labelled frame (the format `npm run eval` reads), and
 * Ultralytics' bounding_boxes.json. A file that fails validation changes nothing; the reason is shown here. Into a lot
 * that has slots already, a file is imported only once the user has chosen, with the numbers in front of them, to
 * replace the slots or to add to them.
 *
 * @fires layout-imported
 */
export class LwLayoutFiles extends LitElement {
  static override properties = {
    slots: { attribute: false },
    frame: { attribute: false },
    scene: { attribute: false },
    imageName: { type: String, attribute: 'image-name' },
    pending: { state: true },
    confirm: { state: true },
    message: { state: true },
  };

  declare slots: readonly Slot[];
  /** The picture's size, or null when none is open (nothing to export against). */
  declare frame: FrameSize | null;
  /** The picture the slots were marked on: the app's own layout file carries it (the camera-moved check). */
  declare scene: SceneReference | null;
  /** The picture's file name, for the labelled frame's "image". */
  declare imageName: string;
  /** An Ultralytics file waiting for the size of the picture it was made on. */
  declare pending: { text: string; name: string } | null;
  /** A file read and checked, waiting for "replace" or "add". */
  declare confirm: { layout: ImportedLayout; fileName: string; plan: ImportPlan } | null;
  declare message: { kind: 'error' | 'info'; text: string } | null;

  constructor() {
    super();
    this.slots = [];
    this.frame = null;
    this.scene = null;
    this.imageName = '';
    this.pending = null;
    this.confirm = null;
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
      .confirm {
        display: grid;
        gap: 6px;
        padding: 8px 10px;
        border: 1px solid #facc15;
        border-radius: 12px;
      }
      .confirm ul {
        margin: 0;
        padding-left: 1.2em;
        font-size: 0.9rem;
      }
      .warn {
        color: #fde68a;
      }
    `,
  ];

  override render() {
    const canExport = Boolean(this.frame && this.slots.length);
    return html`<div class="row">
        <label class="button">Import layout…<input type="file" accept=".json,application/json" @change=${this.onFile} /></label>
      </div>
      ${this.pending ? this.renderSizeForm(this.pending) : nothing} ${this.confirm ? this.renderConfirm(this.confirm) : nothing}
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
        three; slots are scaled to this picture. The layout file also keeps a small grey picture of the view, so the counter
        can tell if the camera moved since.
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

  private renderConfirm(c: NonNullable<LwLayoutFiles['confirm']>) {
    const { existing, incoming, overlapping } = c.plan;
    const slots = (n: number) => `${n} slot${n === 1 ? '' : 's'}`;
    return html`<div class="confirm" role="group" aria-labelledby="import-question">
      <p id="import-question"><strong>${c.fileName}</strong> holds ${slots(incoming)}; this lot has ${slots(existing)}. What should happen?</p>
      <ul>
        <li data-outcome="replace">Replace: the ${slots(existing)} go, the file’s ${slots(incoming)} take their place.</li>
        <li data-outcome="add">
          Add: ${slots(existing + incoming)} in all.${overlapping
            ? html` <strong class="warn">${overlapping} of the file’s slots lie on slots this lot has, and would be counted twice.</strong>`
            : ' None of them lies on a slot this lot has.'}
        </li>
      </ul>
      <div class="row">
        <button class="primary" @click=${() => this.choose('replace')}>Replace ${slots(existing)}</button>
        <button @click=${() => this.choose('add')}>Add ${slots(incoming)}</button>
        <button @click=${() => (this.confirm = null)}>Cancel</button>
      </div>
      <p class="muted">Either way, Undo takes it back.</p>
    </div>`;
  }

  private choose(mode: ImportMode): void {
    const c = this.confirm;
    this.confirm = null;
    if (c) this.send(c.layout, c.fileName, mode);
  }

  private send(layout: ImportedLayout, fileName: string, mode: ImportMode): void {
    const detail: LayoutImportedDetail = { layout, fileName, mode };
    this.dispatchEvent(new CustomEvent('layout-imported', { detail, bubbles: true, composed: true }));
  }

  private onFile = async (e: Event): Promise<void> => {
    const input = e.target as HTMLInputElement;
    const file = input.files?.[0];
    input.value = '';
    if (!file) return;
    const text = await file.text();
    this.pending = null;
    this.confirm = null;
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
    if (this.slots.length) this.confirm = { layout: result.layout, fileName, plan: planImport(this.slots, result.layout.slots) };
    else this.send(result.layout, fileName, 'replace');
  }

  private export(kind: 'lotwatch' | 'labelled-frame' | 'ultralytics'): void {
    const frame = this.frame;
    if (!frame) return;
    const stem = this.imageName.replace(/\.[^.]*$/, '') || 'lot';
    const [name, data] =
      kind === 'lotwatch'
        ? ['lotwatch-layout.json', toLotwatchLayout(this.slots, frame, this.scene)]
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
