// ACUMEN explorer in headless Chromium (WebGL through SwiftShader here): numbers from one run, not a timed test.
//   node benchmarks/acumen_explorer_browser.mjs [--points 1000000] [--feedback-points 100000] [--rows 1000000]
//        [--frames 4] [--rounds 3] [--lasso-rounds 1] [--table-frames 240] [--options-row 1]
//        (quicker: --points 200000 --rows 200000 --rounds 2 --lasso-rounds 1)
// Needs the built bundle (node js/build-widgets.mjs) and Debian's Chromium (CHROMIUM=/usr/bin/chromium); for the
// real jupyter-scatter, its Python package (the `bench` extra: pip install -e .[bench]; PYTHON picks the interpreter,
// default the one in MLNB_PYTHON or `python3`).
//
// Same page, same points (gaussian blobs, 12 categories), three scatters one after another, each in a fresh page:
//   bare       regl-scatterplot alone, coloured by the same category column;
//   jscatter   jupyter-scatter itself: the anywidget front end shipped in its wheel (jscatter/bundle.js) over a fake
//              model whose state its Python side made (benchmarks/jscatter_state.py; color_by the category, lasso
//              mouse mode); when it is not installed, regl-scatterplot configured as jupyter-scatter configures it;
//   explorer   the ACUMEN explorer view (python/mlnb/static/acumen_explorer.js) over a fake widget model.
// Measured: first draw (render until the points are on screen), frame time (wheel-zoom frames), lasso
// selection time at --points (mouse up until the set is known in the front end: the library's own lasso for
// bare, jupyter-scatter's `selection` trait set, the explorer's grid index), lasso feedback at --feedback-points
// (pointer move until the lasso is painted), and the explorer's table scrolled through --rows rows (frame times
// while scrolling; the fake kernel answers each page after 5 ms).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromium } from 'playwright';

