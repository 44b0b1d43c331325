/**
 * DOM events by which views that must not import JupyterLab (anywidget outputs) ask mlnb's
 * JupyterLab extension to act. Both bubble from the view's element to `document`.
 */
import type { Location } from './schema';

/** Open the notebook (or file) of `detail` and put the cursor on its cell and line. */
export const REVEAL_EVENT = 'mlnb:reveal';
export type RevealDetail = Location;

/** Replace one line of a notebook cell in the editor (undoable; never runs the cell). */
export const APPLY_EDIT_EVENT = 'mlnb:apply-edit';
export interface ApplyEditDetail {
  location: Location;
  /** The line as the finding saw it; the edit is refused when the cell's line differs. */
  old: string;
  new: string;
}

export function dispatchReveal(from: EventTarget, location: Location): void {
  from.dispatchEvent(new CustomEvent<RevealDetail>(REVEAL_EVENT, { bubbles: true, composed: true, detail: location }));
}
