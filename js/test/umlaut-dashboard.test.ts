import { describe, expect, it } from 'vitest';

import { applyLineEdit, ApplyError } from '../lab/lineedit';
import { Card, epochsText, findingsAt, lineDiff, lttbIndices, mergeCards, row, stackColumns, stackTimeline } from '../widgets/umlaut_dashboard/logic';

describe('stackTimeline', () => {
  it('stacks unique findings per epoch, most severe at the bottom, static ones apart', () => {
    const cards = [
      { id: 'w', severity: 'warning' as const, epochs: [1, 2, 2] },
      { id: 'c', severity: 'critical' as const, epochs: [2] },
      { id: 's', severity: 'error' as const, epochs: [-1] },
      { id: 'e', severity: 'error' as const, epochs: [-1, 2] }
    ];
    const { marks, maxLevel, staticCount } = stackTimeline(cards);
    const at2 = marks.filter(m => m.epoch === 2).sort((a, b) => a.level - b.level).map(m => m.id);
    expect(at2).toEqual(['c', 'e', 'w']); // critical, error, warning; 'w' once despite the repeat
    expect(marks.filter(m => m.epoch === 1).map(m => [m.id, m.level])).toEqual([['w', 0]]);
    expect(maxLevel).toBe(3);
    expect(staticCount).toBe(2);
    expect(marks.filter(m => m.epoch === -1).map(m => m.id).sort()).toEqual(['e', 's']);
  });

  it('handles thousands of findings quickly', () => {
    const cards = Array.from({ length: 2000 }, (_, i) => ({
      id: String(i), severity: (['critical', 'error', 'warning'] as const)[i % 3], epochs: [i % 500, (i * 7) % 500]
    }));
    const t0 = performance.now();
    const { marks } = stackTimeline(cards);
    expect(marks.length).toBeGreaterThan(2000);
    expect(performance.now() - t0).toBeLessThan(1000); // generous: a sanity bound, not a benchmark
  });
});

describe('stackColumns and mergeCards', () => {
  it('draws each epoch as runs of one severity, most severe at the bottom', () => {
    const { marks } = stackTimeline([
      { id: 'w', epochs: [1], severity: 'warning' },
      { id: 'c', epochs: [1, 2], severity: 'critical' },
      { id: 'w2', epochs: [1, -1], severity: 'warning' }
    ]);
    const runs = stackColumns(marks);
    expect(runs).toContainEqual({ epoch: 1, severity: 'critical', from: 0, to: 1 });
    expect(runs).toContainEqual({ epoch: 1, severity: 'warning', from: 1, to: 3 });
    expect(runs).toContainEqual({ epoch: 2, severity: 'critical', from: 0, to: 1 });
    expect(runs.some(r => r.epoch < 0)).toBe(false); // static findings are drawn below the axis
  });

  it('merges the delta of changed cards into the base by id, in severity then session order', () => {
    const card = (id: string, severity: Card['severity'], order: number, epochs = [0]) =>
      ({ id, key: id, subject: '', severity, title: id, epochs, where: '', location: null, context: [], series: [], dismissed: false, order, patch: null }) as unknown as Card;
    const base = [card('a', 'error', 0), card('b', 'warning', 1)];
    expect(mergeCards(base, [])).toBe(base); // nothing changed: the same list
    const merged = mergeCards(base, [card('b', 'warning', 1, [0, 1]), card('c', 'critical', 2)]);
    expect(merged.map(c => c.id)).toEqual(['c', 'a', 'b']);
    expect(merged.find(c => c.id === 'b')!.epochs).toEqual([0, 1]);
  });
});

describe('findingsAt', () => {
  it('lists the findings of one epoch, worst first', () => {
    const cards = [
      { id: 'a', severity: 'warning' as const, epochs: [3, 4] },
      { id: 'b', severity: 'error' as const, epochs: [4] },
      { id: 'c', severity: 'critical' as const, epochs: [-1] }
    ];
    expect(findingsAt(cards, 4).map(c => c.id)).toEqual(['b', 'a']);
    expect(findingsAt(cards, -1).map(c => c.id)).toEqual(['c']);
    expect(findingsAt(cards, 9)).toEqual([]);
  });
});

describe('lineDiff', () => {
  it('splits a suggested change into kept, removed and added text', () => {
    const d = lineDiff('layers.Dense(64),', 'layers.Dense(64, activation="relu"),');
    expect(d.old).toEqual([{ kind: 'same', text: 'layers.Dense(64' }, { kind: 'same', text: '),' }]);
    expect(d.new).toEqual([
      { kind: 'same', text: 'layers.Dense(64' },
      { kind: 'add', text: ', activation="relu"' },
      { kind: 'same', text: '),' }
    ]);
    const r = lineDiff('layers.Dropout(0.8),', 'layers.Dropout(0.2),');
    expect(r.old.find(p => p.kind === 'del')?.text).toBe('8');
    expect(r.new.find(p => p.kind === 'add')?.text).toBe('2');
  });
});

