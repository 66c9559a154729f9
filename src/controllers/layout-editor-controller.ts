import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { takeStill, type Still } from '../camera/still.ts';
import type { FrameSource } from '../camera/frame-source.ts';
import type { DrawTool } from '../layout/draw-tool.ts';
import type { EditorAction, SelectMode } from '../layout/editor-actions.ts';
import type { Point } from '../occupancy/types.ts';
import { canRedo, canUndo, record, redo, startHistory, undo, type History } from '../layout/history.ts';
import { editLayout, type LayoutAction, type LayoutState } from '../layout/layout-edits.ts';
import { aspectMismatch, FORMAT_NAMES, type FrameSize, type ImportedLayout } from '../layout/layout-format.ts';
import type { Quad } from '../occupancy/homography.ts';
import { evenOut, type RowGroup } from '../layout/row-group.ts';
import { orientRow, quadProblem } from '../layout/row-split.ts';
import { mergeSelection, toggleInSelection } from '../layout/selection.ts';
import { importSlots, type ImportMode } from '../layout/layout-import.ts';
import { suggestCount } from '../layout/suggest-count.ts';
import { clampView, FIT, zoomAbout, type View } from '../layout/view.ts';
import type { LotStoreController } from './lot-store-controller.ts';

export interface EditorNotice {
  readonly kind: 'info' | 'error';
  readonly text: string;
}

/**
 * The slot editor's session for an element. Every edit goes through the pure `editLayout` and is stored at once
 * (a phone on a pole can lock, or its browser drop the tab, at any moment: nothing marked is lost); the undo history
 * lasts for the session and ends with "Done editing". Also owns the selection, the zoom, the tool and the still frame.
 */
