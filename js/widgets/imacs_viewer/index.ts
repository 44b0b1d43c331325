// IMACS viewer (thesis §4.5): cluster histograms, concept clusters, cluster confusion matrices;
// hover a segment for its source image; filter by outcome; re-cluster with another k; export.
// Thin: decode the traits, mount the toolbar, the three views and the hover, bind, return cleanup.
import type { AnyModel } from '@anywidget/types';
import { bind, decodeArray, h, mountStatus, request, type StatusState } from '../_kit/index';
import './style.css';
import { filterRows, OUTCOMES, sortClusters, type ClusterRow, type Segments, type SortKey } from './data';
import { modelColour, type ViewState } from './common';
import { renderHistograms } from './histograms';
import { renderConcepts } from './concepts';
import { renderConfusion } from './confusion';
import { mountHover } from './hover';

const VIEWS: [string, string][] = [['histograms', 'Cluster histograms'], ['concepts', 'Concept clusters'], ['confusion', 'Confusion matrices']];

const SEG_TRAITS = ['seg_cluster', 'seg_model', 'seg_attr', 'seg_outcome', 'seg_image', 'seg_bbox', 'seg_distance', 'seg_sprite'];

/** The segment columns, or null before the result arrives (while `%imacs` runs). */
export function decodeSegments(model: AnyModel): Segments | null {
  const cols = SEG_TRAITS.map(k => decodeArray(model.get(k)));
  if (cols.some(c => !c)) return null;
  const [cluster, mod, attr, outcome, image, bbox, distance, sprite] = cols.map(c => c!.data);
  return { n: cluster.length, cluster, model: mod, attr, outcome, image, bbox, distance, sprite };
}

function spriteUrl(bytes: DataView | ArrayBuffer | null | undefined): string {
  if (!bytes || !(bytes as ArrayBuffer).byteLength) return '';
  return URL.createObjectURL(new Blob([bytes as ArrayBuffer], { type: 'image/png' }));
}

