/**
 * The UMLAUT dashboard's pure parts (no DOM): rows of the metrics array, downsampling long curves
 * (LTTB), stacking findings per epoch for the error timeline, the findings of one epoch, and the
 * diff of a suggested fix. Tested in js/test/umlaut-dashboard.test.ts.
 */

import { SEVERITIES, Severity } from '../../common/schema';

export { SEVERITIES };
export type { Severity };

export interface Patch {
  key: string;
  safe: boolean;
  note: string;
  old: string | null;
  new: string | null;
  line: number | null;
  cell_id: string | null;
  execution_count: number | null;
  notebook_path: string | null;
  file: string | null;
}

/** One finding as the view gets it; its explanation is in the catalog under its key. */
export interface Card {
  id: string;
  key: string;
  subject: string;
  severity: Severity;
  title: string;
  epochs: number[];
  where: string;
  location: Record<string, unknown> | null;
  context: [string, unknown][];
  patch: Patch;
  series: string[];
  dismissed: boolean;
}

/** What a key means (sent once per key): catalog title, theory, heuristic, fix, snippet, links. */
export interface Explanation {
  name: string;
  description: string;
  heuristic: string;
  fix: string;
  snippet: string;
  links: { label: string; url: string }[];
}

/** A cheap signature of a card: a re-sent card whose signature is unchanged keeps its DOM. */
export function cardSignature(c: Card): string {
  return `${c.severity}|${c.title}|${c.epochs.length}|${c.epochs[c.epochs.length - 1]}|${c.dismissed}|${c.patch.safe}|${c.patch.new}|${c.where}`;
}

/** Row `i` of a 2-D array as numbers with NaN -> null (uPlot's gaps). */
export function row(data: ArrayLike<number>, shape: number[], i: number): (number | null)[] {
  const n = shape[1] ?? 0;
  const out: (number | null)[] = new Array(n);
  for (let j = 0; j < n; j++) {
    const v = data[i * n + j];
    out[j] = Number.isFinite(v) ? v : null;
  }
  return out;
}

/**
 * Largest-Triangle-Three-Buckets (Steinarsson 2013): the indices of `threshold` points of (xs, ys)
 * that keep the curve's shape. Nulls are skipped as candidates; first and last points are kept.
 */
export function lttbIndices(xs: ArrayLike<number>, ys: ArrayLike<number | null>, threshold: number): number[] {
  const n = xs.length;
  if (threshold >= n || threshold < 3) {
    return Array.from({ length: n }, (_, i) => i);
  }
  const out = [0];
  const every = (n - 2) / (threshold - 2);
  let a = 0;
  for (let i = 0; i < threshold - 2; i++) {
    const start = Math.floor(i * every) + 1;
    const end = Math.min(Math.floor((i + 1) * every) + 1, n - 1);
    const nextStart = end;
    const nextEnd = Math.min(Math.floor((i + 2) * every) + 1, n);
    let avgX = 0;
    let avgY = 0;
    let count = 0;
    for (let j = nextStart; j < nextEnd; j++) {
      const y = ys[j];
      if (y !== null && Number.isFinite(y)) {
        avgX += xs[j];
        avgY += y;
        count++;
      }
    }
    if (count) {
      avgX /= count;
      avgY /= count;
    } else {
      avgX = xs[Math.min(nextStart, n - 1)];
      avgY = (ys[a] as number) ?? 0;
    }
    const ax = xs[a];
    const ay = (ys[a] as number) ?? 0;
    let best = -1;
    let bestArea = -1;
    for (let j = start; j < end; j++) {
      const y = ys[j];
      if (y === null || !Number.isFinite(y)) {
        continue;
      }
      const area = Math.abs((ax - avgX) * (y - ay) - (ax - xs[j]) * (avgY - ay));
      if (area > bestArea) {
        bestArea = area;
        best = j;
      }
    }
    if (best >= 0) {
      out.push(best);
      a = best;
    }
  }
  out.push(n - 1);
  return out;
}

