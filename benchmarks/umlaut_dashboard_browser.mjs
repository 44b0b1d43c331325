// Headless Chromium timing of the UMLAUT dashboard bundle (called by benchmarks/umlaut_dashboard.py):
//   node benchmarks/umlaut_dashboard_browser.mjs STATE.json python/mlnb/static/umlaut_dashboard.js
// Opens the dashboard from a widget state written by Python (open time: render until the next
// frame), then pushes one more epoch of metrics and a changed finding list (update time).
import { readFileSync } from 'node:fs';
import { chromium } from 'playwright';

const [statePath, bundlePath, mode] = process.argv.slice(2);
// mode "full": send the whole card list on each update (a bundle from before findings_delta)
const FULL = mode === 'full';
const state = readFileSync(statePath, 'utf8');
const bundle = readFileSync(bundlePath, 'utf8');
const css = readFileSync(bundlePath.replace(/\.js$/, '.css'), 'utf8');

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage']
});
const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
await page.route('http://bench.local/**', route => {
  const url = route.request().url();
  if (url.endsWith('/dashboard.js')) {
    return route.fulfill({ contentType: 'text/javascript', body: bundle });
  }
  if (url.endsWith('/state.json')) {
    return route.fulfill({ contentType: 'application/json', body: state });
  }
  return route.fulfill({ contentType: 'text/html', body: `<html><head><style>${css}</style></head><body><div id="el" style="width:1200px"></div></body></html>` });
});
await page.goto('http://bench.local/');
// MLNB_BENCH_PROFILE=1: print where the update's time goes (self time per function, CDP profiler)
const cdp = process.env.MLNB_BENCH_PROFILE ? await page.context().newCDPSession(page) : null;
if (cdp) {
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 100 });
}
await page.exposeFunction('__profile', async on => {
  if (!cdp) return;
  if (on) return void (await cdp.send('Profiler.start'));
  const { profile } = await cdp.send('Profiler.stop');
  const self = new Map();
  const dt = new Map();
  profile.samples.forEach((id, i) => dt.set(id, (dt.get(id) || 0) + (profile.timeDeltas[i] || 0)));
  for (const n of profile.nodes) {
    const k = `${n.callFrame.functionName || '(anon)'}:${n.callFrame.lineNumber}`;
    self.set(k, (self.get(k) || 0) + (dt.get(n.id) || 0) / 1000);
  }
  console.log([...self].sort((a, b) => b[1] - a[1]).slice(0, 25).map(([k, v]) => `${v.toFixed(1)} ms ${k}`).join('\n'));
});
const REPS = 40; // live epoch updates timed
const result = await page.evaluate(async ([REPS, FULL]) => {
  const revive = v => {
    if (Array.isArray(v)) return v.map(revive);
    if (v && typeof v === 'object') {
      if (typeof v.$base64 === 'string') {
        const bin = atob(v.$base64);
        const bytes = new Uint8Array(bin.length);
        for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
        return new DataView(bytes.buffer);
      }
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, revive(x)]));
    }
    return v;
  };
  const state = revive(await (await fetch('/state.json')).json());
  const handlers = new Map();
  const model = {
    get: k => state[k],
    set: (k, v) => { state[k] = v; (handlers.get(`change:${k}`) || []).forEach(h => h()); },
    on: (e, h) => { if (!handlers.has(e)) handlers.set(e, []); handlers.get(e).push(h); },
    off: () => {},
    save_changes: () => {},
    send: () => {}
  };
  const frame = () => new Promise(r => requestAnimationFrame(() => r()));
  const mod = await import('/dashboard.js');
  await frame();
  const t0 = performance.now();
  mod.default.render({ model, el: document.getElementById('el') });
  await frame();
  const open = performance.now() - t0;
  // one epoch more: metrics grow by a column, one finding changes
  const m = state.metrics;
  const [rows, cols] = m.shape;
  const old = new Float64Array(m.buffer.buffer.slice(m.buffer.byteOffset, m.buffer.byteOffset + m.buffer.byteLength));
  const updates = [];
  const work = [];
  await window.__profile(true);
  for (let rep = 0; rep < REPS; rep++) {
    const c = cols + rep + 1;
    const next = new Float64Array(rows * c);
    for (let r = 0; r < rows; r++) {
      for (let j = 0; j < c; j++) next[r * c + j] = old[r * cols + Math.min(j, cols - 1)] * (1 + 0.001 * j);
    }
    // what the widget sends for one epoch: the metrics array and the changed card (findings_delta)
    const changed = { ...state.findings[rep], epochs: [...state.findings[rep].epochs, c - 1] };
    await frame();
    // Main-thread work of the update: the trait handlers, then the dashboard's frame callback with
    // the style and layout it causes. A callback queued before the change runs first in that frame
    // (frameStart); one queued after runs after the dashboard's and forces layout (frameEnd).
    let frameStart = 0;
    requestAnimationFrame(() => (frameStart = performance.now()));
    const t1 = performance.now();
    model.set('metrics', { dtype: 'float64', shape: [rows, c], buffer: new DataView(next.buffer) });
    const t2 = performance.now();
    model.set('epochs', c);
    if (FULL) {
      model.set('findings', state.findings.map(f => (f.id === changed.id ? changed : f)));
    } else {
      model.set('findings_delta', [...(state.findings_delta || []).filter(f => f.id !== changed.id), changed]);
    }
    const t3 = performance.now();
    const frameEnd = await new Promise(r => requestAnimationFrame(() => {
      document.getElementById('el').getBoundingClientRect();
      void document.body.offsetHeight;
      r(performance.now());
    }));
    work.push(t3 - t1 + (frameEnd - frameStart));
    updates.push(frameEnd - t1);
    (window.parts ??= []).push([t2 - t1, t3 - t2, frameEnd - frameStart]);
  }
  await window.__profile(false);
  updates.sort((a, b) => a - b);
  work.sort((a, b) => a - b);
  return {
    open,
    median: updates[Math.floor(updates.length / 2)],
    max: updates[updates.length - 1],
    workMedian: work[Math.floor(work.length / 2)],
    workMax: work[work.length - 1],
    cards: document.querySelectorAll('.mlnb-ud-card').length,
    marks: Number(document.querySelector('.mlnb-ud-timeline').dataset.marks),
    parts: window.parts.slice(0, 3)
  };
}, [REPS, FULL]);
if (process.env.MLNB_BENCH_PARTS) console.log(JSON.stringify(result.parts));
console.log(
  `browser (headless Chromium${FULL ? ', whole card list per update' : ''}, ${bundlePath.split('/').slice(-4).join('/')}): opened ${result.cards} cards, ${result.marks} timeline marks, 500 epochs in ` +
    `${result.open.toFixed(0)} ms (target < 1000 ms, until the next frame); one epoch update (metrics + a changed ` +
    `card): main-thread work median ${result.workMedian.toFixed(1)} ms, max ${result.workMax.toFixed(1)} ms over ${REPS} ` +
    `(target < 16 ms: handlers + the frame's render, style and layout); until the frame after it: median ` +
    `${result.median.toFixed(1)} ms, max ${result.max.toFixed(1)} ms`
);
await browser.close();