export class LayoutEditorController implements ReactiveController {
  history: History<LayoutState> | null = null;
  selection: readonly string[] = [];
  tool: DrawTool = 'rect';
  view: View = FIT;
  /** The still being edited on, and the source it was taken from. */
  private frozen: { still: Still; source: FrameSource } | null = null;
  notice: EditorNotice | null = null;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly store: LotStoreController,
    /** The picture being edited, or null when there is none. */
    private readonly source: () => FrameSource | null,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    window.addEventListener('keydown', this.onKey);
  }

  hostDisconnected(): void {
    window.removeEventListener('keydown', this.onKey);
  }

  /** The still of `source`, if one was taken of it (a still of another, earlier source does not count). */
  stillOf(source: FrameSource | null): Still | null {
    return this.frozen && this.frozen.source === source ? this.frozen.still : null;
  }

  get editing(): boolean {
    return this.history !== null;
  }

  get group(): RowGroup | null {
    return this.history?.present.group ?? null;
  }

  get canUndo(): boolean {
    return this.history ? canUndo(this.history) : false;
  }

  get canRedo(): boolean {
    return this.history ? canRedo(this.history) : false;
  }

  private frame(): FrameSize | null {
    const s = this.source();
    return s ? { width: s.width, height: s.height } : null;
  }

  private get aspect(): number {
    const f = this.frame();
    return f ? f.width / f.height : 16 / 9;
  }

  begin(): void {
    if (this.history) return;
    this.history = startHistory({ slots: this.store.slots, group: null });
    this.notice = null;
    this.host.requestUpdate();
  }

  /** Ends the session: the layout is already stored; the history, zoom and still go. */
  end(): void {
    this.history = null;
    this.selection = [];
    this.view = FIT;
    this.frozen = null;
    this.notice = null;
    this.host.requestUpdate();
  }

  /** Whatever the editor's parts asked for (`edit-requested`), carried out. */
  apply(a: EditorAction): void {
    switch (a.type) {
      case 'select':
        return this.select(a.ids, a.mode);
      case 'row-draw':
        return this.addRow(a.taps, a.rows);
      case 'row-flip':
        return this.turnRow();
      case 'row-even':
        return this.evenOutRow();
      case 'tool':
        return this.setTool(a.tool);
      case 'undo':
        return this.undo();
      case 'redo':
        return this.redo();
      case 'zoom':
        return this.zoom(a.step);
      case 'view':
        return this.setView(a.view);
      case 'still':
        return this.toggleStill();
      case 'add':
        // The new slot is not selected: its corner handles would catch the next drag, and rows of slots are drawn side by side.
        this.selection = [];
        return this.dispatch(a);
      default:
        return this.dispatch(a);
    }
  }

  dispatch(action: LayoutAction): void {
    const h = this.history;
    if (!h) return;
    const next = editLayout(h.present, action);
    if (next === h.present) return;
    this.setHistory(record(h, next));
  }

  private undo(): void {
    if (this.history) this.setHistory(undo(this.history));
  }

  private redo(): void {
    if (this.history) this.setHistory(redo(this.history));
  }

  private setHistory(next: History<LayoutState>): void {
    const before = this.history?.present.slots;
    this.history = next;
    const slots = next.present.slots;
    if (slots !== before) void this.store.replaceSlots(slots);
    const ids = new Set(slots.map((s) => s.id));
    if (this.selection.some((id) => !ids.has(id))) this.selection = this.selection.filter((id) => ids.has(id));
    this.host.requestUpdate();
  }

  /** Four corners tapped: a row (or block of `rows` rows) split into the suggested number of slots, or words on why not. */
  private addRow(taps: readonly Point[], rows: number): void {
    const quad = orientRow(taps, this.aspect);
    const problem = quadProblem(quad);
    if (problem) {
      this.say('error', problem.message);
      return;
    }
    const cols = suggestCount(quad, rows, this.history?.present.slots ?? [], this.aspect);
    this.notice = null;
    this.dispatch({ type: 'row-add', quad: quad as unknown as Quad, rows, cols: cols ?? 1 });
    if (cols === null) this.askCount();
  }

  /** The open row read along its other pair of sides ("split the other way"). */
  private turnRow(): void {
    const g = this.group;
    if (!g) return;
    const aspect = this.aspect;
    const alongIsLong = orientRow(g.quad, aspect).every((p, i) => p === g.quad[i]);
    const quad = orientRow(g.quad, aspect, alongIsLong) as unknown as Quad;
    const others = (this.history?.present.slots ?? []).filter((s) => !g.ids.includes(s.id));
    const cols = suggestCount(quad, g.rows, others, aspect);
    this.dispatch({ type: 'row-turn', quad, cols: cols ?? 1 });
    if (cols === null) this.askCount();
  }

  /** No guess for a new row's count (nothing marked to go by): ask rather than show a wrong number. */
  private askCount(): void {
    this.say('info', 'How many slots are in this row? Count them on the picture and set the number (the first row sets the size for the next ones).');
  }

  /** Every divider of the open row back to even spacing. */
  private evenOutRow(): void {
    if (this.group) this.dispatch({ type: 'row-edit', group: evenOut(this.group) });
  }

  /** `replace`: only these; `toggle`: in or out; `add`: these as well. */
  select(ids: readonly string[], mode: SelectMode = 'replace'): void {
    if (mode === 'toggle') this.selection = ids.reduce<readonly string[]>((sel, id) => toggleInSelection(sel, id), this.selection);
    else if (mode === 'add') this.selection = mergeSelection(this.selection, ids);
    else this.selection = [...ids];
    this.host.requestUpdate();
  }

  private setView(view: View): void {
    this.view = clampView(view);
    this.host.requestUpdate();
  }

  private zoom(step: 'in' | 'out' | 'fit'): void {
    this.setView(step === 'fit' ? FIT : zoomAbout(this.view, [0.5, 0.5], step === 'in' ? 2 : 0.5));
  }

  private setTool(tool: DrawTool): void {
    this.tool = tool;
    this.notice = null;
    this.host.requestUpdate();
  }

  /** Freezes what the source shows now (counting goes on with the live source), or goes back to the live picture. */
  toggleStill(): void {
    const source = this.source();
    if (!source) return;
    if (this.stillOf(source)) this.unfreeze();
    else this.freeze(source);
  }

  private freeze(source: FrameSource): void {
    try {
      this.frozen = { still: takeStill(source.element, source.width, source.height), source };
    } catch (err) {
      this.say('error', err instanceof Error ? err.message : String(err));
    }
    this.host.requestUpdate();
  }

  private unfreeze(): void {
    this.frozen = null;
    this.host.requestUpdate();
  }

  /** A layout read from a file replaces the slots or is added to them, as one edit that can be undone. */
  importLayout(layout: ImportedLayout, fileName: string, mode: ImportMode): void {
    this.begin();
    this.dispatch({ type: 'replace', slots: importSlots(this.history?.present.slots ?? this.store.slots, layout.slots, mode) });
    this.selection = [];
    const frame = this.frame();
    const stretched =
      frame && aspectMismatch(layout.frame, frame) > 0.01
        ? ` It was made on a ${layout.frame.width}x${layout.frame.height} picture and this one is ${frame.width}x${frame.height}: the slots were stretched to fit.`
        : '';
    this.say(
      'info',
      `${mode === 'add' ? 'Added' : 'Imported'} ${layout.slots.length} slots from ${fileName} (${FORMAT_NAMES[layout.format]}). Undo takes it back.${stretched}`,
    );
  }

  say(kind: EditorNotice['kind'], text: string): void {
    this.notice = { kind, text };
    this.host.requestUpdate();
  }

  private onKey = (e: KeyboardEvent): void => {
    if (!this.history || !(e.ctrlKey || e.metaKey)) return;
    const target = e.composedPath()[0];
    // Typing in a field keeps the field's own undo.
    if (target instanceof HTMLInputElement || target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return;
    const key = e.key.toLowerCase();
    if (key === 'z' && !e.shiftKey) this.undo();
    else if ((key === 'z' && e.shiftKey) || key === 'y') this.redo();
    else return;
    e.preventDefault();
  };
}
