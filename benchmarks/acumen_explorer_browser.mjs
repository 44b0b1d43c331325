// ACUMEN explorer in headless Chromium (WebGL through SwiftShader here): numbers from one run, not a timed test.
//   node benchmarks/acumen_explorer_browser.mjs [--points 1000000] [--feedback-points 100000] [--rows 1000000]
// Needs the built bundle (node js/build-widgets.mjs) and Debian's Chromium (CHROMIUM=/usr/bin/chromium).
//
// Same page, same points (gaussian blobs), three scatters one after another:
//   explorer  the ACUMEN explorer view (python/mlnb/static/acumen_explorer.js) over a fake widget model;
//   bare      regl-scatterplot alone, as its README sets it up;
//   jscatter  regl-scatterplot configured as jupyter-scatter configures it (density opacity, lasso initiator):
//             jupyter-scatter itself is not installed here and everything must run offline.
// Measured: first draw (render until the points are on screen), frame time (wheel-zoom frames), lasso
// selection time at --points (mouse up until the set is known in the front end: the library's own lasso for
// bare/jscatter, the explorer's grid index), lasso feedback at --feedback-points (pointer move until the lasso
// is painted), and the explorer's table scrolled through --rows rows (frame times while scrolling; the fake
// kernel answers each page after 5 ms).
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromium } from 'playwright';

