// Cluster confusion matrix view (thesis §4.5.3): one cluster exploded into two side-by-side
// confusion matrices of its segments, thumbnails in the cells.
import { h } from '../_kit/index';
import { confusionCells, truncate, type Outcome } from './data';
import { clusterTitle, heatmap, MODEL_NAMES, thumb, type ViewState } from './common';

export const CELL_MAX = 24;

export function renderConfusion(s: ViewState, cluster: number, onPick: (c: number) => void): HTMLElement {
  const root = h('div', { class: 'mlnb-imacs-confusion' });
  const pick = h('select', { class: 'mlnb-imacs-pick', onchange: (e: Event) => onPick(Number((e.target as HTMLSelectElement).value)) },
    ...s.clusters.map(c => h('option', { value: c.cluster, selected: c.cluster === cluster }, `cluster ${c.cluster}`)));
  root.append(h('label', {}, 'Cluster ', pick));
  const c = s.byId.get(cluster);
  if (!c) return root;
  root.append(clusterTitle(s, c));
  const pair = h('div', { class: 'mlnb-imacs-matrices' });
  for (const m of [0, 1]) {
    const cells = confusionCells(s.seg, s.rows, cluster, m);
    const cell = (o: Outcome) => {
      const { shown, more } = truncate(cells[o], CELL_MAX);
      return h('td', { class: `mlnb-imacs-cell outcome-${o.toLowerCase()}`, 'data-outcome': o },
        h('div', { class: 'mlnb-imacs-cell-head' }, `${o} · ${cells[o].length}`),
        h('div', { class: 'mlnb-imacs-cell-body' }, ...shown.map(i => thumb(s, i, { border: true })),
          more ? h('div', { class: 'mlnb-imacs-more' }, `+${more}`) : null));
    };
    pair.append(h('div', { class: 'mlnb-imacs-matrix', 'data-model': MODEL_NAMES[m] },
      h('div', { class: `mlnb-imacs-matrix-title model-${MODEL_NAMES[m].toLowerCase()}` }, `Model ${MODEL_NAMES[m]}`,
        heatmap(s, cluster, m, 32)),
      h('table', {},
        h('tr', {}, h('th', {}, ''), h('th', {}, `predicted ${s.target}`), h('th', {}, 'predicted other')),
        h('tr', {}, h('th', {}, `actual ${s.target}`), cell('TP'), cell('FN')),
        h('tr', {}, h('th', {}, 'actual other'), cell('FP'), cell('TN')))));
  }
  root.append(pair);
  return root;
}