const here = dirname(fileURLToPath(import.meta.url));
const arg = (name, dflt) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? Number(process.argv[i + 1]) : dflt; };
const N = arg('points', 1_000_000), NF = arg('feedback-points', 100_000), ROWS = arg('rows', 1_000_000);
const FRAMES = arg('frames', 4), ROUNDS = arg('rounds', 3), LASSO_ROUNDS = arg('lasso-rounds', 1), TABLE_FRAMES = arg('table-frames', 240);
const OPTIONS_ROW = arg('options-row', 1) !== 0;
const loadAt = () => loadavg().map(x => x.toFixed(1)).join(' ');
const loadStart = loadAt();
// jupyter-scatter's real front end and the state its Python side makes (null when it is not installed)
let jscatter = null;
try {
  const py = process.env.PYTHON || process.env.MLNB_PYTHON || 'python3';
  const out = JSON.parse(execFileSync(py, [join(here, 'jscatter_state.py')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }));
  jscatter = { ...out, js: readFileSync(out.bundle, 'utf8') };
} catch (e) {
  console.error(`jupyter-scatter not available (${String(e.message).split('\n')[0]}): using regl-scatterplot configured like it`);
}
const bundle = readFileSync(join(here, '..', 'python', 'mlnb', 'static', 'acumen_explorer.js'), 'utf8');
const css = readFileSync(join(here, '..', 'python', 'mlnb', 'static', 'acumen_explorer.css'), 'utf8');
const regl = (await build({ stdin: { contents: "export { default } from 'regl-scatterplot';", resolveDir: join(here, '..'), loader: 'js' },
  bundle: true, format: 'esm', write: false, logLevel: 'silent' })).outputFiles[0].text;

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--enable-unsafe-swiftshader', '--use-angle=swiftshader']
});
let page;
// Each scatter gets a fresh page: nothing one leaves behind (listeners, GL contexts) weighs on the next.
async function freshPage(keep = false) {
  if (page && !keep) await page.close();
  page = await browser.newPage({ viewport: { width: 1300, height: 900 } });
  page.on('pageerror', e => console.error('page error:', e.message));
  await page.route('http://bench.local/**', route => {
    const url = route.request().url();
    if (url.endsWith('/explorer.js')) return route.fulfill({ contentType: 'text/javascript', body: bundle });
    if (url.endsWith('/regl.js')) return route.fulfill({ contentType: 'text/javascript', body: regl });
    if (url.endsWith('/jscatter.js')) return route.fulfill({ contentType: 'text/javascript', body: jscatter.js });
    return route.fulfill({ contentType: 'text/html', body: `<html><head><style>${css}
      body { margin: 0 } #box { width: 1200px; height: 560px; position: relative } #box > canvas { width: 100%; height: 100% }
      </style></head><body><div id="el" style="width:1250px"></div><div id="box"></div></body></html>` });
  });
  await page.goto('http://bench.local/');

  // ---------------------------------------------------------------------------------------- in-page helpers
  await page.evaluate(() => {
    const w = window;
    w.frame = () => new Promise(r => requestAnimationFrame(() => r(performance.now())));
    w.blobs = n => { // deterministic gaussian blobs in [-0.9, 0.9]
      let s = 12345;
      const rnd = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
      const gauss = () => Math.sqrt(-2 * Math.log(rnd() + 1e-12)) * Math.cos(2 * Math.PI * rnd());
      const centres = Array.from({ length: 12 }, () => [rnd() * 1.4 - 0.7, rnd() * 1.4 - 0.7, 0.04 + rnd() * 0.12]);
      const xy = new Float32Array(2 * n), cat = new Float32Array(n);
      for (let i = 0; i < n; i++) {
        const c = i % centres.length, [cx, cy, r] = centres[c];
        xy[2 * i] = Math.max(-0.9, Math.min(0.9, cx + gauss() * r));
        xy[2 * i + 1] = Math.max(-0.9, Math.min(0.9, cy + gauss() * r));
        cat[i] = c;
      }
      return { xy, cat };
    };
    // Frame times while something keeps the scatter redrawing (wheel zoom in and out on `target`).
    w.frameTimes = async (target, frames) => {
      const box = target.getBoundingClientRect();
      const times = [];
      let last = await w.frame();
      for (let f = 0; f < frames; f++) {
        target.dispatchEvent(new WheelEvent('wheel', { deltaY: f % 2 ? 40 : -40, clientX: box.left + box.width / 2,
          clientY: box.top + box.height / 2, bubbles: true, cancelable: true }));
        const now = await w.frame();
        times.push(now - last);
        last = now;
      }
      return times;
    };
    w.fakeModel = (state, answer) => {
      const handlers = new Map();
      const emit = (e, ...a) => (handlers.get(e) || []).forEach(h => h(...a));
      return {
        get: k => state[k],
        set: (k, v) => { state[k] = v; emit(`change:${k}`); },
        on: (e, h) => { if (!handlers.has(e)) handlers.set(e, []); handlers.get(e).push(h); },
        off: (e, h) => { if (handlers.has(e)) handlers.set(e, handlers.get(e).filter(x => x !== h)); },
        save_changes: () => {},
        send: (msg, _cb, buffers) => {
          if (msg.kind !== 'anywidget-command') return;
          setTimeout(() => emit('msg:custom', { id: msg.id, kind: 'anywidget-command-response',
            response: { ok: true, value: answer(msg.name, msg.msg, buffers) } }, []), 5);
        }
      };
    };
    w.explorerState = (n, rows) => {
      const { xy, cat } = w.blobs(n);
      const idx = new Int32Array(n).map((_, i) => i);
      const arr = (a, dtype, shape) => ({ dtype, shape, buffer: new DataView(a.buffer) });
      return {
        points: arr(xy, 'float32', [n, 2]), point_index: arr(idx, 'int32', [n]), color_values: arr(cat, 'float32', [n]),
        color_info: { column: 'library', kind: 'categorical', categories: Array.from({ length: 12 }, (_, i) => `lib${i}`),
          counts: Array(12).fill(Math.round(n / 12)), min: 0, max: 11 },
        layout_info: { method: 'umap', n_neighbors: 15, final: true, transition: false, n, version: 1 },
        selection: arr(new Int32Array(0), 'int32', [0]), highlight: arr(new Int32Array(0), 'int32', [0]),
        highlight_reason: '', visited: arr(new Int32Array(0), 'int32', [0]), steps: ['all files'], position: 0,
        n_neighbors: 15, color: 'library', columns: ['project', 'path', 'library'], display_columns: ['project', 'path', 'library'],
        label_columns: [], sort: {}, n_rows: rows, table_version: 1, busy: false, summary: { projects: 5000, files: rows },
        progress: {}, error: ''
      };
    };
    w.pageAnswer = (name, args) => {
      if (name !== 'page') return name === 'select' ? 0 : null;
      const rows = [];
      for (let i = args.start; i < args.stop; i++) rows.push({ index: i, cells: [`project-${i % 5000}`, `src/module_${i % 997}/file_${i}.py`, 'PyTorch'] });
      return { start: args.start, columns: ['project', 'path', 'library'], rows, total: 0 };
    };
  });

}

