/** How mlnb writes numbers, epochs, places and times, everywhere. Pure functions. */
import type { Location } from './schema';

/** "epoch 3", or "no epoch yet". */
export function formatEpoch(epoch: number | null): string {
  return epoch === null || epoch === undefined ? 'no epoch yet' : `epoch ${epoch}`;
}

/**
 * A run's length, "4 epochs" (the store's count: latest epoch + 1, as `%umlaut list` shows it),
 * or "no epoch yet".
 */
export function formatEpochCount(epochs: number): string {
  return epochs > 0 ? plural(epochs, 'epoch') : 'no epoch yet';
}

/**
 * Compact epoch list: -1 is "before training"; runs of consecutive epochs collapse, e.g.
 * [-1, 0, 1, 2, 5] -> "before training, 0–2, 5".
 */
export function formatEpochs(epochs: readonly number[]): string {
  const sorted = [...new Set(epochs)].sort((a, b) => a - b);
  const parts: string[] = [];
  if (sorted[0] === -1) {
    parts.push('before training');
    sorted.shift();
  }
  let i = 0;
  while (i < sorted.length) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) {
      j++;
    }
    parts.push(j === i ? `${sorted[i]}` : j === i + 1 ? `${sorted[i]}, ${sorted[j]}` : `${sorted[i]}–${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(', ');
}

export function basename(path: string): string {
  const parts = path.split(/[\\/]/);
  return parts[parts.length - 1] || path;
}

/** "cell [3], line 7", "cell, line 7" (id only), "train.py:12", or "" when there is no location. */
export function formatLocation(loc: Location | null): string {
  if (!loc) {
    return '';
  }
  const line = loc.line !== null ? `line ${loc.line}` : '';
  if (loc.execution_count !== null || loc.cell_id !== null) {
    const cell = loc.execution_count !== null ? `cell [${loc.execution_count}]` : 'cell';
    return line ? `${cell}, ${line}` : cell;
  }
  if (loc.file) {
    return loc.line !== null ? `${basename(loc.file)}:${loc.line}` : basename(loc.file);
  }
  return line;
}

/** "3 s ago", "5 min ago", "2 h ago", "4 d ago" from unix seconds. */
export function formatAgo(unixSeconds: number, nowMs: number = Date.now()): string {
  const s = Math.max(0, Math.round(nowMs / 1000 - unixSeconds));
  if (s < 60) {
    return `${s} s ago`;
  }
  if (s < 3600) {
    return `${Math.floor(s / 60)} min ago`;
  }
  if (s < 86400) {
    return `${Math.floor(s / 3600)} h ago`;
  }
  return `${Math.floor(s / 86400)} d ago`;
}

/** A context value for people: integers as they are, other numbers to 4 significant digits. */
export function formatValue(v: unknown): string {
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) {
      return String(v);
    }
    return Number.isInteger(v) ? String(v) : v.toPrecision(4);
  }
  if (typeof v === 'string') {
    return v;
  }
  return JSON.stringify(v) ?? String(v);
}

/** "1 finding", "3 findings". */
export function plural(n: number, noun: string, pluralNoun = `${noun}s`): string {
  return `${n} ${n === 1 ? noun : pluralNoun}`;
}
