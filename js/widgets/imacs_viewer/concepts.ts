// Concept cluster view (thesis §4.5.2): per cluster two rows of thumbnails (outcome borders,
// model-coloured attribution bars) and the composition, coherence and importance plots.
import { h } from '../_kit/index';
import { binOf, clusterRows, sharedScale } from './data';
import { clusterTitle, heatmap, MODEL_NAMES, thumb, type ViewState } from './common';

export const ROW_MAX = 40;

export function renderConcepts(s: ViewState): HTMLElement {
  const root = h('div', { class: 'mlnb-imacs-concepts' });
  let maxAbs = 0;
  for (let i = 0; i < s.seg.n; i++) maxAbs = Math.max(maxAbs, Math.abs(s.seg.attr[i]));
  const maxN = Math.max(1, ...s.clusters.map(c => c.n));
  const maxMean = Math.max(0, ...s.clusters.map(c => Math.max(c.mean_a, c.mean_b)));
  const meanScale = Math.max(1e-9, ...s.clusters.map(c => Math.max(Math.abs(c.mean_a), Math.abs(c.mean_b))));
  const [lo, hi] = sharedScale(s.seg.attr);
  for (const c of s.clusters) {
    const block = h('div', { class: 'mlnb-imacs-cluster', 'data-cluster': c.cluster });
    block.append(clusterTitle(s, c));
    const body = h('div', { class: 'mlnb-imacs-cluster-body' });
    const rowsEl = h('div', { class: 'mlnb-imacs-rows' });
    const perModel: number[][] = [];
    for (const m of [0, 1]) {
      const rows = clusterRows(s.seg, s.rows, c.cluster, m, s.within);
      perModel.push(rows);
      const shown = rows.slice(0, ROW_MAX);
      rowsEl.append(h('div', { class: 'mlnb-imacs-row', 'data-model': MODEL_NAMES[m] },
        h('div', { class: `mlnb-imacs-hist-label model-${MODEL_NAMES[m].toLowerCase()}` }, MODEL_NAMES[m]),
        ...shown.map(i => thumb(s, i, { border: true, bar: maxAbs })),
        rows.length > ROW_MAX ? h('div', { class: 'mlnb-imacs-more' }, `+${rows.length - ROW_MAX}`) : null,
        rows.length ? null : h('div', { class: 'mlnb-imacs-empty' }, 'no segments')));
    }
    const plots = h('div', { class: 'mlnb-imacs-plots' },
      plot('composition', [
        bar(c.n / maxN, 'all', `${c.n}`), bar(c.n_a / maxN, 'a', `A ${c.n_a}`), bar(c.n_b / maxN, 'b', `B ${c.n_b}`)]),
      coherence(s, perModel, lo, hi),
      plot('importance', [
        bar(maxMean / meanScale, 'all', `max ${maxMean.toFixed(2)}`),
        bar(c.mean_a / meanScale, 'a', `A ${c.mean_a.toFixed(2)}`),
        bar(c.mean_b / meanScale, 'b', `B ${c.mean_b.toFixed(2)}`)]),
      h('div', { class: 'mlnb-imacs-heats' }, heatmap(s, c.cluster, 0, 40), heatmap(s, c.cluster, 1, 40)));
    body.append(rowsEl, plots);
    block.append(body);
    root.append(block);
  }
  return root;
}

function plot(title: string, bars: HTMLElement[]): HTMLElement {
  return h('div', { class: 'mlnb-imacs-plot', 'data-plot': title }, h('div', { class: 'mlnb-imacs-plot-title' }, title), ...bars);
}

function bar(frac: number, kind: string, label: string): HTMLElement {
  const neg = frac < 0;
  return h('div', { class: 'mlnb-imacs-plot-bar' },
    h('div', { class: `fill ${kind}${neg ? ' negative' : ''}`, style: { width: `${Math.min(100, Math.abs(frac) * 100).toFixed(1)}%` } }),
    h('span', {}, label));
}

// Coherence: both models' full (untruncated) attribution histograms on the shared scale.
function coherence(s: ViewState, perModel: number[][], lo: number, hi: number): HTMLElement {
  const bins = 16;
  const canvas = document.createElement('canvas');
  canvas.width = 120; canvas.height = 48;
  const ctx = canvas.getContext('2d');
  const counts = perModel.map(rows => {
    const out = new Array(bins).fill(0);
    for (const i of rows) out[binOf(s.seg.attr[i], lo, hi, bins)]++;
    return out;
  });
  const top = Math.max(1, ...counts.flat());
  if (ctx) {
    ctx.globalAlpha = 0.6;
    counts.forEach((cnt, m) => {
      ctx.fillStyle = s.colours[m];
      cnt.forEach((v, b) => {
        const hgt = (v / top) * 46;
        ctx.fillRect((b * 120) / bins, 47 - hgt, 120 / bins - 1, hgt);
      });
    });
    ctx.globalAlpha = 1;
    const zero = ((0 - lo) / (hi - lo)) * 120;
    ctx.strokeStyle = '#999';
    ctx.beginPath(); ctx.moveTo(zero, 0); ctx.lineTo(zero, 48); ctx.stroke();
  }
  return h('div', { class: 'mlnb-imacs-plot', 'data-plot': 'coherence' }, h('div', { class: 'mlnb-imacs-plot-title' }, 'coherence'), canvas);
}