describe('lttbIndices', () => {
  it('keeps ends, returns the requested number of points and the peaks', () => {
    const n = 5000;
    const xs = Array.from({ length: n }, (_, i) => i);
    const ys = xs.map(x => Math.sin(x / 200) + (x === 2500 ? 10 : 0));
    const idx = lttbIndices(xs, ys, 500);
    expect(idx.length).toBe(500);
    expect(idx[0]).toBe(0);
    expect(idx[idx.length - 1]).toBe(n - 1);
    expect(idx).toContain(2500); // a spike survives
    expect([...idx].sort((a, b) => a - b)).toEqual(idx); // in order
  });

  it('passes short series through and skips gaps', () => {
    expect(lttbIndices([0, 1, 2], [1, 2, 3], 10)).toEqual([0, 1, 2]);
    const xs = Array.from({ length: 100 }, (_, i) => i);
    const ys = xs.map(x => (x % 2 ? null : x));
    const idx = lttbIndices(xs, ys, 20);
    expect(idx.slice(1, -1).every(i => ys[i] !== null)).toBe(true);
  });
});

describe('row', () => {
  it('reads one metric of the (metrics, epochs) array, NaN as a gap', () => {
    const data = new Float64Array([1, 2, NaN, 4, 5, 6]);
    expect(row(data, [2, 3], 0)).toEqual([1, 2, null]);
    expect(row(data, [2, 3], 1)).toEqual([4, 5, 6]);
  });
});

describe('epochsText', () => {
  it('counts from 0 like the rest of mlnb', () => {
    expect(epochsText([-1])).toBe('before training');
    expect(epochsText([3])).toBe('epoch 3');
    expect(epochsText([1, 2, 3, 7, -1])).toBe('before training; epochs 1–3, 7');
  });
});

describe('applyLineEdit', () => {
  const cell = 'model = keras.Sequential([\n    layers.Dense(64),\n    layers.Dense(10)])\n';

  it('edits the given line and keeps its indentation', () => {
    const out = applyLineEdit(cell, 2, 'layers.Dense(64),', 'layers.Dense(64, activation="relu"),');
    expect(out.line).toBe(2);
    expect(out.source.split('\n')[1]).toBe('    layers.Dense(64, activation="relu"),');
    expect(out.source.split('\n')[2]).toBe('    layers.Dense(10)])');
  });

  it('finds the line when lines moved, and refuses when it is gone', () => {
    const moved = '# a comment added above\n' + cell;
    expect(applyLineEdit(moved, 2, 'layers.Dense(64),', 'layers.Dense(64, activation="relu"),').line).toBe(3);
    expect(() => applyLineEdit('x = 1\n', 1, 'layers.Dense(64),', 'layers.Dense(64, activation="relu"),')).toThrow(ApplyError);
    const done = applyLineEdit(cell, 2, 'layers.Dense(64),', 'layers.Dense(64, activation="relu"),').source;
    expect(() => applyLineEdit(done, 2, 'layers.Dense(64),', 'layers.Dense(64, activation="relu"),')).toThrow(/already/);
  });

  it('refuses when the original line is ambiguous or was changed elsewhere than the finding\'s line', () => {
    const twice = 'a = 1\nlayers.Dense(64),\nlayers.Dense(64),\n';
    // line 1 differs, and two other lines read the original: which one is meant cannot be told
    expect(() => applyLineEdit(twice, 1, 'layers.Dense(64),', 'layers.Dense(64, activation="relu"),')).toThrow(/ambiguous/);
    // the finding's own line is edited even when an identical line exists elsewhere
    expect(applyLineEdit(twice, 2, 'layers.Dense(64),', 'layers.Dense(64, activation="relu"),').line).toBe(2);
    // a changed line moved elsewhere is not matched loosely: only the finding's own line gets a partial edit
    const src = 'x = 1\nnet = nn.Sequential(nn.Linear(20, 64), nn.ReLU(), nn.Dropout(p=0.9))\n';
    expect(() => applyLineEdit(src, 1, 'net = nn.Sequential(nn.Linear(20, 64), nn.Dropout(p=0.9))', 'net = nn.Sequential(nn.Linear(20, 64), nn.Dropout(p=0.1))'))
      .toThrow(/no longer reads/);
  });

  it('applies a second fix to a line another fix already changed', () => {
    const src = 'net = nn.Sequential(\n    nn.Linear(20, 64), nn.Dropout(p=0.9),\n    nn.Linear(64, 10))';
    const first = applyLineEdit(src, 2, 'nn.Linear(20, 64), nn.Dropout(p=0.9),', 'nn.Linear(20, 64), nn.ReLU(), nn.Dropout(p=0.9),');
    const second = applyLineEdit(first.source, 2, 'nn.Linear(20, 64), nn.Dropout(p=0.9),', 'nn.Linear(20, 64), nn.Dropout(p=0.1),');
    expect(second.source.split('\n')[1]).toBe('    nn.Linear(20, 64), nn.ReLU(), nn.Dropout(p=0.1),');
  });
});