async function drag(target, frac, modifier) {
  const box = await target.boundingBox();
  const pts = frac.map(([fx, fy]) => [box.x + fx * box.width, box.y + fy * box.height]);
  pts.push(pts[0]);
  if (modifier) await page.keyboard.down(modifier);
  await page.mouse.move(pts[0][0], pts[0][1]);
  await page.mouse.down();
  for (let i = 1; i < pts.length; i++) {
    // a few moves an edge: regl-scatterplot redraws every point on each move of its own lasso (seconds at 1M)
    for (let k = 1; k <= DRAG_STEPS; k++) {
      const t = k / DRAG_STEPS;
      await page.mouse.move(pts[i - 1][0] + (pts[i][0] - pts[i - 1][0]) * t, pts[i - 1][1] + (pts[i][1] - pts[i - 1][1]) * t);
    }
  }
  await page.mouse.up();
  if (modifier) await page.keyboard.up(modifier);
}
const DRAG_STEPS = 2;
const LASSO = [[0.3, 0.2], [0.62, 0.15], [0.7, 0.5], [0.55, 0.85], [0.3, 0.75], [0.42, 0.5]];

// Each scatter is set up in its own page and left there with `window.target` (the element that takes wheel and
// drag events) and `window.lassoT`; frames and lassos are then measured round-robin across the pages, so a change
// of machine load weighs on all three alike.

// ---------------------------------------------------------------------------------------- bare regl-scatterplot
async function setupLibrary(config, label) {
  const out = await page.evaluate(async ({ n, config }) => {
    const { default: createScatterplot } = await import('/regl.js');
    const box = document.getElementById('box');
    box.replaceChildren();
    box.style.width = `${window.canvasSize[0]}px`; // the explorer's canvas size: same pixels to fill, same lasso
    box.style.height = `${window.canvasSize[1]}px`;
    const canvas = document.createElement('canvas');
    box.append(canvas);
    const { xy, cat } = window.blobs(n);
    const x = new Float32Array(n), y = new Float32Array(n);
    for (let i = 0; i < n; i++) { x[i] = xy[2 * i]; y[i] = xy[2 * i + 1]; }
    const sp = createScatterplot({ canvas, width: 'auto', height: 'auto', ...config });
    window.sp = sp;
    await window.frame();
    const t0 = performance.now();
    await sp.draw({ x, y, valueA: cat }, { zDataType: 'categorical' });
    await window.frame();
    const draw = performance.now() - t0;
    window.target = canvas;
    window.lassoT = { up: 0, select: 0, n: 0 };
    window.addEventListener('mouseup', () => { window.lassoT.up = performance.now(); }, { capture: true });
    // the lasso's own selection; a click event that follows a closed drag may then select the one point under it
    sp.subscribe('select', ({ points }) => {
      if (!window.lassoT.up || window.lassoT.select) return;
      window.lassoT.select = performance.now(); window.lassoT.n = points.length;
    });
    return { draw, size: [canvas.clientWidth, canvas.clientHeight] };
  }, { n: N, config });
  return { label, ...out, lassoDrag: () => drag(page.locator('#box > canvas'), LASSO, config.mouseMode === 'lasso' ? undefined : 'Shift') };
}