/** One mark of the error timeline: finding `id` at `epoch`, `level` places up its stack. */
export interface Mark {
  id: string;
  epoch: number; // -1: before training (drawn below the axis)
  level: number;
  severity: Severity;
}

/**
 * Unique findings stacked per epoch: every finding gets one mark at each epoch it was seen, the
 * most severe at the bottom of each stack (stable by card order). Static findings (epoch -1) are
 * stacked once, below the axis.
 */
export function stackTimeline(cards: Pick<Card, 'id' | 'epochs' | 'severity'>[]): { marks: Mark[]; maxLevel: number; staticCount: number } {
  const rank = (s: Severity) => SEVERITIES.indexOf(s);
  const ordered = cards.map((c, i) => ({ c, i })).sort((p, q) => rank(p.c.severity) - rank(q.c.severity) || p.i - q.i);
  const levels = new Map<number, number>();
  const marks: Mark[] = [];
  let maxLevel = 0;
  for (const { c } of ordered) {
    const seen = new Set<number>();
    for (const raw of c.epochs) {
      const epoch = raw < 0 ? -1 : raw;
      if (seen.has(epoch)) {
        continue;
      }
      seen.add(epoch);
      const level = levels.get(epoch) ?? 0;
      levels.set(epoch, level + 1);
      marks.push({ id: c.id, epoch, level, severity: c.severity });
      if (epoch >= 0) {
        maxLevel = Math.max(maxLevel, level + 1);
      }
    }
  }
  return { marks, maxLevel, staticCount: levels.get(-1) ?? 0 };
}

/** The findings seen at `epoch` (-1: before training), most severe first. */
export function findingsAt<T extends Pick<Card, 'epochs' | 'severity'>>(cards: T[], epoch: number): T[] {
  return cards
    .filter(c => c.epochs.some(e => (e < 0 ? -1 : e) === epoch))
    .sort((a, b) => SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity));
}

/** A segment of a line diff: text kept (`same`), removed from the old line or added in the new. */
export interface DiffPart {
  kind: 'same' | 'del' | 'add';
  text: string;
}

/**
 * The old and new line split into common prefix, changed middle and common suffix (what a
 * reviewer sees in a suggested change): `old` parts are same/del, `new` parts same/add.
 */
export function lineDiff(oldLine: string, newLine: string): { old: DiffPart[]; new: DiffPart[] } {
  let p = 0;
  while (p < oldLine.length && p < newLine.length && oldLine[p] === newLine[p]) {
    p++;
  }
  let s = 0;
  while (s < oldLine.length - p && s < newLine.length - p && oldLine[oldLine.length - 1 - s] === newLine[newLine.length - 1 - s]) {
    s++;
  }
  const parts = (line: string, kind: 'del' | 'add'): DiffPart[] =>
    [
      { kind: 'same' as const, text: line.slice(0, p) },
      { kind, text: line.slice(p, line.length - s) },
      { kind: 'same' as const, text: line.slice(line.length - s) }
    ].filter(part => part.text.length > 0);
  return { old: parts(oldLine, 'del'), new: parts(newLine, 'add') };
}

/** "epoch 3", "epochs 2–5, 8", "before training" (counting from 0, as everywhere in mlnb). */
export function epochsText(epochs: number[]): string {
  const values = [...new Set(epochs.map(e => (e < 0 ? -1 : e)))].sort((a, b) => a - b);
  const parts: string[] = values[0] === -1 ? ['before training'] : [];
  const runs: number[][] = [];
  for (const e of values.filter(v => v >= 0)) {
    const last = runs[runs.length - 1];
    if (last && e === last[last.length - 1] + 1) {
      last.push(e);
    } else {
      runs.push([e]);
    }
  }
  if (runs.length) {
    const spans = runs.map(r => (r.length === 1 ? `${r[0]}` : `${r[0]}–${r[r.length - 1]}`)).join(', ');
    parts.push(`${runs.length === 1 && runs[0].length === 1 ? 'epoch' : 'epochs'} ${spans}`);
  }
  return parts.join('; ') || 'not recorded';
}
