// @vitest-environment jsdom
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/** anywidget's model over a plain state (binary buffers arrive as DataViews). */
class FakeModel {
  private listeners = new Map<string, Set<() => void>>();
  sent: unknown[] = [];
  constructor(private state: Record<string, any>) {}
  get(name: string) { return this.state[name]; }
  set(name: string, value: unknown) { this.state[name] = value; this.listeners.get(`change:${name}`)?.forEach(cb => cb()); }
  save_changes() {}
  send(content: unknown) { this.sent.push(content); }
  on(event: string, cb: () => void) { if (!this.listeners.has(event)) { this.listeners.set(event, new Set()); } this.listeners.get(event)!.add(cb); }
  off(event: string, cb: () => void) { this.listeners.get(event)?.delete(cb); }
}

function fixture(name: string): Record<string, any> {
  const raw = JSON.parse(readFileSync(join(__dirname, 'fixtures', 'umlaut_dashboard', `${name}.json`), 'utf8'));
  for (const [k, v] of Object.entries(raw)) {
    if (v && typeof v === 'object' && 'buffer' in (v as any)) {
      const bytes = Buffer.from((v as any).buffer, 'base64');
      (raw as any)[k] = { ...(v as any), buffer: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength) };
    }
  }
  return raw;
}

describe('umlaut dashboard view', () => {
  it('renders cards, header and charts from the Python state', async () => {
    (globalThis as any).matchMedia ??= () => ({ matches: false, addEventListener() {}, removeEventListener() {} });
    // jsdom has no canvas: a 2-D context that draws nothing
    const noop = new Proxy({}, { get: (_t, k) => (k === 'measureText' ? () => ({ width: 10 }) : () => undefined), set: () => true });
    HTMLCanvasElement.prototype.getContext = (() => noop) as any;
    (globalThis as any).Path2D ??= class { constructor() { return new Proxy(this, { get: () => () => undefined }); } };
    const { render } = (await import('../widgets/umlaut_dashboard/index')).default;
    const el = document.createElement('div');
    document.body.append(el);
    const model = new FakeModel(fixture('basic'));
    const cleanup = render({ model: model as any, el });
    expect(el.querySelector('.mlnb-ud-name')?.textContent).toBe('UMLAUT · demo <b>'); // text, not HTML
    expect(el.querySelectorAll('.mlnb-ud-card').length).toBe(2);
    const card = el.querySelector('.mlnb-ud-card[data-key="missing-activation"]') as HTMLDetailsElement;
    (card.querySelector('summary') as HTMLElement).click();
    await new Promise(r => setTimeout(r, 5));
    expect(card.querySelector('.mlnb-ud-diff .mlnb-ud-add')?.textContent).toBe(', activation="relu"');
    card.querySelector<HTMLElement>('.mlnb-ud-dismiss')!.click();
    expect(model.sent).toEqual([{ type: 'dismiss', key: 'missing-activation', subject: 'dense', dismissed: true }]);
    cleanup();
  });
});
