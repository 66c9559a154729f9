import type { Point } from '../occupancy/types.ts';
import type { DrawTool } from './draw-tool.ts';
import type { LayoutAction } from './layout-edits.ts';
import type { View } from './view.ts';

/** How a selection changes: only these, these in or out, or these as well. */
export type SelectMode = 'replace' | 'toggle' | 'add';

/**
 * Everything the slot editor's parts (the overlay, the toolbars, the slot list) ask of the editor, as one action
 * type: the shell hands every `edit-requested` event to the editor controller as it is.
 */
export type EditorAction =
  /** Edits of the layout itself, recorded for undo (a new slot, `add`, also clears the selection). */
  | LayoutAction
  | { readonly type: 'select'; readonly ids: readonly string[]; readonly mode: SelectMode }
  /** Four corners tapped with the row or grid tool, in the order they were tapped. */
  | { readonly type: 'row-draw'; readonly taps: readonly Point[]; readonly rows: number }
  /** The open row read along its other pair of sides. */
  | { readonly type: 'row-flip' }
  /** Every divider of the open row back to even spacing. */
  | { readonly type: 'row-even' }
  | { readonly type: 'tool'; readonly tool: DrawTool }
  | { readonly type: 'undo' }
  | { readonly type: 'redo' }
  | { readonly type: 'zoom'; readonly step: 'in' | 'out' | 'fit' }
  | { readonly type: 'view'; readonly view: View }
  /** Edit on a still of the picture, or back on the live picture. */
  | { readonly type: 'still' };
