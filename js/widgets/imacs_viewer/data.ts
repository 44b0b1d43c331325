// Pure data helpers of the IMACS viewer (no DOM): decoding, sorting, filtering, bucketing.
// Unit-tested in js/test/imacs_viewer.test.ts.

export const OUTCOMES = ['TP', 'FP', 'TN', 'FN'] as const;
export type Outcome = (typeof OUTCOMES)[number];
export type SortKey = 'imbalance' | 'importance' | 'centrality';
export type WithinKey = 'attribution' | 'centrality';

export interface ClusterRow {
  cluster: number; n_a: number; n_b: number; n: number;
  mean_a: number; mean_b: number; imbalance: number; difference: number;
  importance: number; centrality: number; what_changed: string;
}

/** Segment columns (one entry per segment row), decoded from the widget's typed-array traits. */
export interface Segments {
  n: number;
  cluster: ArrayLike<number>;
  model: ArrayLike<number>;      // 0 = A, 1 = B
  attr: ArrayLike<number>;
  outcome: ArrayLike<number>;    // index into OUTCOMES
  image: ArrayLike<number>;
  bbox: ArrayLike<number>;       // n × 4: y0, x0, y1, x1
  distance: ArrayLike<number>;
  sprite: ArrayLike<number>;
}

/** Clusters in display order: imbalance or importance largest first, centrality tightest first. */
export function sortClusters(rows: ClusterRow[], by: SortKey): ClusterRow[] {
  const key = (r: ClusterRow) => (by === 'centrality' ? r.centrality : -r[by]);
  return rows.map((r, i) => [r, i] as const)
    .sort((a, b) => key(a[0]) - key(b[0]) || a[1] - b[1])   // stable
    .map(([r]) => r);
}

/** Rows of segments whose outcome is in ``outcomes``. */
export function filterRows(seg: Segments, outcomes: readonly string[]): number[] {
  const keep = new Set(outcomes.map(o => OUTCOMES.indexOf(o as Outcome)));
  const out: number[] = [];
  for (let i = 0; i < seg.n; i++) if (keep.has(seg.outcome[i])) out.push(i);
  return out;
}

/** One cluster's rows of one model (0 = A, 1 = B), by attribution (highest first) or distance to the centroid (closest first). */
export function clusterRows(seg: Segments, rows: number[], cluster: number, model: number, within: WithinKey): number[] {
  const sel = rows.filter(i => seg.cluster[i] === cluster && seg.model[i] === model);
  return within === 'attribution'
    ? sel.sort((a, b) => seg.attr[b] - seg.attr[a] || a - b)
    : sel.sort((a, b) => seg.distance[a] - seg.distance[b] || a - b);
}

/** The shared horizontal scale of all histograms: [lo, hi] over every attribution, including 0. */
export function sharedScale(attr: ArrayLike<number>): [number, number] {
  let lo = 0, hi = 0;
  for (let i = 0; i < attr.length; i++) {
    if (attr[i] < lo) lo = attr[i];
    if (attr[i] > hi) hi = attr[i];
  }
  if (hi - lo < 1e-9) { lo -= 0.5; hi += 0.5; }
  return [lo, hi];
}

/** Bin of a value on [lo, hi] with ``bins`` equal bins (the maximum goes into the last bin). */
export function binOf(v: number, lo: number, hi: number, bins: number): number {
  const b = Math.floor(((v - lo) / (hi - lo)) * bins);
  return Math.min(bins - 1, Math.max(0, b));
}

/** Rows bucketed into ``bins`` bins on [lo, hi]; each bucket holds its rows highest attribution first. */
export function bucket(seg: Segments, rows: number[], lo: number, hi: number, bins: number): number[][] {
  const out: number[][] = Array.from({ length: bins }, () => []);
  for (const i of rows) out[binOf(seg.attr[i], lo, hi, bins)].push(i);
  for (const b of out) b.sort((x, y) => seg.attr[y] - seg.attr[x] || x - y);
  return out;
}

/** A stack of at most ``max`` rows, and how many were left off. */
export function truncate(rows: number[], max: number): { shown: number[]; more: number } {
  return { shown: rows.slice(0, max), more: Math.max(0, rows.length - max) };
}

/** A cluster's rows of one model split by outcome (confusion matrix cells). */
export function confusionCells(seg: Segments, rows: number[], cluster: number, model: number): Record<Outcome, number[]> {
  const cells: Record<Outcome, number[]> = { TP: [], FP: [], TN: [], FN: [] };
  for (const i of rows) {
    if (seg.cluster[i] === cluster && seg.model[i] === model) cells[OUTCOMES[seg.outcome[i]]].push(i);
  }
  for (const o of OUTCOMES) cells[o].sort((a, b) => seg.attr[b] - seg.attr[a] || a - b);
  return cells;
}

/** Mean attribution per model of the given rows of a cluster (NaN when none). */
export function means(seg: Segments, rows: number[], cluster: number): [number, number] {
  const s = [0, 0], n = [0, 0];
  for (const i of rows) if (seg.cluster[i] === cluster) { s[seg.model[i]] += seg.attr[i]; n[seg.model[i]]++; }
  return [n[0] ? s[0] / n[0] : NaN, n[1] ? s[1] / n[1] : NaN];
}

/** Tick values for an axis on [lo, hi]: 0 and round steps. */
export function ticks(lo: number, hi: number, count = 5): number[] {
  const raw = (hi - lo) / count;
  const mag = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 5, 10].map(m => m * mag).find(s => s >= raw) ?? raw;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + 1e-12; v += step) out.push(Math.abs(v) < 1e-12 ? 0 : +v.toFixed(10));
  return out;
}
