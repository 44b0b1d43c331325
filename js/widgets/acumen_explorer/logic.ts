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

/**
 * A uniform grid over 2-D points for lasso selection: points sorted by cell (counting sort, O(n)). A lasso query
 * classifies cells instead of points: a cell no polygon edge touches is wholly inside or outside (one scanline
 * test at its centre), so its points are taken or skipped at once; only the points of the few cells an edge
 * crosses are tested one by one. At 1M points that is ~10x fewer point-in-polygon tests than a bounding-box
 * prefilter, which is what regl-scatterplot's own lasso does.
 */
export class GridIndex {
  readonly size: number;
  readonly x0: number; readonly y0: number; readonly sx: number; readonly sy: number;
  /** cellStart[c]..cellStart[c + 1]: the slice of `items` in cell c (row-major, y then x). */
  readonly cellStart: Int32Array;
  readonly items: Int32Array;

  constructor(readonly x: ArrayLike<number>, readonly y: ArrayLike<number>, size = 0) {
    const n = x.length;
    this.size = size || Math.max(8, Math.min(1024, Math.round(Math.sqrt(n / 8))));
    let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
    for (let i = 0; i < n; i++) {
      const a = x[i], b = y[i];
      if (a < x0) x0 = a; if (a > x1) x1 = a;
      if (b < y0) y0 = b; if (b > y1) y1 = b;
    }
    if (!(x1 >= x0)) { x0 = 0; x1 = 1; y0 = 0; y1 = 1; }
    this.x0 = x0; this.y0 = y0;
    this.sx = this.size / Math.max(x1 - x0, 1e-12) * (1 - 1e-9);
    this.sy = this.size / Math.max(y1 - y0, 1e-12) * (1 - 1e-9);
    const cells = new Int32Array(n);
    const count = new Int32Array(this.size * this.size + 1);
    for (let i = 0; i < n; i++) {
      const c = this.cellY(y[i]) * this.size + this.cellX(x[i]);
      cells[i] = c;
      count[c + 1]++;
    }
    for (let c = 0; c < this.size * this.size; c++) count[c + 1] += count[c];
    this.cellStart = count.slice();
    const fill = count;
    this.items = new Int32Array(n);
    for (let i = 0; i < n; i++) this.items[fill[cells[i]]++] = i;
  }

  cellX(v: number): number { return Math.min(this.size - 1, Math.max(0, Math.floor((v - this.x0) * this.sx))); }
  cellY(v: number): number { return Math.min(this.size - 1, Math.max(0, Math.floor((v - this.y0) * this.sy))); }

  /** Indices of the points inside `poly` ([x0, y0, x1, y1, ...], closed implicitly; even-odd rule), ascending. */
  lasso(poly: ArrayLike<number>): Int32Array {
    const m = poly.length >> 1;
    if (m < 3) return new Int32Array(0);
    const G = this.size;
    let px0 = Infinity, px1 = -Infinity, py0 = Infinity, py1 = -Infinity;
    for (let k = 0; k < m; k++) {
      px0 = Math.min(px0, poly[2 * k]); px1 = Math.max(px1, poly[2 * k]);
      py0 = Math.min(py0, poly[2 * k + 1]); py1 = Math.max(py1, poly[2 * k + 1]);
    }
    const cx0 = this.cellX(px0), cx1 = this.cellX(px1), cy0 = this.cellY(py0), cy1 = this.cellY(py1);
    const W = cx1 - cx0 + 1, H = cy1 - cy0 + 1;
    // 1: cells an edge may cross (its bounding box in cells: lasso edges are short, so this is tight enough).
    const edge = new Uint8Array(W * H);
    for (let k = 0, j = m - 1; k < m; j = k++) {
      const ax = this.cellX(Math.min(poly[2 * j], poly[2 * k])) - cx0, bx = this.cellX(Math.max(poly[2 * j], poly[2 * k])) - cx0;
      const ay = this.cellY(Math.min(poly[2 * j + 1], poly[2 * k + 1])) - cy0, by = this.cellY(Math.max(poly[2 * j + 1], poly[2 * k + 1])) - cy0;
      for (let cy = ay; cy <= by; cy++) for (let cx = ax; cx <= bx; cx++) edge[cy * W + cx] = 1;
    }
    // 2: the other cells, a row at a time: crossings of the row's centre line decide inside/outside per cell.
    const out: number[] = [];
    const xs: number[] = [];
    for (let r = 0; r < H; r++) {
      const cy = cy0 + r;
      const yc = this.y0 + (cy + 0.5) / this.sy;
      xs.length = 0;
      for (let k = 0, j = m - 1; k < m; j = k++) {
        const yi = poly[2 * k + 1], yj = poly[2 * j + 1];
        if ((yi > yc) !== (yj > yc)) xs.push(poly[2 * k] + ((yc - yi) * (poly[2 * j] - poly[2 * k])) / (yj - yi));
      }
      xs.sort((a, b) => a - b);
      let t = 0;
      for (let q = 0; q < W; q++) {
        const cx = cx0 + q;
        const c = cy * G + cx;
        const s = this.cellStart[c], e = this.cellStart[c + 1];
        if (s === e) continue;
        if (edge[r * W + q]) {
          for (let p = s; p < e; p++) {
            const i = this.items[p];
            if (pointInPolygon(this.x[i], this.y[i], poly)) out.push(i);
          }
          continue;
        }
        const xc = this.x0 + (cx + 0.5) / this.sx;
        while (t < xs.length && xs[t] < xc) t++;
        if (t & 1) for (let p = s; p < e; p++) out.push(this.items[p]);
      }
    }
    const res = Int32Array.from(out);
    return res.sort();
  }
}

/**
 * A point on the scatter's canvas (CSS pixels from its top-left) in the data coordinates of the points drawn,
 * inverting regl-scatterplot's transform: clip = projection(1/aspect) · view · model(dataAspect) · point.
 * `view` is the camera's 4x4 column-major matrix (`scatterplot.get('cameraView')`).
 */
export function screenToData(sx: number, sy: number, width: number, height: number, view: ArrayLike<number>,
  dataAspect = 1): [number, number] {
  const cx = (2 * sx) / width - 1, cy = 1 - (2 * sy) / height;
  const vx = cx * (width / height) - view[12], vy = cy - view[13];
  const a = view[0], b = view[4], c = view[1], d = view[5];
  const det = a * d - b * c || 1e-12;
  const mx = (d * vx - b * vy) / det, my = (a * vy - c * vx) / det;
  return [mx / dataAspect, my];
}

/** `combineSelection` for large ascending typed arrays: one merge pass (no Set of a million numbers). */
export function sortedCombine(current: ArrayLike<number>, lassoed: ArrayLike<number>, mode: 'replace' | 'add' | 'remove'): Int32Array {
  if (mode === 'replace') return Int32Array.from(lassoed);
  const out = new Int32Array(mode === 'add' ? current.length + lassoed.length : current.length);
  let i = 0, j = 0, k = 0;
  while (i < current.length) {
    const a = current[i];
    while (j < lassoed.length && lassoed[j] < a) {
      if (mode === 'add') out[k++] = lassoed[j];
      j++;
    }
    const hit = j < lassoed.length && lassoed[j] === a;
    if (mode === 'add' || !hit) out[k++] = a;
    if (hit) j++;
    i++;
  }
  if (mode === 'add') while (j < lassoed.length) out[k++] = lassoed[j++];
  return out.slice(0, k);
}