function render({ model, el }: { model: AnyModel; el: HTMLElement }): () => void {
  const root = h('div', { class: 'mlnb-imacs' });
  el.append(root);
  const cleanups: (() => void)[] = [];
  cleanups.push(mountStatus(model as AnyModel<StatusState>, root));

  // ---- toolbar -------------------------------------------------------------------------------
  const header = h('div', { class: 'mlnb-imacs-header' });
  const tabs = h('div', { class: 'mlnb-imacs-tabs', role: 'tablist' },
    ...VIEWS.map(([v, label]) => h('button', { class: 'mlnb-imacs-tab', 'data-view': v, role: 'tab',
      onclick: () => { model.set('view', v); model.save_changes(); } }, label)));
  const sortSel = h('select', { class: 'mlnb-imacs-sort', 'aria-label': 'sort clusters by',
    onchange: (e: Event) => { model.set('sort_by', (e.target as HTMLSelectElement).value); model.save_changes(); } },
  ...['imbalance', 'importance', 'centrality'].map(v => h('option', { value: v }, v))) as HTMLSelectElement;
  const withinSel = h('select', { class: 'mlnb-imacs-within', 'aria-label': 'sort segments by',
    onchange: (e: Event) => { model.set('within', (e.target as HTMLSelectElement).value); model.save_changes(); } },
  h('option', { value: 'attribution' }, 'attribution'), h('option', { value: 'centrality' }, 'distance to centroid')) as HTMLSelectElement;
  const boxes = OUTCOMES.map(o => h('input', { type: 'checkbox', value: o, 'data-outcome': o,
    onchange: () => {
      model.set('outcomes', boxes.filter(b => b.checked).map(b => b.value));
      model.save_changes();
    } }) as HTMLInputElement);
  const kInput = h('input', { type: 'number', min: 1, max: 50, class: 'mlnb-imacs-k', 'aria-label': 'number of clusters' }) as HTMLInputElement;
  const message = h('span', { class: 'mlnb-imacs-message' });
  const reclusterBtn = h('button', { class: 'mlnb-imacs-recluster', onclick: async () => {
    const k = Number(kInput.value);
    reclusterBtn.setAttribute('disabled', '');
    message.textContent = `re-clustering with k=${k}…`;
    const t0 = performance.now();
    try {
      await request(model, 'recluster', { n_clusters: k });
      message.textContent = `k=${k} in ${Math.round(performance.now() - t0)} ms`;
    } catch (err) {
      message.textContent = String((err as Error).message || err);
    } finally {
      reclusterBtn.removeAttribute('disabled');
    }
  } }, 'Re-cluster');
  const exportBtn = (format: string) => h('button', { class: `mlnb-imacs-export-${format}`, onclick: async () => {
    try {
      const { value, buffers } = await request<{ mime: string; filename: string }>(model, 'export', { view: model.get('view'), format });
      const a = h('a', { href: URL.createObjectURL(new Blob([buffers[0] as unknown as ArrayBuffer], { type: value.mime })),
        download: value.filename }) as HTMLAnchorElement;
      a.click();
      setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
    } catch (err) {
      message.textContent = String((err as Error).message || err);
    }
  } }, format.toUpperCase());
  const title = h('div', { class: 'mlnb-imacs-title' });
  header.append(title, tabs,
    h('div', { class: 'mlnb-imacs-controls' },
      h('label', {}, 'Clusters by ', sortSel), h('label', {}, 'Segments by ', withinSel),
      h('span', { class: 'mlnb-imacs-filter' }, 'Show ', ...boxes.map((b, i) => h('label', { class: `outcome-${OUTCOMES[i].toLowerCase()}-text` }, b, OUTCOMES[i]))),
      h('label', {}, 'k ', kInput), reclusterBtn,
      h('span', { class: 'mlnb-imacs-export' }, 'Export ', exportBtn('png'), exportBtn('svg')), message));
  const notes = h('ul', { class: 'mlnb-imacs-notes' });
  const main = h('div', { class: 'mlnb-imacs-main' });
  root.append(header, notes, main);

  // ---- decoded state: read at draw time (binds run in microtasks, in no guaranteed order, so a
  // view never relies on another bind having refreshed a cache first) --------------------------
  let spriteBytes: unknown = null;
  let sprite = '';
  const spriteUrlNow = () => {
    const bytes = model.get('sprites');
    if (bytes !== spriteBytes) {
      if (sprite) URL.revokeObjectURL(sprite);
      spriteBytes = bytes;
      sprite = spriteUrl(bytes);
    }
    return sprite;
  };
  cleanups.push(bind(model, ['target', 'notes', 'n_clusters'], ({ target, notes: list, n_clusters }) => {
    title.textContent = target ? `IMACS: model A vs model B on class “${target}”` : 'IMACS';
    notes.replaceChildren(...(list as string[]).map(n => h('li', {}, n)));
    if (n_clusters) kInput.value = String(n_clusters);
  }));

  const state = (): ViewState | null => {
    const seg = decodeSegments(model);
    if (!seg) return null;
    const clusters = sortClusters(model.get('clusters') as ClusterRow[], model.get('sort_by') as SortKey);
    const loc = model.get('locations');
    return {
      seg, clusters, rows: filterRows(seg, model.get('outcomes')), within: model.get('within'),
      target: model.get('target'), spriteUrl: spriteUrlNow(), spriteCols: model.get('sprite_cols'), spriteSize: model.get('sprite_size'),
      locations: decodeArray(loc), byId: new Map(clusters.map(c => [c.cluster, c])),
      colours: [modelColour(root, 0), modelColour(root, 1)],
    };
  };

  // ---- the three views: each re-renders only its own container, only when shown --------------
  const containers: Record<string, HTMLElement> = {};
  for (const [v] of VIEWS) main.append(containers[v] = h('div', { class: 'mlnb-imacs-view', 'data-view': v, hidden: true }));
  const dirty = new Set(VIEWS.map(([v]) => v));
  const draw = () => {
    const v = model.get('view');
    for (const [name] of VIEWS) containers[name].hidden = name !== v;
    tabs.querySelectorAll('button').forEach(b => b.classList.toggle('active', (b as HTMLElement).dataset.view === v));
    if (!dirty.has(v)) return;
    const s = state();
    if (!s) return;
    const t0 = performance.now();
    const el = v === 'histograms' ? renderHistograms(s)
      : v === 'concepts' ? renderConcepts(s)
        : renderConfusion(s, model.get('cluster'), c => { model.set('cluster', c); model.save_changes(); });
    containers[v].replaceChildren(el);
    containers[v].dataset.renderMs = (performance.now() - t0).toFixed(1);   // read by the browser benchmark
    dirty.delete(v);
  };
  const invalidate = (views: string[]) => () => { views.forEach(v => dirty.add(v)); draw(); };
  const all = VIEWS.map(([v]) => v);
  cleanups.push(bind(model, ['clusters', 'seg_cluster', 'seg_distance', 'locations', 'sprites', 'outcomes', 'sort_by'], invalidate(all)));
  cleanups.push(bind(model, ['within'], invalidate(['concepts'])));
  cleanups.push(bind(model, ['cluster'], invalidate(['confusion'])));
  cleanups.push(bind(model, ['view'], () => draw()));
  cleanups.push(bind(model, ['sort_by', 'within', 'outcomes'], ({ sort_by, within, outcomes }) => {
    sortSel.value = sort_by;
    withinSel.value = within;
    boxes.forEach(b => { b.checked = (outcomes as string[]).includes(b.value); });
  }));

  cleanups.push(mountHover(model, root, () => decodeSegments(model)));
  return () => {
    cleanups.forEach(c => c());
    if (sprite) URL.revokeObjectURL(sprite);
    root.remove();
  };
}

export default { render };
