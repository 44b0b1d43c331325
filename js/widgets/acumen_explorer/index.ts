/**
 * ACUMEN explorer view: WebGL scatter (regl-scatterplot) with lasso, a table paged from the kernel
 * (a recycled pool of rows, rows.ts), colour legend, labels, filter breadcrumbs, code preview (highlight.js).
 *
 * The Python `Explorer` is the source of truth: this view renders the widget's traits and sends user
 * actions back as commands (`request`). Mounted once; each part updates in place on its traits.
 */
import createScatterplot from 'regl-scatterplot';
import hljs from 'highlight.js/lib/core';
import python from 'highlight.js/lib/languages/python';
import { bind, decodeArray, h, mountBusy, request, type Model } from './kit';
import {
  GridIndex, screenToData, sortedCombine, inverseIndex, positionsOf,
  categoryColor, combineSelection, modeFromEvent, numericColor, numericRamp, parseColumnQuery,
  relativeToRoot, tooltipPosition
} from './logic';
import { PageCache, RowPool, rowWindow } from './rows';
import './style.css';

hljs.registerLanguage('python', python);

const ROW_HEIGHT = 24;
/** The scatter's regl-scatterplot options (exported: the browser benchmark draws bare regl-scatterplot with them). */
export const SCATTER_OPTIONS = {
  width: 'auto', height: 'auto', pointSize: 4, sizeBy: null, pointSizeSelected: 1,
  opacity: 0.85, pointOutlineWidth: 2, lassoMinDelay: 10, mouseMode: 'panZoom', deselectOnDblClick: true,
  deselectOnEscape: true, actionKeyMap: { lasso: 'shift', merge: 'shift', remove: 'alt' },
  backgroundColor: [0, 0, 0, 0], lassoColor: '#1a73e8'
};
/** Point size: 4 px, 3 px from 100k points on (jupyter-scatter's default; a million 4 px points are one blot). */
const pointSizeFor = (n: number) => (n >= 100_000 ? 3 : 4);
const BLOCK = 100;

function serverInfo(): { root: string | null; base: string } {
  try {
    const el = document.getElementById('jupyter-config-data');
    const cfg = el ? JSON.parse(el.textContent || '{}') : {};
    return { root: cfg.serverRoot || null, base: cfg.baseUrl || '/' };
  } catch {
    return { root: null, base: '/' };
  }
}

function report(model: Model, err: unknown): void {
  model.set('error', err instanceof Error ? err.message : String(err));
  model.save_changes();
}

