import type { Point } from '../occupancy/types.ts';
import type { SlotPatch } from '../layout/layout-edits.ts';
import type { RowGroup } from '../layout/row-group.ts';
import type { View } from '../layout/view.ts';

/** Typed events the components send up. Names are past tense; `detail` says what happened. */
export interface LotwatchEvents {
  'slot-drawn': { polygon: Point[] };
  'slot-changed': { id: string; polygon: Point[] };
  /** `extend`: add it to the selection or take it out (shift-click), instead of selecting only it. */
  'slot-selected': { id: string | null; extend?: boolean };
  'slot-deleted': { id: string };
  'slot-renamed': { id: string; name: string };
  /** A lasso (or "select none"): these slots, added to the selection when `extend`. */
  'slots-selected': { ids: string[]; extend: boolean };
  'slots-moved': { ids: string[]; dx: number; dy: number };
  'slots-deleted': { ids: string[] };
  'slots-renumbered': { ids: string[]; prefix: string; start: number };
  /** Zone, kind or closure set on the selected slots. */
  'slots-attributes-changed': { ids: string[]; patch: SlotPatch };
  /** Four corners tapped with the row or grid tool, in the order they were tapped. */
  'row-drawn': { taps: Point[]; rows: number };
  /** The open row was moved, turned, reshaped, or a divider dragged. */
  'row-changed': { group: RowGroup };
  'row-resized': { rows: number; cols: number };
  /** The row's outline read the other way: along its short sides. */
  'row-turned': Record<string, never>;
  'row-finished': Record<string, never>;
  /** Every divider of the open row back to even spacing. */
  'row-evened': Record<string, never>;
  'view-changed': { view: View };
}

export type LotwatchEventName = keyof LotwatchEvents;

export function emit<K extends LotwatchEventName>(from: HTMLElement, name: K, detail: LotwatchEvents[K]): void {
  from.dispatchEvent(new CustomEvent(name, { detail, bubbles: true, composed: true }));
}

declare global {
  interface HTMLElementEventMap {
    'slot-drawn': CustomEvent<LotwatchEvents['slot-drawn']>;
    'slot-changed': CustomEvent<LotwatchEvents['slot-changed']>;
    'slot-selected': CustomEvent<LotwatchEvents['slot-selected']>;
    'slot-deleted': CustomEvent<LotwatchEvents['slot-deleted']>;
    'slot-renamed': CustomEvent<LotwatchEvents['slot-renamed']>;
    'slots-selected': CustomEvent<LotwatchEvents['slots-selected']>;
    'slots-moved': CustomEvent<LotwatchEvents['slots-moved']>;
    'slots-deleted': CustomEvent<LotwatchEvents['slots-deleted']>;
    'slots-renumbered': CustomEvent<LotwatchEvents['slots-renumbered']>;
    'slots-attributes-changed': CustomEvent<LotwatchEvents['slots-attributes-changed']>;
    'row-drawn': CustomEvent<LotwatchEvents['row-drawn']>;
    'row-changed': CustomEvent<LotwatchEvents['row-changed']>;
    'row-resized': CustomEvent<LotwatchEvents['row-resized']>;
    'row-turned': CustomEvent<LotwatchEvents['row-turned']>;
    'row-finished': CustomEvent<LotwatchEvents['row-finished']>;
    'row-evened': CustomEvent<LotwatchEvents['row-evened']>;
    'view-changed': CustomEvent<LotwatchEvents['view-changed']>;
  }
}
