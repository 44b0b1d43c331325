// Shared view pieces: the decoded state every view reads, thumbnails from the sprite sheet, heatmaps.
import { MODEL_VAR, token } from '../../common/tokens';
import { h } from '../_kit/index';
import type { ClusterRow, Segments } from './data';
import { OUTCOMES } from './data';

export interface ViewState {
  seg: Segments;
  clusters: ClusterRow[];     // in display order (sorted)
  rows: number[];             // segment rows passing the outcome filter
  within: 'attribution' | 'centrality';
  target: string;
  spriteUrl: string;
  spriteCols: number;
  spriteSize: number;
  locations: { data: ArrayLike<number>; shape: number[] } | null;
  byId: Map<number, ClusterRow>;
  colours: [string, string];  // model A, B (from the design tokens)
}

export const MODEL_NAMES = ['A', 'B'];
/** A model's colour from the design tokens (--mlnb-model-a/-b), for canvas drawing. */
export function modelColour(el: Element | null, model: number): string {
  const name = model ? MODEL_VAR.B : MODEL_VAR.A;
  return el ? token(el, name) : token(document.documentElement, name);
}

/** One segment thumbnail (a window onto the sprite sheet); ``data-row`` drives the hover. */
export function thumb(s: ViewState, row: number, opts: { border?: boolean; bar?: number } = {}): HTMLElement {
  const j = s.seg.sprite[row];
  const size = s.spriteSize;
  const x = (j % s.spriteCols) * size, y = Math.floor(j / s.spriteCols) * size;
  const el = h('div', {
    class: `mlnb-imacs-thumb${opts.border ? ' outcome-' + OUTCOMES[s.seg.outcome[row]].toLowerCase() : ''}`,
    'data-row': row,
    title: `${MODEL_NAMES[s.seg.model[row]]} · ${OUTCOMES[s.seg.outcome[row]]} · attribution ${s.seg.attr[row].toFixed(3)}`,
    style: { backgroundImage: `url(${s.spriteUrl})`, backgroundPosition: `-${x}px -${y}px` },
  });
  if (opts.bar !== undefined) {
    // Attribution bar (thesis Fig. 4.7): model-coloured, length ∝ |attribution|, hatched when negative.
    const v = s.seg.attr[row];
    const w = Math.min(1, Math.abs(v) / (opts.bar || 1));
    el.append(h('div', {
      class: `mlnb-imacs-bar model-${MODEL_NAMES[s.seg.model[row]].toLowerCase()}${v < 0 ? ' negative' : ''}`,
      style: { width: `${(w * 100).toFixed(1)}%` },
    }));
  }
  return el;
}

/** A small heatmap of where a cluster's segments of one model come from (the location summary). */
export function heatmap(s: ViewState, cluster: number, model: number, px = 48): HTMLElement {
  const wrap = h('div', { class: 'mlnb-imacs-heat', title: `where model ${MODEL_NAMES[model]}'s segments of this cluster come from in the image` });
  const canvas = document.createElement('canvas');
  canvas.width = px; canvas.height = px;
  wrap.append(canvas, h('span', {}, MODEL_NAMES[model]));
  const loc = s.locations;
  if (!loc || loc.shape.length !== 4) return wrap;
  const [, , gh, gw] = loc.shape;
  const ctx = canvas.getContext('2d');
  if (!ctx) return wrap;
  const base = (cluster * 2 + model) * gh * gw;
  ctx.fillStyle = s.colours[model];
  for (let y = 0; y < gh; y++) for (let x = 0; x < gw; x++) {
    ctx.globalAlpha = Math.min(1, loc.data[base + y * gw + x]);
    ctx.fillRect(Math.floor((x * px) / gw), Math.floor((y * px) / gh), Math.ceil(px / gw), Math.ceil(px / gh));
  }
  ctx.globalAlpha = 1;
  ctx.strokeStyle = '#888';
  ctx.strokeRect(0.5, 0.5, px - 1, px - 1);
  return wrap;
}

export function clusterTitle(s: ViewState, c: ClusterRow): HTMLElement {
  return h('div', { class: 'mlnb-imacs-cluster-title' },
    h('b', {}, `Cluster ${c.cluster}`),
    ` · A ${c.n_a} / B ${c.n_b} segments · mean A ${c.mean_a.toFixed(3)} vs B ${c.mean_b.toFixed(3)} · imbalance ${c.imbalance.toFixed(3)}`,
    h('div', { class: 'mlnb-imacs-changed' }, c.what_changed));
}