function render({ model, el }: { model: Model; el: HTMLElement }): () => void {
  const cleanups: (() => void)[] = [];
  const call = (name: string, kwargs: Record<string, unknown> = {}) =>
    request<any>(model, name, kwargs).then(r => { if (model.get('error')) { model.set('error', ''); model.save_changes(); } return r.value; })
      .catch(e => { report(model, e); throw e; });

  // ------------------------------------------------------------------ skeleton
  const root = h('div', { class: 'mlnb-ax', 'data-testid': 'acumen-explorer' });
  const crumbs = h('nav', { class: 'mlnb-ax-crumbs', 'aria-label': 'filter history' });
  const undoBtn = h('button', { class: 'mlnb-ax-btn', title: 'Undo filter step', onclick: () => call('undo') }, '↶ Undo');
  const redoBtn = h('button', { class: 'mlnb-ax-btn', title: 'Redo filter step', onclick: () => call('redo') }, '↷ Redo');
  const lassoBtn = h('button', { class: 'mlnb-ax-btn active', title: 'Drag to lasso (shift adds, alt removes)' }, 'Lasso');
  const panBtn = h('button', { class: 'mlnb-ax-btn', title: 'Drag to pan; wheel zooms' }, 'Pan');
  const filterSelBtn = h('button', { class: 'mlnb-ax-btn', 'data-testid': 'acumen-filter-selection', title: 'Keep only the selected files (re-projects)',
    onclick: () => call('filter', { selection: true }) }, 'Filter to selection');
  const clearBtn = h('button', { class: 'mlnb-ax-btn', onclick: () => call('select', { indices: [] }) }, 'Clear selection');
  const colorSel = h('select', { class: 'mlnb-ax-select', 'data-testid': 'acumen-color', title: 'Colour by',
    onchange: (e: Event) => call('set_color', { column: (e.target as HTMLSelectElement).value }) }) as HTMLSelectElement;
  const kInput = h('input', { type: 'number', min: '2', max: '200', class: 'mlnb-ax-k', title: 'UMAP n_neighbors', 'data-testid': 'acumen-k' }) as HTMLInputElement;
  const kBtn = h('button', { class: 'mlnb-ax-btn', onclick: () => call('set_neighbors', { n_neighbors: Number(kInput.value) }) }, 'Re-project');
  const searchInput = h('input', { type: 'search', class: 'mlnb-ax-search', placeholder: 'search file contents…', 'data-testid': 'acumen-content-search' }) as HTMLInputElement;
  searchInput.addEventListener('keydown', e => { if (e.key === 'Enter') call('search', { text: searchInput.value }); });
  const regionsBtn = h('button', { class: 'mlnb-ax-btn', title: 'Keyword labels for dense regions' }, 'Keywords');
  const count = h('span', { class: 'mlnb-ax-count', 'data-testid': 'acumen-count' });
  const toolbar = h('div', { class: 'mlnb-ax-toolbar' }, undoBtn, redoBtn, crumbs);
  const toolbar2 = h('div', { class: 'mlnb-ax-toolbar' }, lassoBtn, panBtn, filterSelBtn, clearBtn,
    h('label', {}, 'colour ', colorSel), h('label', {}, 'n_neighbors ', kInput), kBtn, searchInput, regionsBtn, count);

  const canvasBox = h('div', { class: 'mlnb-ax-canvas', 'data-testid': 'acumen-scatter' });
  const canvas = h('canvas') as HTMLCanvasElement;
  const tooltip = h('div', { class: 'mlnb-ax-tooltip', 'data-testid': 'acumen-tooltip', hidden: true });
  const overlay = h('div', { class: 'mlnb-ax-overlay' });
  // The lasso: drawn on a 2-D canvas above the WebGL one (feedback in the next frame, without redrawing the
  // points) and computed with a grid index (see GridIndex); in Pan mode it lets every event through.
  // The layer that takes the lasso's pointer events is a plain element; the canvas the lasso is painted on is shown
  // only while a lasso is drawn, so an idle explorer composites nothing over the scatter on each of its frames.
  const lassoLayer = h('div', { class: 'mlnb-ax-lasso active', 'data-testid': 'acumen-lasso-layer' });
  const lassoPaint = h('canvas', { class: 'mlnb-ax-lasso-paint', hidden: true }) as HTMLCanvasElement;
  canvasBox.append(canvas, lassoPaint, lassoLayer, overlay, tooltip);
  // Inside a JupyterLab notebook, shift+mousedown on a cell starts the notebook's cell-range selection, whose
  // document-level capture listeners then stop every mousemove/mouseup: the scatter's shift-lasso ("add") never
  // got a move. The scatter has seen the mousedown (its canvas is below this box); the notebook must not.
  canvasBox.addEventListener('mousedown', e => { if (e.button === 0 && (e.shiftKey || e.altKey)) e.stopPropagation(); });
  const legend = h('div', { class: 'mlnb-ax-legend', 'data-testid': 'acumen-legend' });
  const left = h('div', { class: 'mlnb-ax-left' }, canvasBox, legend);

  const thead = h('div', { class: 'mlnb-ax-thead' });
  const scroller = h('div', { class: 'mlnb-ax-scroll', 'data-testid': 'acumen-table' });
  const spacer = h('div', { class: 'mlnb-ax-spacer' });
  scroller.append(spacer);
  const tableInfo = h('div', { class: 'mlnb-ax-tableinfo' });
  const labelName = h('input', { placeholder: 'label column', class: 'mlnb-ax-in', list: 'mlnb-ax-labels', 'data-testid': 'acumen-label-name' }) as HTMLInputElement;
  const labelValue = h('input', { placeholder: 'value', class: 'mlnb-ax-in', 'data-testid': 'acumen-label-value' }) as HTMLInputElement;
  const labelList = h('datalist', { id: 'mlnb-ax-labels' });
  const labelBtn = h('button', { class: 'mlnb-ax-btn', 'data-testid': 'acumen-label-apply',
    onclick: () => { if (labelName.value.trim()) call('label', { name: labelName.value.trim(), value: labelValue.value || true }); } }, 'Label selection');
  const labelsBar = h('div', { class: 'mlnb-ax-labels' }, labelName, labelList, labelValue, labelBtn);
  const right = h('div', { class: 'mlnb-ax-right' }, tableInfo, thead, scroller, labelsBar);
  const main = h('div', { class: 'mlnb-ax-main' }, left, right);
  const preview = h('div', { class: 'mlnb-ax-preview', 'data-testid': 'acumen-preview', hidden: true });
  root.append(toolbar, toolbar2, main, preview);
  el.append(root);
  cleanups.push(mountBusy(model, root));

  // ------------------------------------------------------------------ scatter
  let pointIndex: ArrayLike<number> = new Int32Array(0);
  let inverse: Int32Array = new Int32Array(0); // file index -> drawn position (-1: not drawn), once per layout
  let nPoints = 0;
  let lassoing = false;
  let focused = -1;
  let regionLabels: { x: number; y: number; keywords: string[]; point: number }[] = [];
  const sp = createScatterplot({ canvas, ...SCATTER_OPTIONS } as any);
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const on = (event: string, fn: (arg: any) => void) => (sp.subscribe as any)(event, fn);
  const setMode = (mode: 'lasso' | 'panZoom') => {
    lassoLayer.classList.toggle('active', mode === 'lasso');
    lassoBtn.classList.toggle('active', mode === 'lasso');
    panBtn.classList.toggle('active', mode === 'panZoom');
  };
  lassoBtn.addEventListener('click', () => setMode('lasso'));
  panBtn.addEventListener('click', () => setMode('panZoom'));

  let lastSelection: ArrayLike<number> = new Int32Array(0); // drawn-point positions, ascending
  on('lassoStart', () => { lassoing = true; });
  on('select', ({ points }: { points: number[] }) => {
    if (!lassoing && points.length <= 1) { // a click on a point: focus it, keep the selection
      if (points.length === 1) focus(pointIndex[points[0]], true);
      sp.select(Array.from(lastSelection), { preventEvent: true });
      return;
    }
    lassoing = false;
    lastSelection = Int32Array.from(points).sort();
    sendSelection(lastSelection);
  });
  on('deselect', () => {
    lastSelection = new Int32Array(0); sendSelection(lastSelection); });
  on('lassoEnd', () => { lassoing = false; });

  // The selection goes to Python as one binary buffer of file indices (a lasso of 1M points is 4 MB, not JSON).
  function sendSelection(positions: ArrayLike<number>): void {
    const files = new Int32Array(positions.length);
    for (let i = 0; i < positions.length; i++) files[i] = pointIndex[positions[i]];
    request(model, 'select', { indices: null }, { buffers: [files.buffer] }).catch(e => report(model, e));
  }

  let drawnX: Float32Array = new Float32Array(0), drawnY: Float32Array = new Float32Array(0);
  let drawnFrom: unknown = null; // the points trait drawnX/drawnY were made from
  let grid: GridIndex | null = null; // built once per layout, right after it is drawn
  let path: number[] = [];
  let lassoMode: 'replace' | 'add' | 'remove' = 'replace';
  let pointerId = -1;
  let lassoFrame = 0;
  const local = (e: MouseEvent): [number, number] => {
    const r = lassoLayer.getBoundingClientRect();
    return [e.clientX - r.left, e.clientY - r.top];
  };
  const paintLasso = () => {
    lassoFrame = 0;
    if (path.length < 4) { lassoPaint.hidden = true; return; }
    lassoPaint.hidden = false;
    const w = lassoLayer.clientWidth, hgt = lassoLayer.clientHeight, dpr = window.devicePixelRatio || 1;
    if (lassoPaint.width !== Math.round(w * dpr) || lassoPaint.height !== Math.round(hgt * dpr)) {
      lassoPaint.width = Math.round(w * dpr); lassoPaint.height = Math.round(hgt * dpr);
    }
    const ctx = lassoPaint.getContext('2d');
    if (!ctx) return;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, w, hgt);
    ctx.beginPath();
    ctx.moveTo(path[0], path[1]);
    for (let i = 2; i < path.length; i += 2) ctx.lineTo(path[i], path[i + 1]);
    ctx.closePath();
    const color = lassoMode === 'remove' ? '#d93025' : '#1a73e8';
    ctx.fillStyle = color + '22';
    ctx.strokeStyle = color;
    ctx.lineWidth = 1.5;
    ctx.setLineDash(lassoMode === 'add' ? [6, 3] : lassoMode === 'remove' ? [2, 3] : []);
    ctx.fill();
    ctx.stroke();
    canvasBox.dataset.lassoPainted = String(performance.now()); // for benchmarks: when feedback was painted
  };
  const schedulePaint = () => { if (!lassoFrame) lassoFrame = requestAnimationFrame(paintLasso); };
  lassoLayer.addEventListener('pointerdown', e => {
    if (e.button !== 0 || !nPoints) return;
    // preventDefault also withholds the compatibility mouse events: neither the notebook (shift-click selects
    // cells) nor the scatter's own handlers see this drag.
    e.preventDefault();
    e.stopPropagation();
    lassoLayer.setPointerCapture(e.pointerId);
    pointerId = e.pointerId;
    lassoMode = modeFromEvent(e);
    path = local(e);
    tooltip.hidden = true;
  });
  lassoLayer.addEventListener('pointermove', e => {
    if (e.pointerId !== pointerId) return;
    const [x, y] = local(e);
    const n = path.length;
    if ((x - path[n - 2]) ** 2 + (y - path[n - 1]) ** 2 < 4) return;
    path.push(x, y);
    schedulePaint();
  });
  const endLasso = (e: PointerEvent, cancelled: boolean) => {
    if (e.pointerId !== pointerId) return;
    pointerId = -1;
    const poly = path;
    path = [];
    schedulePaint();
    if (cancelled) return;
    let span = 0;
    for (let i = 2; i < poly.length; i += 2) span = Math.max(span, Math.abs(poly[i] - poly[0]) + Math.abs(poly[i + 1] - poly[1]));
    if (poly.length < 6 || span < 4) { // a click: focus the point under the pointer
      if (hovered >= 0) focus(pointIndex[hovered], true);
      return;
    }
    const t0 = performance.now();
    const view = (sp.get as any)('cameraView') as ArrayLike<number>;
    const w = canvas.clientWidth, hgt = canvas.clientHeight;
    const data = new Float32Array(poly.length);
    for (let i = 0; i < poly.length; i += 2) {
      const [dx, dy] = screenToData(poly[i], poly[i + 1], w, hgt, view);
      data[i] = dx; data[i + 1] = dy;
    }
    if (!grid) grid = new GridIndex(drawnX, drawnY);
    const inside = grid.lasso(data);
    lastSelection = sortedCombine(lastSelection, inside, lassoMode);
    canvasBox.dataset.lassoMs = (performance.now() - t0).toFixed(1); // the set, in the front end (benchmarks)
    canvasBox.dataset.lassoN = String(inside.length);
    sp.select(Array.from(lastSelection), { preventEvent: true });
    sendSelection(lastSelection);
  };
  lassoLayer.addEventListener('pointerup', e => endLasso(e, false));
  lassoLayer.addEventListener('pointercancel', e => endLasso(e, true));
  lassoLayer.addEventListener('dblclick', () => { lastSelection = new Int32Array(0); sp.deselect(); sendSelection(lastSelection); });
  // Pass wheel zoom and hover enter/leave on to the scatter below.
  lassoLayer.addEventListener('wheel', e => {
    e.preventDefault();
    canvas.dispatchEvent(new WheelEvent('wheel', { deltaX: e.deltaX, deltaY: e.deltaY, deltaMode: e.deltaMode,
      clientX: e.clientX, clientY: e.clientY, screenX: e.screenX, screenY: e.screenY, bubbles: true, cancelable: true }));
  }, { passive: false });
  for (const type of ['mouseenter', 'mouseleave']) {
    lassoLayer.addEventListener(type, () => canvas.dispatchEvent(new MouseEvent(type)));
  }

  const tipCache = new Map<number, Record<string, string>>();
  let hovered = -1;
  on('pointover', (i: number) => {
    hovered = i;
    const file = pointIndex[i];
    const show = (row: Record<string, string>) => {
      if (hovered !== i) return;
      tooltip.replaceChildren(...Object.entries(row).filter(([, v]) => v !== '').map(([k, v]) =>
        h('div', {}, h('b', {}, k + ': '), v.length > 120 ? v.slice(0, 117) + '…' : v)));
      tooltip.hidden = false;
      const [x, y] = sp.getScreenPosition(i) || [0, 0];
      const { left: l, top: t } = tooltipPosition(x, y, tooltip.offsetWidth, tooltip.offsetHeight, canvasBox.clientWidth, canvasBox.clientHeight);
      tooltip.style.left = `${l}px`;
      tooltip.style.top = `${t}px`;
    };
    const cached = tipCache.get(file);
    if (cached) show(cached);
    else call('tooltip', { index: file }).then(row => { tipCache.set(file, row); show(row); }).catch(() => undefined);
  });
  on('pointout', () => { hovered = -1; tooltip.hidden = true; });

  let colorValues: ArrayLike<number> = new Float32Array(0);
  let drawing: Promise<unknown> = Promise.resolve();
  // Visited, highlighted and focused files are drawn larger (size classes 1 and 2 of valueB). With none of them the
  // scatter draws one uniform size, as bare regl-scatterplot does: no size encoding at all.
  const sizeChannel = (): { w: Float32Array; marked: boolean } => {
    const w = new Float32Array(nPoints);
    const visited = decodeArray(model.get('visited')).data, hl = decodeArray(model.get('highlight')).data;
    let marked = false;
    for (let i = 0; i < visited.length; i++) { const p = inverse[visited[i]]; if (p >= 0) { w[p] = 1; marked = true; } }
    for (let i = 0; i < hl.length; i++) { const p = inverse[hl[i]]; if (p >= 0) { w[p] = 2; marked = true; } }
    const f = focused >= 0 && focused < inverse.length ? inverse[focused] : -1;
    if (f >= 0) { w[f] = 2; marked = true; }
    return { w, marked };
  };
  const draw = (transition: boolean) => {
    // Coordinates (and the lasso's index) change with the layout only, not with a colour or a visited mark.
    const trait = model.get('points');
    if (trait !== drawnFrom || drawnX.length !== nPoints) {
      ({ x: drawnX, y: drawnY } = normalize(decodeArray(trait).data, nPoints));
      drawnFrom = trait;
      grid = null;
    }
    const x = drawnX, y = drawnY;
    const info = model.get('color_info') || {};
    const categorical = info.kind !== 'numeric';
    sp.set({ colorBy: 'valueA', pointColor: categorical
      ? (info.categories || ['']).map((_: string, i: number, a: string[]) => categoryColor(i, a.length, a[a.length - 1] === 'other'))
      : numericRamp() } as any);
    const selected = positionsOf(decodeArray(model.get('selection')).data, inverse);
    lastSelection = selected;
    const size = sizeChannel();
    const ps = pointSizeFor(nPoints);
    canvasBox.dataset.pointSize = String(ps);
    sp.set((size.marked ? { sizeBy: 'valueB', pointSize: [ps, ps + 3, ps + 6] } : { sizeBy: null, pointSize: ps }) as any);
    const points = { x, y, valueA: colorValues, valueB: size.w };
    const options = { transition, transitionDuration: 600, zDataType: categorical ? 'categorical' : 'continuous',
      wDataType: 'categorical', select: Array.from(selected) };
    // regl-scatterplot ignores a draw while the previous one runs: queue them, newest state last.
    drawing = drawing.then(() => sp.draw(points as any, options as any))
      // A new layout resets the view; the first needs no reset (the camera starts there) and so no second frame.
      .then(() => (transition || firstDraw ? undefined : sp.zoomToArea({ x: -1.05, y: -1.05, width: 2.1, height: 2.1 }, { transition: false } as any)))
      .then(() => { firstDraw = false; })
      .then(() => { canvasBox.dataset.drawn = String(performance.now()); }) // tests and benchmarks wait for it
      // The lasso's index, once per layout, after the frame is on screen (a lasso before then builds it itself).
      .then(() => { setTimeout(() => { if (!grid && drawnX === x) grid = new GridIndex(x, y); }, 0); })
      .catch(e => report(model, e));
    return drawing;
  };
  // Trait changes that arrive together (the first render runs every bind; a new layout brings points and colours)
  // make one draw, not one each: at 1M points a draw costs seconds.
  let pendingDraw: boolean | null = null;
  let firstDraw = true;
  const requestDraw = (transition: boolean) => {
    if (pendingDraw === null) queueMicrotask(() => { const t = Boolean(pendingDraw); pendingDraw = null; draw(t); });
    pendingDraw = Boolean(pendingDraw) || transition;
  };
  cleanups.push(bind(model, ['layout_info'], ({ layout_info }) => {
    pointIndex = decodeArray(model.get('point_index')).data;
    inverse = inverseIndex(pointIndex);
    colorValues = decodeArray(model.get('color_values')).data;
    const transition = Boolean(layout_info?.transition) && nPoints === pointIndex.length && nPoints > 0;
    nPoints = pointIndex.length;
    canvasBox.dataset.method = layout_info?.method || '';
    canvasBox.dataset.version = String(layout_info?.version || 0);
    regionLabels = [];
    overlay.replaceChildren();
    requestDraw(transition);
  }));
  cleanups.push(bind(model, ['color_info'], ({ color_info }) => {
    colorValues = decodeArray(model.get('color_values')).data;
    if (nPoints && colorValues.length === nPoints) requestDraw(false);
    renderLegend(color_info || {});
  }));
  cleanups.push(bind(model, ['selection'], ({ selection }) => {
    const files = decodeArray(selection).data;
    const positions = positionsOf(files, inverse);
    // The echo of a lasso this view just drew and sent: already shown (re-selecting 500k points costs ~0.2 s).
    const same = positions.length === lastSelection.length && positions.every((p, i) => p === lastSelection[i]);
    lastSelection = positions;
    if (nPoints && !same) sp.select(Array.from(positions), { preventEvent: true });
    count.textContent = `${files.length} selected · ${model.get('n_rows')} in table`;
    root.dataset.selected = String(files.length);
  }));
  cleanups.push(bind(model, ['highlight', 'visited'], () => { if (nPoints) requestDraw(false); }));

  function renderLegend(info: any): void {
    legend.replaceChildren();
    legend.append(h('div', { class: 'mlnb-ax-legend-title' }, String(info.column || '')));
    if (info.kind === 'numeric') {
      const stops = Array.from({ length: 11 }, (_, i) => numericColor(i / 10)).join(', ');
      legend.append(h('div', { class: 'mlnb-ax-colorbar', style: { background: `linear-gradient(to right, ${stops})` } }),
        h('div', { class: 'mlnb-ax-colorbar-range' }, h('span', {}, formatNum(info.min)), h('span', {}, formatNum(info.max))));
      return;
    }
    const cats: string[] = info.categories || [];
    cats.forEach((c, i) => {
      const item = h('button', { class: 'mlnb-ax-legend-item', title: `select the ${info.counts?.[i] ?? ''} files (shift adds, alt removes)`,
        onclick: (e: MouseEvent) => { if (c !== 'other') call('select_category', { category: c, mode: modeFromEvent(e) }); } },
      h('span', { class: 'mlnb-ax-swatch', style: { background: categoryColor(i, cats.length, cats[cats.length - 1] === 'other') } }),
      c, h('span', { class: 'mlnb-ax-legend-n' }, String(info.counts?.[i] ?? '')));
      legend.append(item);
    });
  }

  // keyword labels of dense regions
  const placeRegions = () => {
    overlay.replaceChildren(...regionLabels.map(r => {
      const [x, y] = sp.getScreenPosition(r.point) || [0, 0];
      return h('div', { class: 'mlnb-ax-region', style: { left: `${x}px`, top: `${y}px` } }, r.keywords.join(' · '));
    }));
  };
  regionsBtn.addEventListener('click', () => {
    if (regionLabels.length) { regionLabels = []; overlay.replaceChildren(); return; }
    call('regions', { n: 8 }).then((regions: any[]) => {
      const xy = decodeArray(model.get('points')).data;
      regionLabels = regions.map(r => {
        let best = 0, bd = Infinity;
        for (let i = 0; i < nPoints; i++) {
          const d = (xy[2 * i] - r.x) ** 2 + (xy[2 * i + 1] - r.y) ** 2;
          if (d < bd) { bd = d; best = i; }
        }
        return { ...r, point: best };
      });
      placeRegions();
    });
  });
  on('view', () => { if (regionLabels.length) placeRegions(); });

  // ------------------------------------------------------------------ history, columns, n_neighbors
  cleanups.push(bind(model, ['steps', 'position'], ({ steps, position }) => {
    crumbs.replaceChildren(...(steps as string[]).map((s, i) => h('button', {
      class: `mlnb-ax-crumb${i === position ? ' current' : ''}${i > position ? ' undone' : ''}`,
      title: i > position ? 'undone: click to restore' : 'go to this step', onclick: () => call('go', { step: i })
    }, s)));
    (undoBtn as HTMLButtonElement).disabled = position === 0;
    (redoBtn as HTMLButtonElement).disabled = position >= steps.length - 1;
  }));
  cleanups.push(bind(model, ['columns', 'color', 'label_columns'], ({ columns, color, label_columns }) => {
    colorSel.replaceChildren(...(columns as string[]).map(c => h('option', { value: c, selected: c === color }, c)));
    colorSel.value = color;
    labelList.replaceChildren(...(label_columns as string[]).map(c => h('option', { value: c })));
  }));
  cleanups.push(bind(model, ['n_neighbors'], ({ n_neighbors }) => { kInput.value = String(n_neighbors); }));

  // ------------------------------------------------------------------ table
  // A fixed pool of row elements over a tall spacer (see rows.ts): a scroll rewrites the text of the rows that
  // came into view and moves them; pages come from the kernel around the viewport. One update per frame.
  let columns: string[] = [];
  let nRows = 0;
  const rowEls = h('div', { class: 'mlnb-ax-rows' });
  spacer.append(rowEls);
  const pool = new RowPool(rowEls, ROW_HEIGHT);
  const cache = new PageCache(BLOCK, (start, stop) => {
    const version = model.get('table_version');
    return call('page', { start, stop }).then(res => {
      if (model.get('table_version') !== version) throw new Error('stale page');
      return res;
    });
  }, () => scheduleRows());
  let lastTop = 0;
  let rowsFrame = 0;
  function renderRows(): void {
    rowsFrame = 0;
    const top = scroller.scrollTop, view = scroller.clientHeight || 400;
    const { start, end } = rowWindow(top, view, nRows, ROW_HEIGHT, 6);
    pool.reserve(Math.ceil(view / ROW_HEIGHT) + 14, columns.length);
    pool.update(start, end, i => cache.get(i), focused);
    cache.want(start, end, nRows, top - lastTop);
    lastTop = top;
  }
  const scheduleRows = () => { if (!rowsFrame) rowsFrame = requestAnimationFrame(renderRows); };
  // Scroll events come once a frame before its animation callbacks: the rows update in the same frame.
  scroller.addEventListener('scroll', scheduleRows, { passive: true });
  rowEls.addEventListener('click', e => { const f = RowPool.indexOf(e.target); if (f !== null) focus(f, false); });
  if (typeof ResizeObserver !== 'undefined') {
    const ro = new ResizeObserver(() => scheduleRows());
    ro.observe(scroller);
    cleanups.push(() => ro.disconnect());
  }
  cleanups.push(() => { if (rowsFrame) cancelAnimationFrame(rowsFrame); });
  function scrollToRow(p: number): void {
    scroller.scrollTop = Math.max(0, p * ROW_HEIGHT - (scroller.clientHeight - ROW_HEIGHT) / 2);
    scheduleRows();
  }
  function renderHead(): void {
    const sort = model.get('sort') || {};
    thead.replaceChildren(...columns.map(c => {
      const arrow = sort.column === c ? (sort.ascending ? ' ▲' : ' ▼') : '';
      const op = h('select', { class: 'mlnb-ax-op', title: 'contains / does not contain', 'data-testid': `acumen-op-${c}` },
        h('option', { value: 'contains' }, '∋'), h('option', { value: 'excludes' }, '∌')) as HTMLSelectElement;
      const input = h('input', { class: 'mlnb-ax-colsearch', placeholder: 'filter…', 'data-testid': `acumen-search-${c}`,
        title: 'Enter filters (re-projects). !text: does not contain; /regex/: regular expression' }) as HTMLInputElement;
      input.addEventListener('keydown', e => {
        if (e.key !== 'Enter') return;
        try {
          const q = parseColumnQuery(c, input.value, op.value === 'excludes');
          if (q) call('filter', { where: q });
        } catch (err) { report(model, `filter on ${c}: ${(err as Error).message}`); }
      });
      return h('div', { class: 'mlnb-ax-th' },
        h('button', { class: 'mlnb-ax-sort', 'data-testid': `acumen-sort-${c}`,
          onclick: () => call('sort_by', { column: c, ascending: !(sort.column === c && sort.ascending) }) }, c + arrow),
        h('div', { class: 'mlnb-ax-thsearch' }, op, input));
    }));
    const tpl = columns.map(c => (c === 'path' ? 'minmax(160px, 3fr)' : 'minmax(70px, 1fr)')).join(' ');
    root.style.setProperty('--mlnb-ax-cols', tpl);
  }
  cleanups.push(bind(model, ['table_version', 'display_columns', 'sort'], ({ display_columns }) => {
    columns = display_columns || [];
    nRows = model.get('n_rows') || 0;
    cache.clear();
    spacer.style.height = `${nRows * ROW_HEIGHT}px`;
    renderHead();
    renderRows();
    const sel = decodeArray(model.get('selection')).data.length;
    tableInfo.textContent = `${model.get('n_rows')} files${sel ? ' (the selection)' : ''} · ${model.get('summary')?.files ?? ''} in the corpus`;
    count.textContent = `${sel} selected · ${model.get('n_rows')} in table`;
  }));

  // ------------------------------------------------------------------ focus & preview
  const server = serverInfo();
  function focus(file: number, fromPoint: boolean): void {
    focused = file;
    const pos = positionsOf([file], inverse);
    if (pos.length) sp.hover(pos[0], { showReticleOnce: true, preventEvent: true } as any);
    if (fromPoint) call('position_of', { index: file }).then((p: number) => { if (p >= 0) scrollToRow(p); });
    scheduleRows();
    showPreview(file);
  }
  function showPreview(file: number): void {
    call('preview', { index: file }).then((p: any) => {
      const code = h('code', { class: 'hljs language-python' });
      // highlight.js escapes the source: its output is markup of escaped text only, never the file's own HTML.
      code.innerHTML = hljs.highlight(String(p.content), { language: 'python', ignoreIllegals: true }).value;
      const rel = relativeToRoot(p.absolute_path, server.root);
      const info = Object.entries(p.project_info || {}).filter(([, v]) => v !== '' && v !== '0')
        .map(([k, v]) => h('div', {}, h('b', {}, `${k}: `), String(v)));
      // Metadata's evidence, one readable line per value (never a raw dict): why the project has this library etc.
      const why = (p.why || []).length ? h('div', { class: 'mlnb-ax-why', 'data-testid': 'acumen-why' }, h('b', {}, 'Why'),
        ...(p.why as { field: string; value: string; why: string }[]).map(w =>
          h('div', { title: w.why }, h('span', { class: 'mlnb-ax-why-value' }, `${w.field} ${w.value}`), ` — ${w.why}`))) : null;
      const similar = h('div', { class: 'mlnb-ax-similar' });
      const simBtn = h('button', { class: 'mlnb-ax-btn', onclick: () => call('similar', { index: file, k: 10 }).then((rows: any[]) => {
        similar.replaceChildren(h('b', {}, 'Files like this one'), ...rows.map(r => h('button', { class: 'mlnb-ax-link', onclick: () => focus(r.index, true) },
          `${r.project}/${r.path} (${r.distance.toFixed(3)})`)));
      }) }, 'Files like this one');
      preview.replaceChildren(
        h('div', { class: 'mlnb-ax-preview-head' }, h('b', { 'data-testid': 'acumen-preview-path' }, `${p.project}/${p.path}`),
          rel ? h('a', { href: `${server.base}lab/tree/${rel.split('/').map(encodeURIComponent).join('/')}`, target: '_blank', rel: 'noopener' }, 'open in JupyterLab') : null,
          simBtn, h('button', { class: 'mlnb-ax-btn', onclick: () => { preview.hidden = true; } }, '×')),
        h('div', { class: 'mlnb-ax-preview-body' }, h('pre', { class: 'mlnb-ax-code', 'data-testid': 'acumen-code' }, code),
          h('div', { class: 'mlnb-ax-meta' }, ...info, why, similar)));
      preview.hidden = false;
    }).catch(() => undefined);
  }

  return () => {
    for (const c of cleanups.reverse()) c();
    sp.destroy();
    root.remove();
  };
}

/** Layout coordinates into the scatter's [-1, 1] view: centred, one scale for both axes (no stretching). */
export function normalize(xy: ArrayLike<number>, n: number): { x: Float32Array; y: Float32Array } {
  let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
  for (let i = 0; i < n; i++) {
    x0 = Math.min(x0, xy[2 * i]); x1 = Math.max(x1, xy[2 * i]);
    y0 = Math.min(y0, xy[2 * i + 1]); y1 = Math.max(y1, xy[2 * i + 1]);
  }
  const s = 1.8 / Math.max(x1 - x0, y1 - y0, 1e-9);
  const cx = (x0 + x1) / 2, cy = (y0 + y1) / 2;
  const x = new Float32Array(n), y = new Float32Array(n);
  for (let i = 0; i < n; i++) { x[i] = (xy[2 * i] - cx) * s; y[i] = (xy[2 * i + 1] - cy) * s; }
  return { x, y };
}

function formatNum(v: unknown): string {
  const n = Number(v);
  return Number.isFinite(n) ? (Math.abs(n) >= 1000 || Number.isInteger(n) ? n.toFixed(0) : n.toPrecision(3)) : '';
}

export { combineSelection };
export default { render };