// ---------------------------------------------------------------------------------------- real jupyter-scatter
async function setupJupyterScatter() {
  const out = await page.evaluate(async ({ n, state }) => {
    // jupyter-scatter draws with a shared WebGL renderer and copies each frame into its 2-D canvas: that copy
    // tells which canvas is the scatter.
    const copy = CanvasRenderingContext2D.prototype.drawImage;
    CanvasRenderingContext2D.prototype.drawImage = function (...a) {
      if (a[0] instanceof HTMLCanvasElement) window.jsCanvas = this.canvas;
      return copy.apply(this, a);
    };
    const { default: widget } = await import('/jscatter.js');
    const box = document.getElementById('box');
    box.replaceChildren();
    box.style.width = `${window.canvasSize[0]}px`;
    box.style.height = 'auto';
    const { xy, cat } = window.blobs(n);
    const pts = new Float32Array(4 * n);
    for (let i = 0; i < n; i++) { pts[4 * i] = xy[2 * i]; pts[4 * i + 1] = xy[2 * i + 1]; pts[4 * i + 2] = cat[i]; }
    const st = { ...state, height: window.canvasSize[1], points: { view: new DataView(pts.buffer), dtype: 'float32', shape: [n, 4] },
      selection: { view: new DataView(new Uint32Array(0).buffer), dtype: 'uint32', shape: [0] } };
    const model = window.fakeModel(st, () => null);
    window.lassoT = { up: 0, select: 0, n: 0 };
    const set = model.set;
    model.set = (k, v) => { // the selection as jupyter-scatter hands it to its model (and so to Python)
      if (k === 'selection' && window.lassoT.up && !window.lassoT.select) { window.lassoT.select = performance.now(); window.lassoT.n = v.shape[0]; }
      set(k, v);
    };
    await window.frame();
    const t0 = performance.now();
    window.jsCleanup = await widget.render({ model, el: box });
    // on screen: the scatter's canvas holds coloured pixels (the background is white)
    const drawn = () => {
      const c = window.jsCanvas;
      if (!c || !c.width) return false;
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      for (let i = 0; i < d.length; i += 4 * 97) if (d[i + 3] > 0 && (d[i] < 200 || d[i + 1] < 200 || d[i + 2] < 200)) return true;
      return false;
    };
    while (!drawn()) { await window.frame(); if (performance.now() - t0 > 300000) throw new Error('jupyter-scatter never drew'); }
    const draw = performance.now() - t0;
    await window.frame();
    window.target = window.jsCanvas;
    window.jsCanvas.dataset.bench = 'jscatter';
    window.addEventListener('mouseup', () => { window.lassoT.up = performance.now(); }, { capture: true });
    return { draw, size: [window.jsCanvas.clientWidth, window.jsCanvas.clientHeight] };
  }, { n: N, state: jscatter.state });
  return { label: `jupyter-scatter ${jscatter.version} (its own bundle)`, ...out, lassoDrag: () => drag(page.locator('[data-bench="jscatter"]'), LASSO) };
}

// ---------------------------------------------------------------------------------------- the explorer
async function setupExplorer(n, rows) {
  const out = await page.evaluate(async ({ n, rows }) => {
    const mod = await import('/explorer.js');
    const el = document.getElementById('el');
    el.replaceChildren();
    const model = window.fakeModel(window.explorerState(n, rows), window.pageAnswer);
    window.model = model;
    await window.frame();
    const t0 = performance.now();
    window.cleanup = mod.default.render({ model, el });
    const scatter = el.querySelector('[data-testid="acumen-scatter"]');
    while (!scatter.dataset.drawn) await window.frame();
    await window.frame();
    const c = scatter.querySelector('canvas');
    window.canvasSize = [c.clientWidth, c.clientHeight];
    // frames from wheel events dispatched on the WebGL canvas itself, as for bare regl-scatterplot
    window.target = c;
    window.targetLayer = scatter.querySelector('[data-testid="acumen-lasso-layer"]');
    window.pointSize = Number(scatter.dataset.pointSize);
    // the set, in the front end: the explorer writes its lasso time on the scatter (mouse up until the set is known)
    window.lassoT = { up: 0, select: 0, n: 0 };
    return { draw: performance.now() - t0, size: [c.clientWidth, c.clientHeight] };
  }, { n, rows });
  return { label: 'explorer', ...out, lassoDrag: () => drag(page.locator('[data-testid="acumen-lasso-layer"]'), LASSO) };
}

// A lasso on the current page's scatter: milliseconds from mouse up until the selection set is known, and its size.
async function lassoOnce(s) {
  await page.evaluate(() => {
    window.lassoT = { up: 0, select: 0, n: 0 };
    const sc = document.querySelector('[data-testid="acumen-scatter"]');
    if (sc) { delete sc.dataset.lassoMs; delete sc.dataset.lassoN; }
  });
  await s.lassoDrag();
  return page.evaluate(async () => {
    const sc = document.querySelector('[data-testid="acumen-scatter"]');
    for (let i = 0; i < 3000; i++) {
      if (sc && sc.dataset.lassoMs) return { ms: Number(sc.dataset.lassoMs), n: Number(sc.dataset.lassoN) };
      if (!sc && window.lassoT.select) return { ms: window.lassoT.select - window.lassoT.up, n: window.lassoT.n };
      await new Promise(r => setTimeout(r, 20));
    }
    return { ms: NaN, n: 0 };
  });
}

