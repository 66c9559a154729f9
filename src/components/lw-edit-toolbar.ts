import { LitElement, css, html } from 'lit';
import type { DrawTool } from '../layout/draw-tool.ts';
import { requestEdit } from './events.ts';
import { controlStyles } from './shared-styles.ts';

const TOOLS: { tool: DrawTool; label: string; hint: string }[] = [
  { tool: 'row', label: 'Row', hint: 'Tap the 4 corners of a row of slots: it is split into slots, which you can then adjust.' },
  { tool: 'grid', label: 'Grid', hint: 'Tap the 4 corners of a block of rows (a double row): say how many rows and slots.' },
  { tool: 'rect', label: 'Rectangle', hint: 'Drag on the picture to mark a slot. Tap a slot to select it, then drag it or its corners.' },
  { tool: 'quad', label: '4 corners', hint: 'Tap the four corners of a slot.' },
  { tool: 'select', label: 'Select', hint: 'Tap slots to pick several, or draw a loop around them; then drag, delete or renumber them.' },
];

/**
 * The editor's tools, undo and redo, zoom, and the still frame. Everything here is also a key: Ctrl+Z, Ctrl+Shift+Z,
 * and + − 0 on the picture.
 *
 * @fires edit-requested (tool, undo, redo, zoom, still)
 */
export class LwEditToolbar extends LitElement {
  static override properties = {
    tool: { type: String },
    canUndo: { type: Boolean, attribute: 'can-undo' },
    canRedo: { type: Boolean, attribute: 'can-redo' },
    frozen: { type: Boolean },
    zoom: { type: Number },
  };

  declare tool: DrawTool;
  declare canUndo: boolean;
  declare canRedo: boolean;
  declare frozen: boolean;
  declare zoom: number;

  constructor() {
    super();
    this.tool = 'rect';
    this.canUndo = false;
    this.canRedo = false;
    this.frozen = false;
    this.zoom = 1;
  }

  static override styles = [
    controlStyles,
    css`
      :host {
        display: grid;
        gap: 6px;
      }
      .group {
        display: flex;
        flex-wrap: wrap;
        gap: 6px;
        align-items: center;
      }
      button {
        padding: 0 10px;
      }
      .hint {
        color: #94a3b8;
        font-size: 0.9rem;
        margin: 0;
      }
      .zoom {
        font-variant-numeric: tabular-nums;
        color: #94a3b8;
        min-width: 3.5em;
        text-align: center;
      }
    `,
  ];

  override render() {
    const hint = TOOLS.find((t) => t.tool === this.tool)?.hint ?? '';
    return html`<div class="group" role="toolbar" aria-label="Tools">
        ${TOOLS.map(
          (t) =>
            html`<button aria-pressed=${this.tool === t.tool ? 'true' : 'false'} @click=${() => requestEdit(this, { type: 'tool', tool: t.tool })}>
              ${t.label}
            </button>`,
        )}
      </div>
      <div class="group" role="toolbar" aria-label="History and view">
        <button ?disabled=${!this.canUndo} title="Ctrl+Z" @click=${() => requestEdit(this, { type: 'undo' })}>Undo</button>
        <button ?disabled=${!this.canRedo} title="Ctrl+Shift+Z" @click=${() => requestEdit(this, { type: 'redo' })}>Redo</button>
        <button aria-label="Zoom out" title="−" ?disabled=${this.zoom <= 1} @click=${() => requestEdit(this, { type: 'zoom', step: 'out' })}>−</button>
        <span class="zoom" aria-live="polite">${Math.round(this.zoom * 100)}%</span>
        <button aria-label="Zoom in" title="+" @click=${() => requestEdit(this, { type: 'zoom', step: 'in' })}>+</button>
        <button ?disabled=${this.zoom <= 1} title="0" @click=${() => requestEdit(this, { type: 'zoom', step: 'fit' })}>Fit</button>
        <button aria-pressed=${this.frozen ? 'true' : 'false'} @click=${() => requestEdit(this, { type: 'still' })}>
          ${this.frozen ? 'Back to live' : 'Freeze frame'}
        </button>
      </div>
      <p class="hint">${hint} Pinch or wheel to zoom; two fingers or right-drag to pan.</p>`;
  }
}

customElements.define('lw-edit-toolbar', LwEditToolbar);

declare global {
  interface HTMLElementTagNameMap {
    'lw-edit-toolbar': LwEditToolbar;
  }
}
