/**
 * Jump to a finding's place: open (or reveal) the notebook, activate and scroll to the cell,
 * flash a highlight on it and put the editor cursor on the line.
 */
import { IDocumentManager } from '@jupyterlab/docmanager';
import { NotebookPanel } from '@jupyterlab/notebook';

import { CellRef, findCellIndex } from './model';

/** The class a jumped-to cell carries for a few seconds (styled in style/index.css). */
export const HIGHLIGHT_CLASS = 'mlnb-highlight';
export const HIGHLIGHT_MS = 4000;

export interface JumpTarget {
  notebook_path: string;
  cell_id: string | null;
  execution_count: number | null;
  /** 1-based line inside the cell, or null. */
  line: number | null;
}

export class JumpError extends Error {}

/** Open `target.notebook_path` and reveal the cell and line. Throws JumpError when not found. */
export async function jumpTo(docManager: IDocumentManager, target: JumpTarget): Promise<NotebookPanel> {
  const widget = docManager.openOrReveal(target.notebook_path);
  if (!widget) {
    throw new JumpError(`Cannot open ${target.notebook_path}.`);
  }
  if (!(widget instanceof NotebookPanel)) {
    throw new JumpError(`${target.notebook_path} did not open as a notebook.`);
  }
  const panel = widget;
  await panel.context.ready;
  await panel.revealed;
  const notebook = panel.content;
  const model = notebook.model;
  if (!model) {
    throw new JumpError(`${target.notebook_path} has no content.`);
  }
  const refs: CellRef[] = [];
  for (let i = 0; i < model.cells.length; i++) {
    const cell = model.cells.get(i);
    const count = cell.type === 'code' ? (cell as { executionCount?: number | null }).executionCount ?? null : null;
    refs.push({ id: cell.id, type: cell.type, executionCount: count });
  }
  const index = findCellIndex(refs, target);
  if (index < 0) {
    const what = target.cell_id ? `cell id ${target.cell_id}` : `execution count [${target.execution_count}]`;
    throw new JumpError(`The cell (${what}) is no longer in ${target.notebook_path}.`);
  }
  notebook.activeCellIndex = index;
  notebook.deselectAll();
  await notebook.scrollToItem(index, 'center');
  const cell = notebook.widgets[index];
  if (cell) {
    cell.addClass(HIGHLIGHT_CLASS);
    window.setTimeout(() => cell.removeClass(HIGHLIGHT_CLASS), HIGHLIGHT_MS);
    if (target.line !== null && target.line > 0) {
      await cell.ready;
      const editor = cell.editor;
      if (editor) {
        const line = Math.min(target.line - 1, Math.max(0, editor.lineCount - 1));
        const text = editor.getLine(line) ?? '';
        editor.setCursorPosition({ line, column: 0 });
        editor.setSelection({ start: { line, column: 0 }, end: { line, column: text.length } });
        editor.revealPosition({ line, column: 0 });
      }
    }
  }
  panel.activate();
  return panel;
}
