// Cluster histogram view (thesis §4.5.1): per cluster, two histograms of segment thumbnails
// bucketed by attribution on one shared horizontal scale; stacks truncated with a count.
import { h } from '../_kit/index';
import { bucket, clusterRows, sharedScale, ticks, truncate } from './data';
import { clusterTitle, heatmap, MODEL_NAMES, thumb, type ViewState } from './common';

export const BINS = 12;
export const STACK = 5;

export function renderHistograms(s: ViewState): HTMLElement {
  const [lo, hi] = sharedScale(s.seg.attr);   // all segments: the scale does not jump when filtering
  const root = h('div', { class: 'mlnb-imacs-histograms' });
  for (const c of s.clusters) {
    const block = h('div', { class: 'mlnb-imacs-cluster', 'data-cluster': c.cluster });
    block.append(clusterTitle(s, c));
    const body = h('div', { class: 'mlnb-imacs-cluster-body' });
    const hists = h('div', { class: 'mlnb-imacs-hists' });
    for (const m of [0, 1]) {
      const rows = clusterRows(s.seg, s.rows, c.cluster, m, 'attribution');
      const buckets = bucket(s.seg, rows, lo, hi, BINS);
      const hist = h('div', { class: 'mlnb-imacs-hist', 'data-model': MODEL_NAMES[m] },
        h('div', { class: `mlnb-imacs-hist-label model-${MODEL_NAMES[m].toLowerCase()}` }, MODEL_NAMES[m]));
      for (const b of buckets) {
        const { shown, more } = truncate(b, STACK);
        hist.append(h('div', { class: 'mlnb-imacs-bin' },
          more ? h('div', { class: 'mlnb-imacs-more' }, `+${more}`) : null,
          ...shown.slice().reverse().map(i => thumb(s, i))));   // highest attribution on top
      }
      hists.append(hist);
    }
    hists.append(axis(lo, hi));
    body.append(hists, h('div', { class: 'mlnb-imacs-heats' }, heatmap(s, c.cluster, 0), heatmap(s, c.cluster, 1)));
    block.append(body);
    root.append(block);
  }
  return root;
}

function axis(lo: number, hi: number): HTMLElement {
  const el = h('div', { class: 'mlnb-imacs-axis' }, h('span', { class: 'mlnb-imacs-hist-label' }, ''));
  const track = h('div', { class: 'mlnb-imacs-axis-track' });
  for (const t of ticks(lo, hi)) {
    track.append(h('span', { class: 'mlnb-imacs-tick', style: { left: `${(((t - lo) / (hi - lo)) * 100).toFixed(2)}%` } },
      t.toFixed(2)));
  }
  el.append(track);
  return el;
}
