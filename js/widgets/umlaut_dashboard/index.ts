/**
 * The UMLAUT dashboard (thesis Fig. 3.1): loss/metric curves (uPlot) with the running loss within
 * the epoch, the error timeline (findings stacked per epoch, static findings below the axis), and
 * the error cards (one-liners that expand; the fix as a diff of the user's line with "Apply").
 *
 * Linked both ways: clicking a card or a timeline mark highlights its epochs on the curves and
 * marks the series its heuristic looked at; hovering an epoch on any plot lists its findings.
 * Mounts once and updates in place on trait changes (metrics arrive every epoch while the kernel
 * is busy training). No JupyterLab imports: "Apply" and "Go to code" are DOM events that mlnb's
 * JupyterLab extension answers.
 */
import type { AnyModel } from '@anywidget/types';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import './style.css';

import { cardSignature, FindingCard, renderCard } from '../../common/cards';
import { parseLocation } from '../../common/schema';
import { SEVERITY_VAR, token } from '../../common/tokens';
import { decodeArray, h, mountStatus, request } from '../_kit';
import { Card, epochsText, Explanation, findingsAt, lttbIndices, mergeCards, row, SEVERITIES, stackColumns, stackTimeline } from './logic';

const MAX_POINTS = 1000; // curves longer than this are downsampled (LTTB) for display

export type { ApplyEditRequest } from '../../common/cards';

/** A 2-D float64 array trait as (data, shape); null (nothing sent yet) is empty. */
function matrix(value: unknown): { data: ArrayLike<number>; shape: number[] } {
  const a = decodeArray(value);
  return a ? { data: a.data as ArrayLike<number>, shape: a.shape } : { data: new Float64Array(0), shape: [0, 0] };
}

/** Theme colours, read once per chart build (getComputedStyle in every draw forces style recalcs). */
interface Theme {
  fg: string;
  grid: string;
  faint: string;
  sev: Record<string, string>;
}
function readTheme(el: Element): Theme {
  return {
    fg: token(el, '--jp-ui-font-color2', '#555'),
    grid: token(el, '--jp-border-color3', 'rgba(127,127,127,.2)'),
    faint: token(el, '--jp-ui-font-color3', '#999'),
    sev: Object.fromEntries(SEVERITIES.map(s => [s, token(el, SEVERITY_VAR[s], '#888')]))
  };
}

const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b'];

interface ChartBox {
  el: HTMLElement;
  plot: uPlot | null;
  names: string[]; // series labels after x
  kind: 'loss' | 'metric';
  sig: string;
}

