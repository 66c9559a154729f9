import type { Point } from '../occupancy/types.ts';

/** Typed events the components send up. Names are past tense; `detail` says what happened. */
export interface LotwatchEvents {
  'slot-drawn': { polygon: Point[] };
  'slot-changed': { id: string; polygon: Point[] };
  'slot-selected': { id: string | null };
  'slot-deleted': { id: string };
  'slot-renamed': { id: string; name: string };
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
  }
}
