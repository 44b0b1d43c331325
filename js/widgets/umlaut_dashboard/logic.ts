/**
 * The UMLAUT dashboard's pure parts (no DOM): rows of the metrics array, downsampling long curves
 * (LTTB), stacking findings per epoch for the error timeline, the findings of one epoch, and the
 * diff of a suggested fix. Tested in js/test/umlaut-dashboard.test.ts.
 */

import type { Patch } from '../../common/cards';
import { SEVERITIES, Severity } from '../../common/schema';

export { lineDiff } from '../../common/cards';
export type { DiffPart, Patch } from '../../common/cards';

export { SEVERITIES };
export type { Severity };

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
  /** Its place among the session's findings (the order within a severity). */
  order?: number;
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

/**
 * The cards the view shows: `findings` (every card as of the last compaction) with the cards of
 * `findings_delta` (added or changed since) put in by id; most severe first, then in the order
 * the session found them.
 */
export function mergeCards(base: Card[], delta: Card[]): Card[] {
  if (!delta.length) {
    return base;
  }
  const byId = new Map(base.map(c => [c.id, c]));
  for (const c of delta) {
    byId.set(c.id, c);
  }
  const rank = (s: Severity) => SEVERITIES.indexOf(s);
  return [...byId.values()].sort((a, b) => rank(a.severity) - rank(b.severity) || (a.order ?? 0) - (b.order ?? 0));
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

/** A run of marks of one severity in one epoch's stack: levels `from` (inclusive) to `to`. */
export interface StackRun {
  epoch: number;
  severity: Severity;
  from: number;
  to: number;
}

/**
 * The stacks of `stackTimeline` as runs of one severity per epoch (what is drawn: one rectangle
 * per run). Static findings (epoch -1) are left out.
 */
export function stackColumns(marks: Mark[]): StackRun[] {
  const open = new Map<number, StackRun>();
  const rank = new Map(SEVERITIES.map((s, i) => [s, i]));
  for (const m of marks) {
    if (m.epoch < 0) {
      continue;
    }
    const k = m.epoch * 4 + (rank.get(m.severity) ?? 3);
    const run = open.get(k);
    if (run) {
      run.from = Math.min(run.from, m.level);
      run.to = Math.max(run.to, m.level + 1);
    } else {
      open.set(k, { epoch: m.epoch, severity: m.severity, from: m.level, to: m.level + 1 });
    }
  }
  return [...open.values()];
}

/** The findings seen at `epoch` (-1: before training), most severe first. */
export function findingsAt<T extends Pick<Card, 'epochs' | 'severity'>>(cards: T[], epoch: number): T[] {
  return cards
    .filter(c => c.epochs.some(e => (e < 0 ? -1 : e) === epoch))
    .sort((a, b) => SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity));
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