async function feedback() {
  // pointer move -> lasso painted, at NF points, over 30 moves of a lasso in progress
  const layer = page.locator('[data-testid="acumen-lasso-layer"]');
  const box = await layer.boundingBox();
  await page.mouse.move(box.x + box.width * 0.3, box.y + box.height * 0.3);
  await page.mouse.down();
  const lat = [];
  for (let k = 0; k < 30; k++) {
    const x = box.x + box.width * (0.3 + 0.4 * Math.sin(k / 5) ** 2), y = box.y + box.height * (0.3 + 0.4 * k / 30);
    const t = await page.evaluate(() => performance.now());
    await page.mouse.move(x, y);
    const painted = await page.evaluate(async t => {
      const s = document.querySelector('[data-testid="acumen-scatter"]');
      for (let i = 0; i < 100; i++) { if (Number(s.dataset.lassoPainted || 0) > t) return Number(s.dataset.lassoPainted); await window.frame(); }
      return NaN;
    }, t);
    lat.push(painted - t);
  }
  await page.mouse.up();
  lat.sort((a, b) => a - b);
  return { median: lat[15], max: lat[lat.length - 1] };
}

async function scrollTable(mode) {
  return page.evaluate(async ({ mode, frames }) => {
    const sc = document.querySelector('[data-testid="acumen-table"]');
    sc.scrollIntoView();
    sc.scrollTop = 0;
    await window.frame(); await window.frame();
    // DOM nodes added while scrolling (a recycled pool adds none)
    let added = 0;
    const mo = new MutationObserver(list => { for (const m of list) added += m.addedNodes.length; });
    mo.observe(sc, { childList: true, subtree: true });
    const times = [];
    let last = await window.frame();
    for (let f = 0; f < frames; f++) {
      // 'wheel': 120 px a frame, as a mouse wheel scrolls; 'fling': top to bottom in 5/6 of the frames, then back up
      const down = Math.floor(frames * 5 / 6);
      if (mode === 'wheel') sc.scrollTop += 120;
      else sc.scrollTop = f < down ? (f * sc.scrollHeight) / down : sc.scrollTop - sc.scrollHeight / 40;
      const now = await window.frame();
      times.push(now - last);
      last = now;
    }
    mo.disconnect();
    const rows = document.querySelectorAll('.mlnb-ax-tr').length;
    times.sort((a, b) => a - b);
    return { median: times[Math.floor(frames / 2)], p95: times[Math.floor(frames * 0.95)], max: times[frames - 1],
      over16: times.filter(t => t > 16.7).length, over25: times.filter(t => t > 25).length, over33: times.filter(t => t > 33.4).length, frames, rows, added };
  }, { mode, frames: TABLE_FRAMES });
}

await freshPage();
const idle = await page.evaluate(async () => { // rAF interval with nothing to draw: this machine's floor
  const t = []; let last = await window.frame();
  for (let i = 0; i < 30; i++) { const now = await window.frame(); t.push(now - last); last = now; }
  return t.sort((a, b) => a - b)[15];
});
await setupExplorer(1000, 1000); // only to learn the explorer canvas's size, which the other scatters then get
const canvasSize = await page.evaluate(() => window.canvasSize);
const palette = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac', '#1f77b4', '#ff7f0e'];
const runs = [];
const open = async (label, setup) => {
  console.error(`${label}: first draw...`);
  await freshPage(runs.length > 0);
  await page.evaluate(size => { window.canvasSize = size; }, canvasSize);
  runs.push({ page, ...(await setup()), frames: [], lassos: [] });
};
// drawn as the explorer draws them: coloured by the category, the explorer's point size
await open('explorer', () => setupExplorer(N, ROWS));
const pointSize = await page.evaluate(() => window.pointSize);
await open('bare', () => setupLibrary({ lassoMinDelay: 10, colorBy: 'valueA', pointColor: palette, pointSize },
  `bare regl-scatterplot (${pointSize} px; shift-drag lassos)`));
