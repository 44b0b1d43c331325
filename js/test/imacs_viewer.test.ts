// @vitest-environment jsdom
// IMACS viewer: the pure helpers (histogram bucketing, sorting, filters, confusion cells) and a
// render of the three views from a widget state, updated in place on trait changes.
import { describe, expect, it, vi } from 'vitest';

import {
  binOf, bucket, clusterRows, confusionCells, filterRows, sharedScale, sortClusters, ticks, truncate,
  type ClusterRow, type Segments
} from '../widgets/imacs_viewer/data';
import widget from '../widgets/imacs_viewer/index';
import { fakeModel } from '../widgets/_kit/testing';
import { loadFixture } from './fixtures';

// jsdom has no canvas: the views skip drawing (heatmaps, coherence plots) when there is no 2D context.
HTMLCanvasElement.prototype.getContext = (() => null) as never;

// 8 segments: clusters 0/1, models A(0)/B(1), outcomes TP FP TN FN = 0..3
const seg: Segments = {
  n: 8,
  cluster: [0, 0, 0, 1, 1, 1, 0, 1],
  model: [0, 1, 1, 0, 1, 0, 1, 1],
  attr: [0.01, 0.4, 0.35, -0.1, 0.05, 0.2, 0.9, 0.0],
  outcome: [0, 1, 1, 2, 3, 0, 1, 2],
  image: [1, 2, 3, 4, 5, 6, 7, 8],
  bbox: Array.from({ length: 32 }, (_, i) => [0, 0, 8, 8][i % 4]),
  distance: [0.5, 0.1, 0.3, 0.2, 0.6, 0.05, 0.9, 0.4],
  sprite: [0, 1, 2, 3, 4, 5, 6, 7]
};
const row = (c: number, o: Partial<ClusterRow>): ClusterRow => ({
  cluster: c, n_a: 1, n_b: 1, n: 2, mean_a: 0, mean_b: 0, imbalance: 0, difference: 0, importance: 0,
  centrality: 0, what_changed: '', ...o
});

