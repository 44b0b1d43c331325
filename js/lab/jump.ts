/**
 * Jump to a finding's place: open (or reveal) the notebook, activate and scroll to the cell,
 * flash a highlight on it and put the editor cursor on the line; or open a file at a line.
 */
import { CodeEditor } from '@jupyterlab/codeeditor';
import { IDocumentManager } from '@jupyterlab/docmanager';
import { NotebookPanel } from '@jupyterlab/notebook';
import { Widget } from '@lumino/widgets';

import { CellRef, findCellIndex, JumpTarget } from './model';

/** The class a jumped-to cell (or file editor) carries for a few seconds (style/index.css). */
export const HIGHLIGHT_CLASS = 'mlnb-highlight';
export const HIGHLIGHT_MS = 4000;

export class JumpError extends Error {}

function flash(widget: Widget): void {
  widget.addClass(HIGHLIGHT_CLASS);
  window.setTimeout(() => widget.removeClass(HIGHLIGHT_CLASS), HIGHLIGHT_MS);
}

/** Select a 1-based line of `editor` (clamped to the text) and scroll it into view. */
function selectLine(editor: CodeEditor.IEditor, line1: number | null): void {
  if (line1 === null || line1 < 1) {
    return;
  }
  const line = Math.min(line1 - 1, Math.max(0, editor.lineCount - 1));
  const text = editor.getLine(line) ?? '';
  editor.setCursorPosition({ line, column: 0 });
  editor.setSelection({ start: { line, column: 0 }, end: { line, column: text.length } });
  editor.revealPosition({ line, column: 0 });
}

/** Open the target and reveal it. Throws JumpError with a message for the user when it cannot. */
export async function jumpTo(docManager: IDocumentManager, target: JumpTarget): Promise<Widget> {
  const path = target.kind === 'cell' ? target.notebook_path : target.path;
  const widget = docManager.openOrReveal(path);
  if (!widget) {
    throw new JumpError(`Cannot open ${path}.`);
  }
  await widget.context.ready;
  if (target.kind === 'file') {
    const editor = (widget.content as { editor?: CodeEditor.IEditor }).editor;
    if (editor) {
      selectLine(editor, target.line);
      flash(widget);
    }
    widget.activate();
    return widget;
  }
  if (!(widget instanceof NotebookPanel)) {
    throw new JumpError(`${path} did not open as a notebook.`);
  }
  await widget.revealed;
  const notebook = widget.content;
  const model = notebook.model;
  if (!model) {
    throw new JumpError(`${path} has no content.`);
  }
  const refs: CellRef[] = [];
  for (let i = 0; i < model.cells.length; i++) {
    const cell = model.cells.get(i);
    const count = cell.type === 'code' ? ((cell as { executionCount?: number | null }).executionCount ?? null) : null;
    refs.push({ id: cell.id, type: cell.type, executionCount: count });
  }
  const index = findCellIndex(refs, target);
  if (index < 0) {
    const what = target.cell_id ? `cell id ${target.cell_id}` : `execution count [${target.execution_count}]`;
    throw new JumpError(`The cell (${what}) is no longer in ${path}.`);
  }
  notebook.activeCellIndex = index;
  notebook.deselectAll();
  await notebook.scrollToItem(index, 'center');
  const cell = notebook.widgets[index];
  if (cell) {
    flash(cell);
    await cell.ready;
    if (cell.editor) {
      selectLine(cell.editor, target.line);
    }
  }
  widget.activate();
  return widget;
}