// bare regl-scatterplot with the explorer's own options: tells the options' cost from the page's
const options = await page.evaluate(async () => (await import('/explorer.js')).SCATTER_OPTIONS);
if (OPTIONS_ROW) {
  await open('bare with the explorer\'s options', () => setupLibrary({ ...options, colorBy: 'valueA', pointColor: palette, pointSize },
    `regl-scatterplot, the explorer's options`));
}
await open('jupyter-scatter', () => (jscatter ? setupJupyterScatter() : setupLibrary({ mouseMode: 'panZoom', pointSize: 3,
  opacityBy: 'density', lassoInitiator: true, lassoMinDelay: 10, lassoOnLongPress: false,
  actionKeyMap: { lasso: 'shift', merge: 'cmd', remove: 'alt' }, colorBy: 'valueA', pointColor: palette },
'regl-scatterplot as jupyter-scatter sets it (not installed)')));
const [ex, bare] = runs;
const js = runs[runs.length - 1], opt = OPTIONS_ROW ? runs[2] : null;
ex.framesLayer = [];
const median = a => { const b = [...a].sort((p, q) => p - q); return b[Math.floor(b.length / 2)]; };
for (let round = 0; round < ROUNDS; round++) {
  console.error(`frames, round ${round + 1}/${ROUNDS}...`);
  for (const r of runs) {
    page = r.page;
    await page.bringToFront();
    r.frames.push(...await page.evaluate(f => window.frameTimes(window.target, f), FRAMES));
    // the explorer, wheel events on its lasso layer (which passes them on to the canvas), as in lasso mode
    if (r === ex) ex.framesLayer.push(...await page.evaluate(f => window.frameTimes(window.targetLayer, f), FRAMES));
  }
}
for (let round = 0; round < LASSO_ROUNDS; round++) {
  console.error(`lassos, round ${round + 1}/${LASSO_ROUNDS}...`);
  for (const r of runs) {
    page = r.page;
    await page.bringToFront();
    await page.evaluate(() => new Promise(res => setTimeout(res, 300)));
    r.lassos.push(await lassoOnce(r));
  }
}
for (const r of runs) {
  r.frame = median(r.frames);
  r.lassoMs = median(r.lassos.map(l => l.ms));
  r.selected = r.lassos[0].n;
}
page = ex.page;
await page.bringToFront();
ex.frameLayer = median(ex.framesLayer);
for (const r of runs) if (r !== ex) await r.page.close(); // the table scrolls with nothing else open
console.error('table...');
const tableWheel = await scrollTable('wheel');
const tableFling = await scrollTable('fling');
await ex.page.close();
page = null;
await freshPage();
console.error('feedback...');
await setupExplorer(NF, ROWS);
const fb = await feedback();

const f = x => x.toFixed(0);
const r2 = (a, b) => (a / b).toFixed(2);
console.log(`headless Chromium ${browser.version()} (SwiftShader WebGL), ${N.toLocaleString()} points; idle frame ${idle.toFixed(1)} ms; ` +
  `load average (1/5/15 min) at start ${loadStart}, at end ${loadAt()}:`);
for (const r of [bare, ...(opt ? [opt] : []), js, ex]) {
  r.label += ` [${r.size[0]}x${r.size[1]}]`;
  console.log(`  ${r.label.padEnd(58)} first draw ${f(r.draw).padStart(5)} ms · frame ${f(r.frame).padStart(5)} ms · lasso set ` +
    `${r.lassoMs.toFixed(0).padStart(4)} ms (${Number(r.selected).toLocaleString()} points)`);
}
console.log(`  explorer frame with wheel events on its lasso layer (passed on to the canvas): ${f(ex.frameLayer)} ms`);
console.log(`  explorer / bare regl-scatterplot: frame ${r2(ex.frame, bare.frame)}x, lasso set ${r2(ex.lassoMs, bare.lassoMs)}x`);
if (opt) console.log(`  regl-scatterplot with the explorer's options / bare: frame ${r2(opt.frame, bare.frame)}x; explorer / that: frame ${r2(ex.frame, opt.frame)}x`);
console.log(`  explorer / ${jscatter ? 'jupyter-scatter' : 'jupyter-scatter-like config'}: frame ${r2(ex.frame, js.frame)}x, ` +
  `lasso set ${r2(ex.lassoMs, js.lassoMs)}x, first draw ${r2(ex.draw, js.draw)}x`);
console.log(`  lasso feedback at ${NF.toLocaleString()} points (pointer move until painted): median ${f(fb.median)} ms, max ${f(fb.max)} ms (target < 300 ms)`);
for (const [name, t] of [['wheel, 120 px a frame', tableWheel], ['fling, top to bottom and back', tableFling]]) {
  console.log(`  table of ${ROWS.toLocaleString()} rows, ${name}: frame median ${t.median.toFixed(1)} ms, p95 ${t.p95.toFixed(1)} ms, ` +
    `max ${t.max.toFixed(1)} ms; frames over 16.7 ms: ${t.over16}/${t.frames}, over 25 ms (a refresh missed): ${t.over25}, over 33 ms: ${t.over33} ` +
    `(${t.rows} row elements; ${t.added} DOM nodes added while scrolling)`);
}
await browser.close();
