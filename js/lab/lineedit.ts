/** The pure part of "Apply" (js/lab/apply.ts): editing one line of a cell's source. */

export class ApplyError extends Error {}

/**
 * The source with the line edited: line `line` (1-based) when its text is `old` (ignoring
 * indentation, which is kept), else the one line anywhere in the source that is `old`; if the line
 * changed since (e.g. another fix was applied to it), the changed part alone, if its context is
 * found exactly once. Returns the new source and the 1-based line edited; throws ApplyError.
 */
export function applyLineEdit(source: string, line: number, oldLine: string, newLine: string): { source: string; line: number } {
  const lines = source.split('\n');
  const want = oldLine.trim();
  const replace = (i: number, text: string) => {
    const indent = lines[i].match(/^\s*/)![0];
    lines[i] = indent + text.trim();
    return { source: lines.join('\n'), line: i + 1 };
  };
  if (line >= 1 && line <= lines.length && lines[line - 1].trim() === want) {
    return replace(line - 1, newLine);
  }
  const same = lines.map((l, i) => (l.trim() === want ? i : -1)).filter(i => i >= 0);
  if (same.length === 1) {
    return replace(same[0], newLine);
  }
  if (lines.some(l => l.trim() === newLine.trim())) {
    throw new ApplyError('the line already reads as the fix would make it');
  }
  // the changed part with a little context on each side, e.g. "Dropout(p=0.9)" -> "Dropout(p=0.1)"
  let p = 0;
  while (p < want.length && p < newLine.length && want[p] === newLine[p]) {
    p++;
  }
  let s = 0;
  const nl = newLine.trim();
  while (s < want.length - p && s < nl.length - p && want[want.length - 1 - s] === nl[nl.length - 1 - s]) {
    s++;
  }
  const before = want.slice(Math.max(0, p - 16), p);
  const after = want.slice(want.length - s, want.length - s + 16);
  const anchor = before + want.slice(p, want.length - s) + after;
  const replacement = before + nl.slice(p, nl.length - s) + after;
  const hits = lines.map((l, i) => (l.includes(anchor) ? i : -1)).filter(i => i >= 0);
  const near = hits.filter(i => Math.abs(i + 1 - line) <= 2);
  const target = near.length === 1 ? near[0] : hits.length === 1 ? hits[0] : -1;
  if (target < 0 || lines[target].split(anchor).length !== 2) {
    throw new ApplyError(`line ${line} no longer reads "${want}"`);
  }
  lines[target] = lines[target].replace(anchor, replacement);
  return { source: lines.join('\n'), line: target + 1 };
}