function render({ model, el }: { model: AnyModel<any>; el: HTMLElement }): () => void {
  let selected: string | null = null;
  let hoverEpoch: number | null = null;
  const expanded = new Set<string>();
  const cardEls = new Map<string, { json: string; el: HTMLElement }>();
  let cards: Card[] = [];
  let limit = 100; // cards shown; more on request (thousands of findings stay quick)
  let theme: Theme | null = null;
  const colours = (): Theme => (theme ??= readTheme(root));
  const explanation = (key: string): Explanation =>
    (model.get('catalog') ?? {})[key] ?? { name: key, description: '', heuristic: '', fix: '', snippet: '', links: [] };

  const root = h('div', { class: 'mlnb-ud' });
  const header = h('div', { class: 'mlnb-ud-header' });
  const charts = h('div', { class: 'mlnb-ud-charts' });
  const timeline = h('canvas', { class: 'mlnb-ud-timeline', height: '90' }) as HTMLCanvasElement;
  const hover = h('div', { class: 'mlnb-ud-hover', 'aria-live': 'polite' });
  const compare = h('div', { class: 'mlnb-ud-compare' });
  const list = h('div', { class: 'mlnb-ud-cards' });
  const status = h('div', { class: 'mlnb-ud-kit-status' });
  const filter = h('input', { type: 'checkbox', class: 'mlnb-ud-show-dismissed' }) as HTMLInputElement;
  filter.addEventListener('change', () => {
    model.set('show_dismissed', filter.checked);
    model.save_changes();
  });
  root.append(header, status, charts, compare,
    h('div', { class: 'mlnb-ud-filter' }, h('label', {}, filter, ' show dismissed findings (struck through)')), list);
  el.append(root);

  const lossBox: ChartBox = { el: h('div', { class: 'mlnb-ud-chart mlnb-ud-loss' }), plot: null, names: [], kind: 'loss', sig: '' };
  const metricBox: ChartBox = { el: h('div', { class: 'mlnb-ud-chart mlnb-ud-metric' }), plot: null, names: [], kind: 'metric', sig: '' };
  // the timeline sits under the loss curves, on the same epoch axis; the hover list beside it
  charts.append(
    h('div', { class: 'mlnb-ud-col' }, lossBox.el, h('div', { class: 'mlnb-ud-tl-wrap' }, timeline)),
    h('div', { class: 'mlnb-ud-col' }, metricBox.el, hover)
  );

  // ---------------------------------------------------------------- data
  function series(): {
    x: number[];
    columns: Map<string, (number | null)[]>;
  } {
    const names: string[] = model.get('metric_names') ?? [];
    const { data, shape } = matrix(model.get('metrics'));
    const epochs = shape[1] ?? 0;
    const columns = new Map<string, (number | null)[]>();
    names.forEach((n, i) => columns.set(n, row(data, shape, i)));
    const baseNames: string[] = model.get('baseline_metric_names') ?? [];
    const base = matrix(model.get('baseline_metrics'));
    const bEpochs = base.shape[1] ?? 0;
    const bname = model.get('baseline_name') || 'baseline';
    baseNames.forEach((n, i) => columns.set(`${bname}: ${n}`, row(base.data, base.shape, i)));
    const n = Math.max(epochs, bEpochs);
    const x = Array.from({ length: n }, (_, i) => i);
    for (const [k, v] of columns) {
      if (v.length < n) {
        columns.set(k, v.concat(new Array(n - v.length).fill(null)));
      }
    }
    return { x, columns };
  }

  function chartData(box: ChartBox): { names: string[]; data: uPlot.AlignedData } {
    const { x, columns } = series();
    const wanted = [...columns.keys()].filter(k => (box.kind === 'loss') === /loss/.test(k));
    // downsample long runs: indices chosen on the first series, used for all (aligned x)
    let idx = x.map((_, i) => i);
    if (x.length > MAX_POINTS && wanted.length) {
      idx = lttbIndices(x, columns.get(wanted[0])!, MAX_POINTS);
    }
    let xs = idx.map(i => x[i]);
    const ys = wanted.map(k => idx.map(i => columns.get(k)![i]));
    const names = [...wanted];
    if (box.kind === 'loss') {
      // the running loss of the current epoch e sits at x in (e-1, e], leading up to epoch e's point
      const run = matrix(model.get('running'));
      const m = run.shape[1] ?? 0;
      if (m) {
        const rx = Array.from({ length: m }, (_, j) => run.data[j] - 1);
        const merged = [...new Set([...xs, ...rx])].sort((a, b) => a - b);
        const pos = new Map(merged.map((v, i) => [v, i]));
        const lift = (col: (number | null)[]) => {
          const out: (number | null)[] = new Array(merged.length).fill(null);
          xs.forEach((v, i) => (out[pos.get(v)!] = col[i]));
          return out;
        };
        const runCol: (number | null)[] = new Array(merged.length).fill(null);
        rx.forEach((v, j) => (runCol[pos.get(v)!] = run.data[m + j]));
        for (let i = 0; i < ys.length; i++) {
          ys[i] = lift(ys[i]);
        }
        xs = merged;
        ys.push(runCol);
        names.push('running loss');
      }
    }
    return { names, data: [xs, ...ys] as uPlot.AlignedData };
  }

  // ---------------------------------------------------------------- curves
  function buildPlot(box: ChartBox, names: string[], data: uPlot.AlignedData): void {
    box.plot?.destroy();
    box.el.textContent = '';
    if (!names.length) {
      box.plot = null;
      box.el.style.display = 'none';
      return;
    }
    box.el.style.display = '';
    theme = readTheme(root); // a rebuild follows a theme change as well
    const { fg, grid, faint } = colours();
    const bname = model.get('baseline_name');
    let colour = 0;
    const seriesOpts: uPlot.Series[] = [{ label: 'epoch' }];
    const byMetric = new Map<string, string>(); // a run's loss and the baseline's loss share a colour
    for (const name of names) {
      const own = name.replace(/^.*: /, '');
      const isBase = !!bname && name.startsWith(`${bname}: `);
      const c = byMetric.get(own) ?? PALETTE[colour++ % PALETTE.length];
      byMetric.set(own, c);
      seriesOpts.push({
        label: name,
        stroke: name === 'running loss' ? faint : c,
        width: name === 'running loss' ? 1 : 2,
        dash: isBase ? [6, 4] : name.startsWith('val_') ? [2, 2] : undefined,
        spanGaps: true,
        // a dot per epoch while they can be told apart; hundreds of epochs draw as a line (cheap)
        points: { show: name === 'running loss' ? false : (_u: uPlot, _s: number, i0: number, i1: number) => i1 - i0 <= 120, size: 4 }
      });
    }
    const opts: uPlot.Options = {
      width: Math.max(240, (box.el.parentElement?.clientWidth ?? 0) || Math.floor((root.clientWidth || 720) / 2) - 8),
      height: 180,
      title: box.kind === 'loss' ? 'Loss' : 'Metrics',
      // whole epochs around the data; a single epoch does not stretch the axis to 100
      scales: { x: { time: false, range: (_u, min, max) => [Math.floor(min ?? 0), Math.max(Math.ceil(max ?? 1), Math.floor(min ?? 0) + 1)] } },
      series: seriesOpts,
      axes: [
        { stroke: fg, grid: { stroke: grid }, label: 'epoch (from 0)', size: 40, incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000] },
        { stroke: fg, grid: { stroke: grid }, size: 50 }
      ],
      cursor: { drag: { x: false, y: false } },
      hooks: {
        // the timeline shares the loss chart's x scale, which uPlot sets only when it draws
        draw: [u => { drawAnnotations(u, box); if (box === lossBox) { drawTimeline(); } }],
        setCursor: [
          u => {
            const i = u.cursor.idx;
            const x = i === null || i === undefined ? null : (u.data[0][i] as number);
            setHover(x === null ? null : Math.round(x));
          }
        ]
      }
    };
    box.plot = new uPlot(opts, data, box.el);
    box.names = names;
  }

  function drawAnnotations(u: uPlot, box: ChartBox): void {
    const card = cards.find(c => c.id === selected);
    // what is drawn, readable from the DOM (the plot is a canvas)
    box.el.dataset.highlight = card ? card.epochs.filter(e => e >= 0).join(',') : '';
    if (!card) {
      return;
    }
    const ctx = u.ctx;
    const colour = colours().sev[card.severity];
    const top = u.bbox.top;
    const height = u.bbox.height;
    ctx.save();
    ctx.globalAlpha = 0.18;
    ctx.fillStyle = colour;
    const epochs = card.epochs.filter(e => e >= 0);
    for (const e of epochs) {
      const x0 = u.valToPos(e - 0.5, 'x', true);
      const x1 = u.valToPos(e + 0.5, 'x', true);
      ctx.fillRect(Math.max(x0, u.bbox.left), top, Math.max(2, Math.min(x1, u.bbox.left + u.bbox.width) - Math.max(x0, u.bbox.left)), height);
    }
    ctx.globalAlpha = 1;
    // mark where the heuristic fired on the series it looked at
    ctx.strokeStyle = colour;
    ctx.lineWidth = 2 * devicePixelRatio;
    const x = u.data[0] as number[];
    for (const name of card.series) {
      const si = box.names.indexOf(name) + 1;
      if (si < 1) {
        continue;
      }
      for (const e of epochs) {
        const i = x.indexOf(e);
        const y = i >= 0 ? (u.data[si][i] as number | null) : null;
        if (y === null || y === undefined) {
          continue;
        }
        ctx.beginPath();
        ctx.arc(u.valToPos(e, 'x', true), u.valToPos(y, 'y', true), 6 * devicePixelRatio, 0, 2 * Math.PI);
        ctx.stroke();
      }
    }
    if (epochs.length && (card.series.some(n => box.names.includes(n)) || !card.series.length)) {
      // where the heuristic fired, written inside the plot area
      ctx.fillStyle = colour;
      ctx.font = `${11 * devicePixelRatio}px sans-serif`;
      // uPlot leaves its axis labels' alignment (centred) on the context: measure and draw from the left
      ctx.textAlign = 'left';
      ctx.textBaseline = 'alphabetic';
      let label = `${card.key}: ${epochsText(epochs)}`;
      if (ctx.measureText(label).width > u.bbox.width - 8) {
        label = epochsText(epochs); // a narrow plot: the epochs alone
      }
      const right = u.bbox.left + u.bbox.width - ctx.measureText(label).width - 4;
      ctx.fillText(label, Math.max(u.bbox.left + 4, Math.min(u.valToPos(epochs[0], 'x', true) + 4, right)), top + 12 * devicePixelRatio);
    }
    ctx.restore();
  }

  function updateCharts(): void {
    for (const box of [lossBox, metricBox]) {
      const { names, data } = chartData(box);
      const sig = names.join('\u0000');
      if (!box.plot || sig !== box.sig) {
        box.sig = sig;
        buildPlot(box, names, data);
      } else {
        box.plot.setData(data);
      }
    }
    if (!lossBox.plot) {
      drawTimeline(); // else drawn by the loss chart's draw hook, on its new scale
    }
  }

  // ---------------------------------------------------------------- timeline
  function xMap(): { toX: (epoch: number) => number; toEpoch: (px: number) => number; left: number; width: number } {
    const u = lossBox.plot ?? metricBox.plot;
    const epochs = Math.max(1, model.get('epochs') || 1);
    if (u) {
      // the plot area from uPlot's own box (canvas pixels): reading the DOM here would force a
      // layout on every draw
      const dpr = devicePixelRatio || 1;
      const left = u.bbox.left / dpr;
      const width = u.bbox.width / dpr;
      const min = u.scales.x.min ?? 0;
      const max = u.scales.x.max ?? epochs - 1;
      const span = max - min || 1;
      return { toX: e => left + ((e - min) / span) * width, toEpoch: px => min + ((px - left) / width) * span, left, width };
    }
    const width = (timelineWidth() || 600) - 60;
    return { toX: e => 50 + ((e + 0.5) / epochs) * width, toEpoch: px => ((px - 50) / width) * epochs - 0.5, left: 50, width };
  }

  let marks: ReturnType<typeof stackTimeline> = { marks: [], maxLevel: 0, staticCount: 0 };
  function visibleCards(): Card[] {
    return model.get('show_dismissed') ? cards : active;
  }
  // The findings on the timeline (not dismissed), recomputed when the cards change; their stacking
  // is kept until then (a metrics-only redraw, a hover, a selection reuse it).
  // The timeline's CSS width, measured once and then by the resize observer (never per draw).
  let measuredWidth = 0;
  const timelineWidth = () => (measuredWidth ||= timeline.clientWidth || timeline.parentElement?.clientWidth || 0);
  let active: Card[] = [];
  let stackedFor: Card[] | null = null;
  let columns: ReturnType<typeof stackColumns> = [];

  function drawTimeline(): void {
    if (stackedFor !== active) {
      marks = stackTimeline(active);
      stackedFor = active;
      columns = stackColumns(marks.marks);
    }
    const dpr = devicePixelRatio || 1;
    const cssWidth = timelineWidth() || 360;
    const cssHeight = 90;
    if (timeline.width !== cssWidth * dpr || timeline.height !== cssHeight * dpr) {
      timeline.width = cssWidth * dpr; // resizing a canvas reallocates it: only when it changed
      timeline.height = cssHeight * dpr;
    }
    const ctx = timeline.getContext('2d');
    if (!ctx) {
      return;
    }
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, cssWidth, cssHeight);
    const { toX } = xMap();
    const axisY = 58;
    const cell = Math.max(2, Math.min(8, (axisY - 4) / Math.max(1, marks.maxLevel)));
    const w = Math.max(2, Math.min(10, Math.abs(toX(1) - toX(0)) - 2));
    const fg = colours().fg;
    ctx.fillStyle = fg;
    ctx.font = '11px sans-serif';
    ctx.fillText('findings', 2, 10);
    ctx.fillText('before', 2, axisY + 14);
    ctx.strokeStyle = fg;
    ctx.beginPath();
    ctx.moveTo(toX(-0.5), axisY + 0.5);
    ctx.lineTo(cssWidth, axisY + 0.5);
    ctx.stroke();
    const sev = colours().sev;
    // Each epoch's stack is a few runs of one severity (most severe at the bottom): one rectangle
    // per run, then a 1-px gap cleared between levels, instead of thousands of marks one by one.
    ctx.globalAlpha = selected ? 0.35 : 1;
    for (const severity of SEVERITIES) {
      ctx.fillStyle = sev[severity];
      ctx.beginPath();
      for (const c of columns) {
        if (c.severity === severity) {
          ctx.rect(toX(c.epoch) - w / 2, axisY - c.to * cell, w, (c.to - c.from) * cell);
        }
      }
      ctx.fill();
    }
    ctx.globalAlpha = 1;
    if (cell >= 3) {
      const left = toX(-0.5);
      for (let level = 0; level < marks.maxLevel; level++) {
        ctx.clearRect(left, axisY - level * cell - 1, cssWidth - left, 1);
      }
    }
    let staticIndex = 0;
    for (const m of marks.marks) {
      const strong = !selected || m.id === selected;
      if (m.epoch >= 0) {
        if (selected && strong) {
          ctx.fillStyle = sev[m.severity]; // the selected finding's marks over the dimmed stacks
          ctx.fillRect(toX(m.epoch) - w / 2, axisY - (m.level + 1) * cell, w, cell - 1);
        }
      } else {
        // static findings: a row below the axis, from the left edge
        const x = 50 + (staticIndex % 60) * 9;
        const y = axisY + 6 + Math.floor(staticIndex / 60) * 9;
        ctx.fillStyle = sev[m.severity];
        ctx.globalAlpha = strong ? 1 : 0.35;
        ctx.fillRect(x, y, 7, 7);
        (m as any).x = x;
        (m as any).y = y;
        staticIndex++;
      }
    }
    ctx.globalAlpha = 1;
    if (hoverEpoch !== null && hoverEpoch >= 0) {
      ctx.strokeStyle = fg;
      ctx.strokeRect(toX(hoverEpoch) - w / 2 - 1.5, 0.5, w + 3, axisY - 1);
    }
    timeline.dataset.marks = String(marks.marks.length);
  }

  function markAt(px: number, py: number): { id: string | null; epoch: number | null } {
    const { toX, toEpoch } = xMap();
    const axisY = 58;
    if (py > axisY) {
      const hit = marks.marks.find(m => m.epoch < 0 && px >= (m as any).x && px <= (m as any).x + 8 && py >= (m as any).y && py <= (m as any).y + 8);
      return { id: hit?.id ?? null, epoch: -1 };
    }
    const epoch = Math.round(toEpoch(px));
    const cell = Math.max(2, Math.min(8, (axisY - 4) / Math.max(1, marks.maxLevel)));
    const level = Math.floor((axisY - py) / cell);
    const hit = marks.marks.find(m => m.epoch === epoch && m.level === level && Math.abs(toX(epoch) - px) < 8);
    return { id: hit?.id ?? null, epoch };
  }

  timeline.addEventListener('mousemove', ev => {
    const r = timeline.getBoundingClientRect();
    setHover(markAt(ev.clientX - r.left, ev.clientY - r.top).epoch);
  });
  timeline.addEventListener('mouseleave', () => setHover(null));
  timeline.addEventListener('click', ev => {
    const r = timeline.getBoundingClientRect();
    const { id } = markAt(ev.clientX - r.left, ev.clientY - r.top);
    if (id) {
      select(id, true);
    }
  });

  // ---------------------------------------------------------------- hover and selection
  function setHover(epoch: number | null): void {
    if (epoch === hoverEpoch) {
      return;
    }
    hoverEpoch = epoch;
    hover.textContent = '';
    if (epoch !== null) {
      const at = findingsAt(active, epoch);
      hover.append(h('strong', {}, epoch < 0 ? 'Before training' : `Epoch ${epoch}`), `: ${at.length ? '' : 'no findings'}`);
      for (const c of at.slice(0, 8)) {
        hover.append(h('button', { class: `mlnb-ud-chip mlnb-ud-${c.severity}`, onclick: () => select(c.id, true) }, c.title));
      }
      if (at.length > 8) {
        hover.append(` … ${at.length - 8} more`);
      }
    }
    drawTimeline();
  }

  function select(id: string | null, scroll = false): void {
    selected = selected === id ? null : id;
    root.dataset.selected = selected ?? '';
    for (const [cid, entry] of cardEls) {
      entry.el.classList.toggle('mlnb-card-selected', cid === selected);
    }
    if (selected && scroll) {
      expanded.add(selected);
      const entry = cardEls.get(selected);
      if (entry) {
        (entry.el as HTMLDetailsElement).open = true; // its toggle event builds the body
        entry.el.scrollIntoView?.({ block: 'nearest' });
      }
    }
    lossBox.plot?.redraw(false);
    metricBox.plot?.redraw(false);
    drawTimeline();
  }

  // ---------------------------------------------------------------- cards
  // The shared card (js/common/cards.ts), with the dashboard's parts: the fix as a diff with
  // Apply, dismiss, selection linked to the plots; the explanation comes from the catalog.
  function findingCard(card: Card): FindingCard {
    const ex = explanation(card.key);
    return {
      id: card.id, key: card.key, subject: card.subject, severity: card.severity, title: card.title,
      epochs: card.epochs, location: parseLocation(card.location), context: Object.fromEntries(card.context),
      description: ex.description, heuristic: ex.heuristic, fix: ex.fix, snippet: ex.snippet, links: ex.links,
      dismissed: card.dismissed, patch: card.patch
    };
  }

  function cardView(card: Card): HTMLElement {
    return renderCard(findingCard(card), {
      open: expanded.has(card.id),
      selected: card.id === selected,
      className: 'mlnb-ud-card',
      onSelect: () => select(card.id),
      onToggle: open => (open ? expanded.add(card.id) : expanded.delete(card.id)),
      // answered once the kernel is idle (a training cell holds it busy)
      onDismiss: (f, dismissed) =>
        request(model, 'dismiss', { key: f.key, subject: f.subject, dismissed }).catch(err => {
          header.append(h('span', { class: 'mlnb-ud-errmsg' }, `dismiss failed: ${err?.message ?? err}`));
          throw err;
        })
    });
  }

  const more = h('button', { class: 'mlnb-ud-more', onclick: () => { limit += 200; updateCards(); } });

  function updateCards(redraw = true): void {
    cards = mergeCards(model.get('findings') ?? [], model.get('findings_delta') ?? []);
    active = cards.filter(c => !c.dismissed);
    const all = visibleCards();
    const visible = all.slice(0, limit);
    const keep = new Set(visible.map(c => c.id));
    for (const [id, entry] of cardEls) {
      if (!keep.has(id)) {
        entry.el.remove();
        cardEls.delete(id);
      }
    }
    let previous: Element | null = null;
    for (const card of visible) {
      const sig = cardSignature(findingCard(card));
      let entry = cardEls.get(card.id);
      if (!entry || entry.json !== sig) {
        const el = cardView(card);
        entry?.el.replaceWith(el);
        entry = { json: sig, el };
        cardEls.set(card.id, entry);
      }
      const target: ChildNode | null = previous ? previous.nextSibling : list.firstChild;
      if (target !== entry.el) {
        list.insertBefore(entry.el, target);
      }
      previous = entry.el;
    }
    list.querySelector('.mlnb-ud-empty')?.remove();
    if (!visible.length) {
      list.append(h('p', { class: 'mlnb-ud-empty' }, cards.length ? 'All findings are dismissed.' : model.get('status') === 'running' ? 'No findings so far.' : 'No findings.'));
    }
    if (all.length > visible.length) {
      more.textContent = `Show more (${all.length - visible.length} not shown)`;
      list.append(more);
    } else {
      more.remove();
    }
    filter.checked = !!model.get('show_dismissed');
    updateHeader();
    if (redraw) {
      drawTimeline();
      lossBox.plot?.redraw(false);
    }
  }

  // The header is rebuilt only when its name, status or counts change; a new epoch changes one text.
  const epochsEl = h('span', { class: 'mlnb-ud-epochs' });
  let headerSig = '';
  function updateHeader(): void {
    const n = model.get('epochs');
    const text = `${n} epoch${n === 1 ? '' : 's'}`;
    if (epochsEl.textContent !== text) {
      epochsEl.textContent = text;
    }
    const counts = SEVERITIES.map(s => [s, active.filter(c => c.severity === s).length] as const);
    const dismissed = cards.length - active.length;
    const sig = [model.get('name'), model.get('status'), ...counts.map(([, k]) => k), dismissed].join('|');
    if (sig === headerSig) {
      return;
    }
    headerSig = sig;
    header.replaceChildren(
      h('span', { class: 'mlnb-ud-name' }, `UMLAUT · ${model.get('name')}`),
      h('span', { class: `mlnb-ud-status mlnb-ud-status-${model.get('status')}` }, String(model.get('status'))),
      epochsEl,
      ...counts.filter(([, k]) => k > 0).map(([s, k]) => h('span', { class: `mlnb-ud-count mlnb-ud-${s}` }, `${k} ${s}`)),
      dismissed ? h('span', { class: 'mlnb-ud-count' }, `${dismissed} dismissed`) : '',
    );
  }

  function updateCompare(): void {
    const diff = model.get('diff') ?? {};
    compare.textContent = '';
    if (!diff.findings) {
      compare.style.display = 'none';
      return;
    }
    compare.style.display = '';
    compare.append(h('h4', {}, `Compared with ${diff.a}: what changed in ${diff.b}`));
    for (const status of ['fixed', 'new', 'persisting']) {
      const rows = (diff.findings as any[]).filter(r => r.status === status);
      const ul = h('ul', { class: `mlnb-ud-cmp-${status}` });
      rows.forEach(r => ul.append(h('li', { class: `mlnb-ud-${r.severity}` }, h('code', {}, r.key), ' ', r.title)));
      compare.append(h('div', { class: 'mlnb-ud-cmp-col' }, h('strong', {}, `${status} (${rows.length})`), rows.length ? ul : h('p', {}, '—')));
    }
    const config = (diff.config ?? []) as any[];
    if (config.length) {
      const table = h('table', { class: 'mlnb-ud-cmp-config' }, h('tr', {}, h('th', {}, 'setting'), h('th', {}, String(diff.a)), h('th', {}, String(diff.b))));
      config.forEach(r => table.append(h('tr', {}, h('td', {}, String(r.setting)), h('td', {}, JSON.stringify(r.a)), h('td', {}, JSON.stringify(r.b)))));
      compare.append(h('div', { class: 'mlnb-ud-cmp-col' }, h('strong', {}, 'settings that differ'), table));
    }
  }

  // ---------------------------------------------------------------- wiring
  // Trait changes arrive in bursts (metrics, epochs and findings of one epoch): coalesce them into
  // one update per animation frame, so each plot and the timeline draw once.
  const pending = { charts: false, cards: false, header: false };
  let scheduled = false;
  const schedule = (what: keyof typeof pending) => {
    pending[what] = true;
    if (scheduled) {
      return;
    }
    scheduled = true;
    requestAnimationFrame(() => {
      scheduled = false;
      const { charts: c, cards: k, header: hd } = pending;
      pending.charts = pending.cards = pending.header = false;
      if (k) {
        updateCards(!c);
      }
      if (c) {
        updateCharts();
      }
      if (hd && !k) {
        updateHeader();
      }
    });
  };
  const onMetrics = () => {
    schedule('charts');
    schedule('header');
  };
  const onCards = () => schedule('cards');
  const onHeader = () => schedule('header');
  const onCompare = () => {
    updateCompare();
    updateCharts();
  };
  const subs: [string, () => void][] = [
    ['change:metrics', onMetrics], ['change:running', onMetrics], ['change:metric_names', onMetrics],
    ['change:findings', onCards], ['change:findings_delta', onCards], ['change:show_dismissed', onCards], ['change:catalog', onCards],
    ['change:status', onHeader], ['change:epochs', onHeader],
    ['change:diff', onCompare], ['change:baseline_metrics', onCompare]
  ];
  subs.forEach(([e, cb]) => model.on(e, cb));
  const unmountStatus = mountStatus(model, status);
  updateCompare();
  updateCards();
  updateCharts();
  const resize = typeof ResizeObserver !== 'undefined' ? new ResizeObserver(() => {
    measuredWidth = 0; // measured again by the next draw
    for (const box of [lossBox, metricBox]) {
      const width = box.el.parentElement?.clientWidth ?? 0;
      if (box.plot && width && Math.abs(width - box.plot.width) > 2) {
        box.plot.setSize({ width, height: 180 });
      }
    }
    drawTimeline();
  }) : null;
  resize?.observe(root);
  // JupyterLab's theme switch changes the CSS variables the plots were drawn with: rebuild them
  const themeWatch = typeof MutationObserver !== 'undefined' ? new MutationObserver(() => {
    theme = null;
    lossBox.sig = metricBox.sig = '';
    schedule('charts');
  }) : null;
  themeWatch?.observe(document.body, { attributes: true, attributeFilter: ['data-jp-theme-light', 'data-jp-theme-name'] });
  return () => {
    subs.forEach(([e, cb]) => model.off(e, cb));
    unmountStatus();
    resize?.disconnect();
    themeWatch?.disconnect();
    lossBox.plot?.destroy();
    metricBox.plot?.destroy();
  };
}

export default { render };
