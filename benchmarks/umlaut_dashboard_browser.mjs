// Headless Chromium timing of the UMLAUT dashboard bundle (called by benchmarks/umlaut_dashboard.py):
//   node benchmarks/umlaut_dashboard_browser.mjs STATE.json python/mlnb/static/umlaut_dashboard.js
// Opens the dashboard from a widget state written by Python (open time: render until the next
// frame), then pushes one more epoch of metrics and a changed finding list (update time).
import { readFileSync } from 'node:fs';
import { chromium } from 'playwright';

const [statePath, bundlePath] = process.argv.slice(2);
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
const result = await page.evaluate(async () => {
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
  for (let rep = 0; rep < 20; rep++) {
    const c = cols + rep + 1;
    const next = new Float64Array(rows * c);
    for (let r = 0; r < rows; r++) {
      for (let j = 0; j < c; j++) next[r * c + j] = old[r * cols + Math.min(j, cols - 1)] * (1 + 0.001 * j);
    }
    const findings = state.findings.map((f, i) => (i === rep ? { ...f, epochs: [...f.epochs, c - 1] } : f));
    await frame();
    const t1 = performance.now();
    model.set('metrics', { dtype: 'float64', shape: [rows, c], buffer: new DataView(next.buffer) });
    const t2 = performance.now();
    model.set('epochs', c);
    model.set('findings', findings);
    const t3 = performance.now();
    await frame();
    updates.push(performance.now() - t1);
    (window.parts ??= []).push([t2 - t1, t3 - t2, performance.now() - t3]);
  }
  updates.sort((a, b) => a - b);
  return {
    open,
    median: updates[Math.floor(updates.length / 2)],
    max: updates[updates.length - 1],
    cards: document.querySelectorAll('.mlnb-ud-card').length,
    marks: Number(document.querySelector('.mlnb-ud-timeline').dataset.marks),
    parts: window.parts.slice(0, 3)
  };
});
if (process.env.MLNB_BENCH_PARTS) console.log(JSON.stringify(result.parts));
console.log(
  `browser (headless Chromium): opened ${result.cards} cards, ${result.marks} timeline marks, 500 epochs in ` +
    `${result.open.toFixed(0)} ms (target < 1000 ms, until the next frame); one epoch update: median ` +
    `${result.median.toFixed(1)} ms, max ${result.max.toFixed(1)} ms over 20 (target < 16 ms, until the next frame)`
);
await browser.close();
