/** Pure logic of the ACUMEN explorer view (unit-tested): selection sets, lasso geometry, column queries, colours. */

/** Combine a lasso's points with the current selection: shift adds, alt subtracts, else replaces. */
export function combineSelection(current: ArrayLike<number>, lassoed: ArrayLike<number>, mode: 'replace' | 'add' | 'remove'): number[] {
  if (mode === 'replace') return Array.from(new Set(Array.from(lassoed))).sort((a, b) => a - b);
  const set = new Set(Array.from(current));
  if (mode === 'add') for (const i of Array.from(lassoed)) set.add(i);
  else for (const i of Array.from(lassoed)) set.delete(i);
  return Array.from(set).sort((a, b) => a - b);
}

export function modeFromEvent(e: { shiftKey?: boolean; altKey?: boolean }): 'replace' | 'add' | 'remove' {
  return e.altKey ? 'remove' : e.shiftKey ? 'add' : 'replace';
}

/** Point positions (indices into the drawn points) -> file indices, and back. */
export function toFileIndices(positions: ArrayLike<number>, pointIndex: ArrayLike<number>): number[] {
  return Array.from(positions, p => pointIndex[p]);
}

export function toPositions(files: ArrayLike<number>, pointIndex: ArrayLike<number>): number[] {
  const where = new Map<number, number>();
  for (let i = 0; i < pointIndex.length; i++) where.set(pointIndex[i], i);
  const out: number[] = [];
  for (const f of Array.from(files)) {
    const p = where.get(f);
    if (p !== undefined) out.push(p);
  }
  return out;
}

/** Even-odd point-in-polygon (polygon as [x0, y0, x1, y1, ...]). */
export function pointInPolygon(x: number, y: number, poly: ArrayLike<number>): boolean {
  let inside = false;
  const n = poly.length / 2;
  for (let i = 0, j = n - 1; i < n; j = i++) {
    const xi = poly[2 * i], yi = poly[2 * i + 1], xj = poly[2 * j], yj = poly[2 * j + 1];
    if ((yi > y) !== (yj > y) && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

export interface ColumnQuery { column: string; contains?: string; excludes?: string; regex?: boolean }

/**
 * A column search box's text as a filter: `text` contains, `!text` does not contain, `/re/` a regular
 * expression (also `!/re/`). Empty text is no filter (null). Throws on an invalid regular expression.
 */
export function parseColumnQuery(column: string, text: string, negate = false): ColumnQuery | null {
  let t = text.trim();
  if (!t) return null;
  let not = negate;
  if (t.startsWith('!')) { not = !not; t = t.slice(1).trim(); }
  if (!t) return null;
  let regex = false;
  if (t.length > 2 && t.startsWith('/') && t.endsWith('/')) {
    regex = true;
    t = t.slice(1, -1);
    new RegExp(t); // throws SyntaxError with the reason
  }
  const q: ColumnQuery = { column, regex };
  if (not) q.excludes = t; else q.contains = t;
  return q;
}

/** Categorical palette (Tableau 20-like, readable on light and dark backgrounds). */
export const CATEGORICAL = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7',
  '#9c755f', '#bab0ac', '#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f',
  '#bcbd22', '#17becf'];

/** Colour of category `i` ("other", the last when there are more categories than colours, is grey). */
export function categoryColor(i: number, n: number, otherLast = false): string {
  if (otherLast && i === n - 1) return '#a0a0a0';
  return CATEGORICAL[i % CATEGORICAL.length];
}

/** Viridis-like numeric ramp: `t` in [0, 1] -> '#rrggbb' (clamped; NaN -> the lowest colour). */
const VIRIDIS = [[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37]];
export function numericColor(t: number): string {
  const v = Number.isFinite(t) ? Math.max(0, Math.min(1, t)) : 0;
  const s = v * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(s));
  const f = s - i;
  const c = VIRIDIS[i].map((a, k) => Math.round(a + (VIRIDIS[i + 1][k] - a) * f));
  return '#' + c.map(x => x.toString(16).padStart(2, '0')).join('');
}

/** The numeric colour map as `n` stops (regl-scatterplot takes a list of colours for continuous values). */
export function numericRamp(n = 64): string[] {
  return Array.from({ length: n }, (_, i) => numericColor(i / (n - 1)));
}

/**
 * Where to put a tooltip of size (w, h) for a pointer at (x, y) inside a box (bw, bh): beside the pointer
 * with a gap, flipped to the other side near an edge, so it never covers the pointer.
 */
export function tooltipPosition(x: number, y: number, w: number, h: number, bw: number, bh: number, gap = 14): { left: number; top: number } {
  let left = x + gap;
  if (left + w > bw) left = x - gap - w;
  let top = y + gap;
  if (top + h > bh) top = y - gap - h;
  return { left: Math.max(0, left), top: Math.max(0, top) };
}

/** A server-root-relative path of `absolute` (null when outside the root or unknown). */
export function relativeToRoot(absolute: string | null | undefined, root: string | null | undefined): string | null {
  if (!absolute || !root) return null;
  const r = root.endsWith('/') ? root : root + '/';
  return absolute.startsWith(r) ? absolute.slice(r.length) : null;
}
