/** The pure part of "Apply" (js/lab/apply.ts): editing one line of a cell's source. */

export class ApplyError extends Error {}

/**
 * The source with the line edited, or an ApplyError saying why not. The rule (docs/widget-kit.md,
 * "Apply"): the edit goes to a line that still reads as the finding saw it, and only where that is
 * unambiguous. Indentation is ignored when comparing and kept when editing.
 *
 * 1. Line `line` (1-based) reads `oldLine`: it is edited.
 * 2. Else exactly one line of the cell reads `oldLine` (lines were added or removed above it):
 *    that line is edited. Two or more: refused (which one is meant cannot be told).
 * 3. Else, when line `line` itself was changed by another fix since (two fixes for one line, e.g.
 *    an activation and a dropout rate) and the part this fix changes, with its context, occurs
 *    exactly once in that line: only that part is edited. Nowhere else.
 * 4. Otherwise refused: the line reads differently now (or already reads as the fix would make it).
 *
 * Returns the new source and the 1-based line edited.
 */
export function applyLineEdit(source: string, line: number, oldLine: string, newLine: string): { source: string; line: number } {
  const lines = source.split('\n');
  const want = oldLine.trim();
  const nl = newLine.trim();
  const replace = (i: number, text: string) => {
    const indent = lines[i].match(/^\s*/)![0];
    lines[i] = indent + text.trim();
    return { source: lines.join('\n'), line: i + 1 };
  };
  const inCell = line >= 1 && line <= lines.length;
  if (inCell && lines[line - 1].trim() === want) {
    return replace(line - 1, nl);
  }
  const same = lines.map((l, i) => (l.trim() === want ? i : -1)).filter(i => i >= 0);
  if (same.length === 1) {
    return replace(same[0], nl);
  }
  if (same.length > 1) {
    throw new ApplyError(
      `line ${line} no longer reads "${want}", and ${same.length} other lines (${same.map(i => i + 1).join(', ')}) do: ` +
        'which one is meant is ambiguous, so nothing was changed; edit the line by hand'
    );
  }
  if (inCell && lines[line - 1].trim() === nl) {
    throw new ApplyError(`line ${line} already reads as the fix would make it`);
  }
  // 3: the changed part with a little context on each side, e.g. "Dropout(p=0.9)" -> "Dropout(p=0.1)"
  let p = 0;
  while (p < want.length && p < nl.length && want[p] === nl[p]) {
    p++;
  }
  let s = 0;
  while (s < want.length - p && s < nl.length - p && want[want.length - 1 - s] === nl[nl.length - 1 - s]) {
    s++;
  }
  const before = want.slice(Math.max(0, p - 16), p);
  const after = want.slice(want.length - s, want.length - s + 16);
  const anchor = before + want.slice(p, want.length - s) + after;
  const replacement = before + nl.slice(p, nl.length - s) + after;
  if (inCell && anchor && lines[line - 1].split(anchor).length === 2) {
    lines[line - 1] = lines[line - 1].replace(anchor, replacement);
    return { source: lines.join('\n'), line };
  }
  throw new ApplyError(`line ${line} no longer reads "${want}" (it was changed since the finding); nothing was changed`);
}
