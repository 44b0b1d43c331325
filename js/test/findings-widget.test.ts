// @vitest-environment jsdom
import { describe, expect, it, vi } from 'vitest';

import widget, { parseFindings, REVEAL_EVENT } from '../widgets/findings';

/** A stand-in for anywidget's model: get/on/off over a plain object. */
class FakeModel {
  private listeners = new Map<string, Set<() => void>>();
  constructor(private state: Record<string, unknown>) {}
  get(name: string) {
    return this.state[name];
  }
  set(name: string, value: unknown) {
    this.state[name] = value;
    this.listeners.get(`change:${name}`)?.forEach(cb => cb());
  }
  on(event: string, cb: () => void) {
    if (!this.listeners.has(event)) {
      this.listeners.set(event, new Set());
    }
    this.listeners.get(event)!.add(cb);
  }
  off(event: string, cb: () => void) {
    this.listeners.get(event)?.delete(cb);
  }
  count(event: string) {
    return this.listeners.get(event)?.size ?? 0;
  }
}

const FINDING = {
  key: 'missing-activation',
  severity: 'error',
  title: 'Missing activation after dense_1',
  epochs: [-1],
  location: { file: '/tmp/ipykernel_1/1.py', line: 4, cell_id: 'abc', execution_count: 2, notebook_path: 'train.ipynb', code: 'x = Dense(64)(x)' },
  context: { layer: 'dense_1', loss: 'NaN' },
  description: 'Two linear layers collapse into one.\n\nNon-linearity is what makes depth useful.',
  heuristic: 'Two Dense layers with no activation between them.',
  fix: 'Add `activation="relu"`.',
  snippet: 'Dense(64, activation="relu")',
  links: [
    { label: 'Keras docs', url: 'https://keras.io/api/layers/' },
    { label: 'evil', url: 'javascript:alert(1)' }
  ]
};

function mount(findings: unknown[]) {
  const model = new FakeModel({ findings });
  const el = document.createElement('div');
  document.body.append(el);
  const cleanup = widget.render({ model, el });
  return { model, el, cleanup };
}

describe('findings widget', () => {
  it('renders one card per finding with severity, title, where, epochs and text', () => {
    const { el } = mount([FINDING, { key: 'overfitting', severity: 'warning', title: 'Possible overfitting', epochs: [5, 6, 7] }]);
    const cards = el.querySelectorAll('details.mlnb-fw-card');
    expect(cards).toHaveLength(2);
    const first = cards[0] as HTMLDetailsElement;
    expect(first.dataset.severity).toBe('error');
    expect(first.classList.contains('mlnb-fw-error')).toBe(true);
    expect(first.querySelector('.mlnb-fw-title')!.textContent).toBe('Missing activation after dense_1');
    expect(first.querySelector('.mlnb-fw-where')!.textContent).toBe('cell [2], line 4');
    expect(first.textContent).toContain('epochs before training');
    expect(first.querySelectorAll('.mlnb-fw-body p')).toHaveLength(4); // 2 description paragraphs + heuristic + fix
    expect([...first.querySelectorAll('h4')].map(h => h.textContent)).toEqual(['Why', 'How mlnb detects it', 'Observed', 'How to fix']);
    expect(first.querySelector('.mlnb-fw-body code')!.textContent).toBe('activation="relu"');
    expect(first.querySelector('.mlnb-fw-snippet')!.textContent).toBe('Dense(64, activation="relu")');
    expect(first.querySelector('.mlnb-fw-source')!.textContent).toBe('x = Dense(64)(x)');
    expect(first.textContent).toContain('NaN');
    expect(cards[1].textContent).toContain('epochs 5–7');
    expect(el.querySelector('.mlnb-fw-summary')!.textContent).toBe('1 error · 1 warning');
  });

  it('only links http(s) URLs, opening in a new tab', () => {
    const { el } = mount([FINDING]);
    const links = [...el.querySelectorAll('a')];
    expect(links.map(a => a.getAttribute('href'))).toEqual(['https://keras.io/api/layers/']);
    expect(links[0].target).toBe('_blank');
    expect(links[0].rel).toContain('noopener');
  });

  it('never injects HTML from finding text', () => {
    const { el } = mount([{ ...FINDING, title: '<img src=x onerror=alert(1)>', description: '<b>bold</b>' }]);
    expect(el.querySelector('img')).toBeNull();
    expect(el.querySelector('b')).toBeNull();
    expect(el.querySelector('.mlnb-fw-title')!.textContent).toBe('<img src=x onerror=alert(1)>');
  });

  it('clicking the location dispatches a bubbling mlnb:reveal event with the location', () => {
    const { el } = mount([FINDING]);
    const seen = vi.fn();
    document.addEventListener(REVEAL_EVENT, e => seen((e as CustomEvent).detail));
    (el.querySelector('.mlnb-fw-where') as HTMLButtonElement).click();
    expect(seen).toHaveBeenCalledWith(expect.objectContaining({ cell_id: 'abc', line: 4, notebook_path: 'train.ipynb' }));
  });

  it('re-renders on change:findings and unsubscribes on cleanup', () => {
    const { model, el, cleanup } = mount([]);
    expect(el.querySelector('.mlnb-fw-empty')!.textContent).toBe('No problems found.');
    model.set('findings', [FINDING]);
    expect(el.querySelectorAll('.mlnb-fw-card')).toHaveLength(1);
    expect(model.count('change:findings')).toBe(1);
    cleanup();
    expect(model.count('change:findings')).toBe(0);
  });

  it('tolerates malformed entries', () => {
    expect(parseFindings('nope')).toEqual([]);
    const [f] = parseFindings([{ severity: 'fatal', epochs: ['x', 2] }, 3]);
    expect(f).toMatchObject({ severity: 'warning', title: '(untitled finding)', epochs: [2], location: null });
  });
});