describe('data helpers', () => {
  it('sorts clusters by imbalance and importance (largest first) and centrality (tightest first), stably', () => {
    const rows = [row(0, { imbalance: 0.1, importance: 0.5, centrality: 0.3 }),
      row(1, { imbalance: 0.4, importance: 0.2, centrality: 0.1 }),
      row(2, { imbalance: 0.4, importance: 0.9, centrality: 0.2 })];
    expect(sortClusters(rows, 'imbalance').map(r => r.cluster)).toEqual([1, 2, 0]);
    expect(sortClusters(rows, 'importance').map(r => r.cluster)).toEqual([2, 0, 1]);
    expect(sortClusters(rows, 'centrality').map(r => r.cluster)).toEqual([1, 2, 0]);
  });

  it('filters rows by outcome', () => {
    expect(filterRows(seg, ['FP'])).toEqual([1, 2, 6]);
    expect(filterRows(seg, ['TP', 'FN'])).toEqual([0, 4, 5]);
    expect(filterRows(seg, [])).toEqual([]);
  });

  it("orders a cluster's rows of one model by attribution or by distance to the centroid", () => {
    const all = filterRows(seg, ['TP', 'FP', 'TN', 'FN']);
    expect(clusterRows(seg, all, 0, 1, 'attribution')).toEqual([6, 1, 2]);
    expect(clusterRows(seg, all, 0, 1, 'centrality')).toEqual([1, 2, 6]);
    expect(clusterRows(seg, [1, 2], 0, 1, 'attribution')).toEqual([1, 2]);  // filtered rows only
  });

  it('buckets on one shared scale that includes 0; the maximum lands in the last bin', () => {
    const [lo, hi] = sharedScale(seg.attr);
    expect([lo, hi]).toEqual([-0.1, 0.9]);
    expect(sharedScale([0.2, 0.2])).toEqual([0, 0.2]);
    expect(sharedScale([0, 0])).toEqual([-0.5, 0.5]);      // degenerate: a unit window around 0
    expect(binOf(0.9, lo, hi, 10)).toBe(9);
    expect(binOf(-0.1, lo, hi, 10)).toBe(0);
    expect(binOf(5, lo, hi, 10)).toBe(9);
    const b = bucket(seg, [0, 1, 2, 3, 6], lo, hi, 10);
    expect(b.flat().sort()).toEqual([0, 1, 2, 3, 6]);
    expect(b[0]).toEqual([3]);
    expect(b[4]).toEqual([2]);                // 0.35
    expect(b[5]).toEqual([1]);                // 0.4
    expect(bucket(seg, [0, 4, 7], lo, hi, 10)[1]).toEqual([4, 0, 7]);  // 0.05, 0.01, 0.0 share a bin, highest first
    expect(b[9]).toEqual([6]);
    expect(truncate([1, 2, 3, 4, 5, 6, 7], 5)).toEqual({ shown: [1, 2, 3, 4, 5], more: 2 });
    expect(truncate([1], 5)).toEqual({ shown: [1], more: 0 });
  });

  it('splits a cluster into confusion-matrix cells per model', () => {
    const all = filterRows(seg, ['TP', 'FP', 'TN', 'FN']);
    expect(confusionCells(seg, all, 0, 1)).toEqual({ TP: [], FP: [6, 1, 2], TN: [], FN: [] });
    expect(confusionCells(seg, all, 1, 0)).toEqual({ TP: [5], FP: [], TN: [3], FN: [] });
  });

  it('makes round ticks including 0', () => {
    expect(ticks(-0.1, 0.9)).toContain(0);
    expect(ticks(0, 1)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
  });
});

// ---- render from a widget state --------------------------------------------------------------
const arr = (dtype: string, data: ArrayLike<number>, shape?: number[]) => {
  const C: any = { int16: Int16Array, uint8: Uint8Array, float32: Float32Array, int32: Int32Array }[dtype];
  const typed = new C(data);
  return { dtype, shape: shape ?? [typed.length], buffer: new DataView(typed.buffer) };
};

function state(): Record<string, any> {
  const clusters = [row(0, { n_a: 1, n_b: 3, n: 4, mean_a: 0.01, mean_b: 0.55, imbalance: 0.54, importance: 0.55, centrality: 0.4,
    what_changed: 'B relies on this concept, A does not: mean attribution 0.55 vs 0.01.' }),
  row(1, { n_a: 2, n_b: 2, n: 4, mean_a: 0.05, mean_b: 0.025, imbalance: 0.025, importance: 0.05, centrality: 0.2,
    what_changed: 'Both models weigh this concept alike: <b>0.05</b>' })];
  return {
    target: 'circle', class_names: ['circle', 'square', 'cross'], n_clusters: 2, clusters, notes: ['a note <i>'],
    image_shape: [32, 32, 3], progress: {}, error: '',
    seg_cluster: arr('int16', seg.cluster), seg_model: arr('uint8', seg.model), seg_attr: arr('float32', seg.attr),
    seg_outcome: arr('uint8', seg.outcome), seg_image: arr('int32', seg.image), seg_bbox: arr('int16', seg.bbox, [8, 4]),
    seg_distance: arr('float32', seg.distance), seg_sprite: arr('int32', seg.sprite),
    locations: arr('float32', new Array(2 * 2 * 8 * 8).fill(0.1), [2, 2, 8, 8]),
    sprites: new DataView(new ArrayBuffer(0)), sprite_cols: 3, sprite_size: 32,
    view: 'histograms', sort_by: 'imbalance', within: 'attribution', outcomes: ['TP', 'FP', 'TN', 'FN'], cluster: 0
  };
}

describe('IMACS viewer', () => {
  it('renders the three views from the state, filters, sorts, and cleans up', async () => {
    const model = fakeModel(state());
    const el = document.createElement('div');
    const cleanup = widget.render({ model: model as any, el });
    const hist = el.querySelector('[data-view="histograms"].mlnb-imacs-view') as HTMLElement;
    expect(hist.hidden).toBe(false);
    const order = () => [...el.querySelectorAll('.mlnb-imacs-view:not([hidden]) .mlnb-imacs-cluster')].map(c => (c as HTMLElement).dataset.cluster);
    expect(order()).toEqual(['0', '1']);
    expect(hist.querySelectorAll('.mlnb-imacs-thumb').length).toBe(8);
    expect(hist.querySelectorAll('canvas').length).toBe(4);           // location heatmaps: 2 clusters × 2 models
    // User strings are text, never HTML.
    expect(el.querySelector('.mlnb-imacs-notes li')!.textContent).toBe('a note <i>');
    expect(el.querySelector('.mlnb-imacs-notes i')).toBeNull();
    expect(el.textContent).toContain('Both models weigh this concept alike: <b>0.05</b>');

    model.set('sort_by', 'importance');
    await model.flush();
    expect(order()).toEqual(['0', '1']);
    model.set('sort_by', 'centrality');
    await model.flush();
    expect(order()).toEqual(['1', '0']);

    model.set('outcomes', ['FP']);
    await model.flush();                                     // false positives only
    expect(hist.querySelectorAll('.mlnb-imacs-thumb').length).toBe(3);
    expect((el.querySelector('input[data-outcome="FP"]') as HTMLInputElement).checked).toBe(true);
    expect((el.querySelector('input[data-outcome="TP"]') as HTMLInputElement).checked).toBe(false);

    model.set('view', 'concepts');
    await model.flush();
    const concepts = el.querySelector('[data-view="concepts"].mlnb-imacs-view') as HTMLElement;
    expect(hist.hidden).toBe(true);
    expect(concepts.hidden).toBe(false);
    expect([...concepts.querySelectorAll('.mlnb-imacs-thumb')].every(t => t.className.includes('outcome-fp'))).toBe(true);
    expect(concepts.querySelectorAll('[data-plot]').length).toBe(6);  // composition, coherence, importance × 2

    model.set('outcomes', ['TP', 'FP', 'TN', 'FN']);
    await model.flush();
    model.set('view', 'confusion');
    await model.flush();
    const conf = el.querySelector('[data-view="confusion"].mlnb-imacs-view') as HTMLElement;
    const cellB = conf.querySelector('[data-model="B"] td[data-outcome="FP"]')!;
    expect(cellB.querySelectorAll('.mlnb-imacs-thumb').length).toBe(3);
    expect(cellB.textContent).toContain('FP · 3');

    // Re-clustering changes the traits; the shown view updates in place.
    model.set('clusters', [row(0, { n: 8, n_a: 3, n_b: 5, what_changed: 'one cluster' })]);
    await model.flush();
    model.set('seg_cluster', arr('int16', new Array(8).fill(0)));
    await model.flush();
    expect(conf.querySelector('[data-model="B"] td[data-outcome="FP"]')!.textContent).toContain('FP · 3');
    expect(conf.querySelectorAll('option').length).toBe(1);

    (cleanup as () => void)();
    expect(el.children.length).toBe(0);
    model.set('sort_by', 'importance');   // no listener left: nothing re-renders, nothing throws
    await model.flush();
    expect(el.children.length).toBe(0);
  });

  it('re-clustered traits arriving together (clusters before seg_cluster) render consistently', async () => {
    const model = fakeModel(state());
    const el = document.createElement('div');
    widget.render({ model: model as any, el });
    expect(el.querySelectorAll('[data-view="histograms"] .mlnb-imacs-cluster[data-cluster="0"] .mlnb-imacs-thumb').length).toBe(4);
    // One kernel message sets every trait of the new result in the same tick.
    model.set('clusters', [row(0, { n: 8, n_a: 3, n_b: 5, what_changed: 'one cluster' })]);
    model.set('seg_cluster', arr('int16', new Array(8).fill(0)));
    await model.flush();
    const blocks = el.querySelectorAll('[data-view="histograms"] .mlnb-imacs-cluster');
    expect(blocks.length).toBe(1);
    expect(blocks[0].querySelectorAll('.mlnb-imacs-thumb').length).toBe(8);
  });

  it('asks Python for the source image on hover', async () => {
    const model = fakeModel(state());
    const el = document.createElement('div');
    widget.render({ model: model as any, el });
    const t = el.querySelector('.mlnb-imacs-thumb[data-row="6"]')!;
    t.dispatchEvent(new MouseEvent('mouseover', { bubbles: true }));
    expect(model.sent.length).toBe(1);
    const msg = JSON.stringify(model.sent[0].content);
    expect(msg).toContain('source_images');
    // The hovered segment's image first, then the other images of its cluster (0): one request.
    expect(msg).toContain('"images":[7,1,2,3]');
    el.querySelector('.mlnb-imacs-thumb[data-row="1"]')!.dispatchEvent(new MouseEvent('mouseover', { bubbles: true }));
    expect(model.sent.length).toBe(1);   // image 2 is already on its way
  });

  it('prefetches every cluster\'s source images after the first paint, one request per cluster', async () => {
    vi.useFakeTimers();
    const model = fakeModel(state());
    model.commands.source_images = () => {
      throw new Error('no sprite sheet in this test'); // the first answer stops the prefetch
    };
    const el = document.createElement('div');
    const cleanup = widget.render({ model: model as any, el });
    expect(model.sent.length).toBe(0);
    vi.advanceTimersByTime(500);
    expect(model.sent.length).toBe(1);
    expect(JSON.stringify(model.sent[0].content)).toContain('source_images');
    cleanup();
    vi.useRealTimers();
  });
});

describe('IMACS viewer on the state pytest wrote (js/test/fixtures/imacs_viewer/small.json)', () => {
  it('renders every segment of every cluster, in imbalance order', async () => {
    const st = loadFixture<Record<string, any>>('imacs_viewer', 'small');
    const model = fakeModel(st);
    const el = document.createElement('div');
    widget.render({ model: model as any, el });
    const n = st.seg_attr.shape[0];
    const clusters = [...el.querySelectorAll('[data-view="histograms"] .mlnb-imacs-cluster')].map(c => Number((c as HTMLElement).dataset.cluster));
    expect(clusters).toEqual(st.clusters.map((c: any) => c.cluster));
    model.set('view', 'concepts');
    await model.flush();
    // Each model's row of a cluster shows up to 40 thumbnails (then "+N").
    const cl = new Int16Array(st.seg_cluster.buffer.buffer), mo = new Uint8Array(st.seg_model.buffer.buffer);
    const per = new Map<string, number>();
    for (let i = 0; i < n; i++) per.set(`${cl[i]}-${mo[i]}`, (per.get(`${cl[i]}-${mo[i]}`) ?? 0) + 1);
    const want = [...per.values()].reduce((t, v) => t + Math.min(40, v), 0);
    expect(el.querySelectorAll('[data-view="concepts"] .mlnb-imacs-thumb').length).toBe(want);
    expect(el.querySelector('.mlnb-imacs-title')!.textContent).toContain(st.target);
  });
});
