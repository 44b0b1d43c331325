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

/** File index -> drawn position (-1 where not drawn): built once per layout, so mapping a selection is O(k). */
export function inverseIndex(pointIndex: ArrayLike<number>): Int32Array {
  let max = -1;
  for (let i = 0; i < pointIndex.length; i++) if (pointIndex[i] > max) max = pointIndex[i];
  const inv = new Int32Array(max + 1).fill(-1);
  for (let i = 0; i < pointIndex.length; i++) inv[pointIndex[i]] = i;
  return inv;
}

/** Drawn positions of `files` (those drawn), ascending. */
export function positionsOf(files: ArrayLike<number>, inverse: Int32Array): Int32Array {
  const out = new Int32Array(files.length);
  let k = 0;
  for (let i = 0; i < files.length; i++) {
    const f = files[i];
    const p = f >= 0 && f < inverse.length ? inverse[f] : -1;
    if (p >= 0) out[k++] = p;
  }
  return out.slice(0, k).sort();
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
 * A uniform grid over 2-D points for lasso selection, built once per layout: point indices sorted by cell
 * (counting sort, O(n), typed arrays only). A lasso query classifies cells instead of points: a cell no polygon
 * edge touches is wholly inside or outside (one scanline test at its centre), so its points are taken or skipped
 * at once; only the points of the few cells an edge crosses are tested one by one, and each of those only against
 * the polygon edges that cross its row of cells. Points are marked in a byte mask and read out in one ascending
 * pass: no per-point allocation, no sort. regl-scatterplot's own lasso instead tests every point of the lasso's
 * bounding box against every edge.
 */
export class GridIndex {
  readonly size: number;
  readonly x0: number; readonly y0: number; readonly sx: number; readonly sy: number;
  /** cellStart[c]..cellStart[c + 1]: the slice of `items` in cell c (row-major, y then x). */
  readonly cellStart: Int32Array;
  readonly items: Int32Array;
  /** The points' coordinates in `items` order (a cell's points are contiguous in memory). */
  readonly ix: Float64Array; readonly iy: Float64Array;
  private mask: Uint8Array;
  /** Points tested one by one in the last query (the rest came with whole cells): for tests and profiling. */
  lastTested = 0;

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
    const G = this.size;
    const cells = new Int32Array(n);
    const start = new Int32Array(G * G + 1);
    for (let i = 0; i < n; i++) {
      const c = this.cellY(y[i]) * G + this.cellX(x[i]);
      cells[i] = c;
      start[c + 1]++;
    }
    for (let c = 0; c < G * G; c++) start[c + 1] += start[c];
    this.cellStart = start;
    const fill = start.slice(0, G * G);
    this.items = new Int32Array(n);
    this.ix = new Float64Array(n);
    this.iy = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const p = fill[cells[i]]++;
      this.items[p] = i; this.ix[p] = x[i]; this.iy[p] = y[i];
    }
    this.mask = new Uint8Array(n);
  }

  cellX(v: number): number { return Math.min(this.size - 1, Math.max(0, Math.floor((v - this.x0) * this.sx))); }
  cellY(v: number): number { return Math.min(this.size - 1, Math.max(0, Math.floor((v - this.y0) * this.sy))); }

  /** Indices of the points inside `poly` ([x0, y0, x1, y1, ...], closed implicitly; even-odd rule), ascending. */
  lasso(poly: ArrayLike<number>): Int32Array {
    const m = poly.length >> 1;
    this.lastTested = 0;
    if (m < 3 || !this.items.length) return new Int32Array(0);
    const G = this.size;
    const px = new Float64Array(m), py = new Float64Array(m);
    let px0 = Infinity, px1 = -Infinity, py0 = Infinity, py1 = -Infinity;
    for (let k = 0; k < m; k++) {
      const a = px[k] = poly[2 * k], b = py[k] = poly[2 * k + 1];
      if (a < px0) px0 = a; if (a > px1) px1 = a;
      if (b < py0) py0 = b; if (b > py1) py1 = b;
    }
    const cx0 = this.cellX(px0), cx1 = this.cellX(px1), cy0 = this.cellY(py0), cy1 = this.cellY(py1);
    const W = cx1 - cx0 + 1, H = cy1 - cy0 + 1;
    // 1: cells an edge may cross (its bounding box in cells: lasso edges are short, so this is tight enough), and
    // for each row of cells the edges whose y-range meets it (bucketed: rowEdges[rowStart[r]..rowStart[r + 1]]).
    const edge = new Uint8Array(W * H);
    const rowCount = new Int32Array(H + 1);
    const ea = new Int32Array(m), eb = new Int32Array(m);
    for (let k = 0, j = m - 1; k < m; j = k++) {
      const ax = this.cellX(Math.min(px[j], px[k])) - cx0, bx = this.cellX(Math.max(px[j], px[k])) - cx0;
      const ay = this.cellY(Math.min(py[j], py[k])) - cy0, by = this.cellY(Math.max(py[j], py[k])) - cy0;
      ea[k] = ay; eb[k] = by;
      for (let r = ay; r <= by; r++) {
        rowCount[r + 1]++;
        edge.fill(1, r * W + ax, r * W + bx + 1);
      }
    }
    for (let r = 0; r < H; r++) rowCount[r + 1] += rowCount[r];
    const rowEdges = new Int32Array(rowCount[H]);
    const rowFill = rowCount.slice(0, H);
    for (let k = 0; k < m; k++) for (let r = ea[k]; r <= eb[k]; r++) rowEdges[rowFill[r]++] = k;
    // 2: a row of cells at a time. Cells no edge touches: the crossings of the row's centre line decide inside or
    // outside for the whole cell. Edge cells: each point against the row's edges only.
    const mask = this.mask;
    const xs = new Float64Array(m);
    const { cellStart, items, ix, iy } = this;
    let total = 0, tested = 0;
    for (let r = 0; r < H; r++) {
      const cy = cy0 + r;
      const yc = this.y0 + (cy + 0.5) / this.sy;
      const e0 = rowCount[r], e1 = rowCount[r + 1];
      let nx = 0;
      for (let q = e0; q < e1; q++) {
        const k = rowEdges[q], j = k === 0 ? m - 1 : k - 1;
        const yi = py[k], yj = py[j];
        if ((yi > yc) !== (yj > yc)) xs[nx++] = px[k] + ((yc - yi) * (px[j] - px[k])) / (yj - yi);
      }
      const row = xs.subarray(0, nx).sort();
      let t = 0;
      for (let q = 0; q < W; q++) {
        const cx = cx0 + q;
        const c = cy * G + cx;
        const s = cellStart[c], e = cellStart[c + 1];
        if (s === e) continue;
        if (edge[r * W + q]) {
          tested += e - s;
          for (let p = s; p < e; p++) {
            const x = ix[p], y = iy[p];
            let inside = false;
            for (let u = e0; u < e1; u++) {
              const k = rowEdges[u], j = k === 0 ? m - 1 : k - 1;
              const yi = py[k], yj = py[j];
              if ((yi > y) !== (yj > y) && x < ((px[j] - px[k]) * (y - yi)) / (yj - yi) + px[k]) inside = !inside;
            }
            if (inside) { mask[items[p]] = 1; total++; }
          }
          continue;
        }
        const xc = this.x0 + (cx + 0.5) / this.sx;
        while (t < nx && row[t] < xc) t++;
        if (t & 1) {
          for (let p = s; p < e; p++) mask[items[p]] = 1;
          total += e - s;
        }
      }
    }
    this.lastTested = tested;
    // 3: the marked points, ascending, in one pass (which also clears the mask for the next query).
    const out = new Int32Array(total);
    for (let i = 0, k = 0; k < total; i++) {
      if (mask[i]) { mask[i] = 0; out[k++] = i; }
    }
    return out;
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