const here = dirname(fileURLToPath(import.meta.url));
const arg = (name, dflt) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? Number(process.argv[i + 1]) : dflt; };
const N = arg('points', 1_000_000), NF = arg('feedback-points', 100_000), ROWS = arg('rows', 1_000_000);
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
async function freshPage() {
  if (page) await page.close();
  page = await browser.newPage({ viewport: { width: 1300, height: 900 } });
  page.on('pageerror', e => console.error('page error:', e.message));
  await page.route('http://bench.local/**', route => {
    const url = route.request().url();
    if (url.endsWith('/explorer.js')) return route.fulfill({ contentType: 'text/javascript', body: bundle });
    if (url.endsWith('/regl.js')) return route.fulfill({ contentType: 'text/javascript', body: regl });
    return route.fulfill({ contentType: 'text/html', body: `<html><head><style>${css}
      body { margin: 0 } #box { width: 1200px; height: 560px; position: relative } #box canvas { width: 100%; height: 100% }
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
      times.sort((a, b) => a - b);
      return times[Math.floor(times.length / 2)];
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
    for (let k = 1; k <= 6; k++) {
      const t = k / 6;
      await page.mouse.move(pts[i - 1][0] + (pts[i][0] - pts[i - 1][0]) * t, pts[i - 1][1] + (pts[i][1] - pts[i - 1][1]) * t);
    }
  }
  await page.mouse.up();
  if (modifier) await page.keyboard.up(modifier);
}
const LASSO = [[0.3, 0.2], [0.62, 0.15], [0.7, 0.5], [0.55, 0.85], [0.3, 0.75], [0.42, 0.5]];

// ---------------------------------------------------------------------------------------- bare / jscatter-like
async function library(config, label) {
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
    const frame = await window.frameTimes(canvas, 12);
    sp.zoomToArea({ x: -1.05, y: -1.05, width: 2.1, height: 2.1 }, { transition: false });
    await window.frame(); await window.frame();
    window.lassoT = { up: 0, select: 0, n: 0 };
    window.addEventListener('mouseup', () => { window.lassoT.up = performance.now(); }, { capture: true });
    // the lasso's own selection; a click event that follows a closed drag may then select the one point under it
    sp.subscribe('select', ({ points }) => {
      if (!window.lassoT.up || window.lassoT.select) return;
      window.lassoT.select = performance.now(); window.lassoT.n = points.length;
    });
    return { draw, frame };
  }, { n: N, config });
  await drag(page.locator('#box canvas'), LASSO, config.mouseMode === 'lasso' ? undefined : 'Shift');
  const lasso = await page.evaluate(() => ({ ms: window.lassoT.select - window.lassoT.up, n: window.lassoT.n }));
  await page.evaluate(() => { window.sp.destroy(); document.getElementById('box').replaceChildren(); });
  return { label, ...out, lassoMs: lasso.ms, selected: lasso.n };
}

// ---------------------------------------------------------------------------------------- the explorer
async function explorer(n, rows) {
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
    return { draw: performance.now() - t0 };
  }, { n, rows });
  const layer = page.locator('[data-testid="acumen-lasso-layer"]');
  // frames dispatched on the WebGL canvas itself, as for bare regl-scatterplot (and through the lasso layer, which
  // passes wheel zoom on to it)
  const frame = await page.evaluate(() => window.frameTimes(document.querySelector('[data-testid="acumen-scatter"] canvas'), 12));
  const frameLayer = await page.evaluate(() => window.frameTimes(document.querySelector('[data-testid="acumen-lasso-layer"]'), 12));
  await page.evaluate(() => new Promise(r => setTimeout(r, 700)));
  await drag(layer, LASSO);
  await page.waitForFunction(() => document.querySelector('[data-testid="acumen-scatter"]').dataset.lassoMs);
  const lasso = await page.evaluate(() => Number(document.querySelector('[data-testid="acumen-scatter"]').dataset.lassoMs));
  const selected = await page.evaluate(() => document.querySelector('[data-testid="acumen-scatter"]').dataset.lassoN || '');
  return { label: 'explorer', ...out, frame, frameLayer, lassoMs: lasso, selected };
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
  return page.evaluate(async mode => {
    const sc = document.querySelector('[data-testid="acumen-table"]');
    sc.scrollIntoView();
    sc.scrollTop = 0;
    await window.frame(); await window.frame();
    const times = [];
    let last = await window.frame();
    const frames = 240;
    for (let f = 0; f < frames; f++) {
      // 'wheel': 120 px a frame, as a mouse wheel scrolls; 'fling': top to bottom in 200 frames, then back up
      if (mode === 'wheel') sc.scrollTop += 120;
      else sc.scrollTop = f < 200 ? (f * sc.scrollHeight) / 200 : sc.scrollTop - sc.scrollHeight / 40;
      const now = await window.frame();
      times.push(now - last);
      last = now;
    }
    const rows = document.querySelectorAll('.mlnb-ax-tr').length;
    times.sort((a, b) => a - b);
    return { median: times[frames / 2], p95: times[Math.floor(frames * 0.95)], max: times[frames - 1],
      over33: times.filter(t => t > 33.4).length, frames, rows };
  }, mode);
}

await freshPage();
const idle = await page.evaluate(async () => { // rAF interval with nothing to draw: this machine's floor
  const t = []; let last = await window.frame();
  for (let i = 0; i < 30; i++) { const now = await window.frame(); t.push(now - last); last = now; }
  return t.sort((a, b) => a - b)[15];
});
await explorer(1000, 1000); // only to learn the explorer canvas's size, which the bare scatters then get
const canvasSize = await page.evaluate(() => window.canvasSize);
console.error('bare...');
await freshPage();
await page.evaluate(size => { window.canvasSize = size; }, canvasSize);
const bare = await library({ lassoMinDelay: 10 }, 'bare regl-scatterplot (defaults; shift-drag lassos)');
console.error('jscatter-like...');
await freshPage();
await page.evaluate(size => { window.canvasSize = size; }, canvasSize);
const js = await library({ mouseMode: 'panZoom', pointSize: 3, opacityBy: 'density', lassoInitiator: true,
  lassoMinDelay: 10, lassoOnLongPress: false, actionKeyMap: { lasso: 'shift', merge: 'cmd', remove: 'alt' } },
'regl-scatterplot as jupyter-scatter sets it');
console.error('explorer...');
await freshPage();
const ex = await explorer(N, ROWS);
console.error('table...');
const tableWheel = await scrollTable('wheel');
const tableFling = await scrollTable('fling');
await freshPage();
console.error('feedback...');
await explorer(NF, ROWS);
const fb = await feedback();

const f = x => x.toFixed(0);
console.log(`headless Chromium ${browser.version()} (SwiftShader WebGL), ${N.toLocaleString()} points; idle frame ${idle.toFixed(1)} ms:`);
for (const r of [bare, js, ex]) {
  console.log(`  ${r.label.padEnd(44)} first draw ${f(r.draw).padStart(5)} ms · frame ${f(r.frame).padStart(5)} ms · lasso set ` +
    `${r.lassoMs.toFixed(0).padStart(4)} ms (${Number(r.selected).toLocaleString()} points)`);
}
console.log(`  explorer frame with wheel events on its lasso layer (passed on to the canvas): ${f(ex.frameLayer)} ms`);
console.log(`  explorer / bare: frame ${(ex.frame / bare.frame).toFixed(2)}x, lasso ${(ex.lassoMs / bare.lassoMs).toFixed(2)}x; ` +
  `explorer / jupyter-scatter-like: frame ${(ex.frame / js.frame).toFixed(2)}x, lasso ${(ex.lassoMs / js.lassoMs).toFixed(2)}x`);
console.log(`  lasso feedback at ${NF.toLocaleString()} points (pointer move until painted): median ${f(fb.median)} ms, max ${f(fb.max)} ms (target < 300 ms)`);
for (const [name, t] of [['wheel, 120 px a frame', tableWheel], ['fling, top to bottom in 200 frames and back', tableFling]]) {
  console.log(`  table of ${ROWS.toLocaleString()} rows, ${name}: frame median ${t.median.toFixed(1)} ms, p95 ${t.p95.toFixed(1)} ms, ` +
    `max ${t.max.toFixed(1)} ms; frames over 33 ms: ${t.over33}/${t.frames} (${t.rows} row elements live)`);
}
await browser.close();
