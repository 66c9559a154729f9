import type { EditorAction } from '../layout/editor-actions.ts';

/**
 * The slot editor's parts (overlay, edit toolbar, row bar, selection bar, slot list) send every request up as one
 * event, `edit-requested`, whose detail is the editor action; the shell hands it to the editor as it is.
 */
export function requestEdit(from: HTMLElement, action: EditorAction): void {
  from.dispatchEvent(new CustomEvent('edit-requested', { detail: action, bubbles: true, composed: true }));
}

declare global {
  interface HTMLElementEventMap {
    'edit-requested': CustomEvent<EditorAction>;
  }
}
