/**
 * "Apply" of an UMLAUT fix: replace one line of a notebook cell with the suggested line.
 *
 * The dashboard (an anywidget view, no JupyterLab imports) dispatches a bubbling
 * `mlnb:apply-edit` event with the cell, the 1-based line and the old and new line; this module
 * finds the notebook (the one whose DOM holds the widget, else by path), the cell (by id, else by
 * execution count) and edits the line through the cell's shared model, so the editor's undo
 * takes it back. It never runs the cell.
 */
import { IDocumentManager } from '@jupyterlab/docmanager';
import { INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';

import { APPLY_EDIT_EVENT, ApplyEditDetail } from '../common/events';
import { ApplyError, applyLineEdit } from './lineedit';

export { ApplyError, applyLineEdit };

export { APPLY_EDIT_EVENT };

/** The kit's apply-edit detail; the handler sets `result` to the edit's outcome for the view. */
export interface ApplyEditRequest extends ApplyEditDetail {
  result?: Promise<string>;
}

function findPanel(tracker: INotebookTracker | null, origin: EventTarget | null, path: string | null): NotebookPanel | null {
  let found: NotebookPanel | null = null;
  tracker?.forEach(panel => {
    if (!found && origin instanceof Node && panel.node.contains(origin)) {
      found = panel;
    }
  });
  if (!found && path) {
    tracker?.forEach(panel => {
      if (!found && panel.context.path === path) {
        found = panel;
      }
    });
  }
  return found;
}

/** Apply the edit of `detail` in the notebook holding `origin`; resolves to a message for the user. */
export async function applyEdit(
  tracker: INotebookTracker | null,
  docManager: IDocumentManager,
  detail: ApplyEditDetail,
  origin: EventTarget | null
): Promise<string> {
  const loc = detail.location;
  if (!loc || typeof loc.line !== 'number') {
    throw new ApplyError('the fix has no line to edit');
  }
  let panel = findPanel(tracker, origin, loc.notebook_path);
  if (!panel && loc.notebook_path) {
    const widget = docManager.openOrReveal(loc.notebook_path);
    panel = widget instanceof NotebookPanel ? widget : null;
  }
  if (!panel) {
    throw new ApplyError('the notebook of this finding is not open');
  }
  await panel.context.ready;
  const model = panel.content.model;
  if (!model) {
    throw new ApplyError('the notebook has no content');
  }
  let index = -1;
  for (let i = 0; i < model.cells.length && index < 0; i++) {
    const cell = model.cells.get(i);
    if (loc.cell_id && cell.id === loc.cell_id) {
      index = i;
    }
  }
  for (let i = 0; i < model.cells.length && index < 0 && loc.execution_count !== null; i++) {
    const cell = model.cells.get(i) as { type: string; executionCount?: number | null };
    if (cell.type === 'code' && cell.executionCount === loc.execution_count) {
      index = i;
    }
  }
  if (index < 0) {
    throw new ApplyError('the cell of this finding is no longer in the notebook');
  }
  const cell = model.cells.get(index);
  const source = cell.sharedModel.getSource();
  const edited = applyLineEdit(source, loc.line, detail.old, detail.new);
  // one replacement of the whole text: a single step for the cell editor's undo
  cell.sharedModel.setSource(edited.source);
  panel.content.activeCellIndex = index;
  const widget = panel.content.widgets[index];
  if (widget?.editor) {
    const line = edited.line - 1;
    widget.editor.setCursorPosition({ line, column: 0 });
    widget.editor.revealPosition({ line, column: 0 });
  }
  const count = (cell as { executionCount?: number | null }).executionCount;
  return `Applied to ${count ? `cell [${count}]` : 'the cell'}, line ${edited.line} (undo with Ctrl+Z in the cell; not run)`;
}
