// @vitest-environment jsdom
import { describe, expect, it, vi } from 'vitest';

import { REVEAL_EVENT } from '../common/events';
import widget from '../widgets/findings';
import { parseFindings } from '../widgets/findings/cards';
import { fakeModel } from '../widgets/_kit/testing';
import { loadFixture } from './fixtures';

// States written by pytest (tests/widgets/test_findings_widget.py): the real contract.
function mount(fixture: string) {
  const model = fakeModel(loadFixture('findings', fixture));
  const el = document.createElement('div');
  document.body.append(el);
  const cleanup = widget.render({ model, el });
  return { model, el, cleanup };
}

const cards = (el: HTMLElement) => [...el.querySelectorAll<HTMLDetailsElement>('details.mlnb-card')];

describe('findings widget', () => {
  it('renders collapsed one-line cards in severity order, with where and epochs', () => {
    const { el } = mount('two');
    const [first, second] = cards(el);
    expect(cards(el)).toHaveLength(2);
    expect(first.open).toBe(false);
    expect(first.dataset.severity).toBe('error');
    expect(first.querySelector('.mlnb-card-title')!.textContent).toBe('Missing activation after dense_1');
    expect(first.querySelector('.mlnb-card-where')!.textContent).toBe('cell [2], line 4');
    expect(first.querySelector('summary')!.textContent).toContain('before training; epoch 3');
    expect(first.querySelector('.mlnb-card-body')).toBeNull(); // built when opened
    expect(second.querySelector('summary')!.textContent).toContain('epochs 5–7');
    expect([...el.querySelectorAll('.mlnb-chip')].map(c => c.textContent)).toEqual(['1 error', '1 warning']);
  });

  it('expands a card to why, detection, observed values, fix and safe links', () => {
    const { el } = mount('explained');
    const nan = cards(el)[0];
    expect(nan.dataset.key).toBe('nan-loss');
    nan.open = true;
    nan.dispatchEvent(new Event('toggle'));
    const headings = [...nan.querySelectorAll('h4')].map(h => h.textContent);
    expect(headings).toEqual(['Why it matters', 'How mlnb detects it', 'Observed', 'How to fix']);
    expect(nan.querySelector('.mlnb-card-context')!.textContent).toContain('NaN');
    expect(nan.querySelector('.mlnb-card-snippet')!.textContent).toBeTruthy();
    const links = [...nan.querySelectorAll('a')];
    expect(links.length).toBeGreaterThan(0);
    expect(links.every(a => /^https:\/\//.test(a.getAttribute('href')!) && a.rel.includes('noopener'))).toBe(true);
  });

  it('filters by severity', () => {
    const { el } = mount('two');
    const [errorChip] = el.querySelectorAll<HTMLButtonElement>('.mlnb-chip');
    errorChip.click();
    expect(cards(el).map(c => c.hidden)).toEqual([true, false]);
    expect(el.querySelector('.mlnb-chip')!.getAttribute('aria-pressed')).toBe('false');
    (el.querySelector('.mlnb-chip') as HTMLButtonElement).click();
    expect(cards(el).map(c => c.hidden)).toEqual([false, false]);
  });

  it('shows user strings as text: no element, script or javascript: link comes from a payload', () => {
    const { el } = mount('injection');
    const card = cards(el)[0];
    card.open = true;
    card.dispatchEvent(new Event('toggle'));
    expect(el.querySelector('script, img, iframe')).toBeNull();
    expect(el.querySelector('a')).toBeNull(); // the only link was javascript:
    expect(card.querySelector('.mlnb-card-title')!.textContent).toContain('</script><script>');
    expect(card.querySelector('.mlnb-card-source')!.textContent).toContain('<img src=x onerror=alert(1)>');
  });

  it('"go to code" dispatches a bubbling reveal event with the location, without toggling', () => {
    const { el } = mount('two');
    const seen = vi.fn();
    document.addEventListener(REVEAL_EVENT, e => seen((e as CustomEvent).detail));
    (el.querySelector('.mlnb-card-where') as HTMLButtonElement).click();
    expect(seen).toHaveBeenCalledWith(expect.objectContaining({ cell_id: 'abc-123', line: 4, notebook_path: 'train.ipynb' }));
    expect(cards(el)[0].open).toBe(false);
  });

  it('updates in place: unchanged cards are kept (and stay open), changed ones replaced', async () => {
    const { model, el, cleanup } = mount('empty');
    expect(el.querySelector('.mlnb-findings-empty')!.hasAttribute('hidden')).toBe(false);
    const two = loadFixture<{ findings: unknown[] }>('findings', 'two').findings;
    model.set('findings', two);
    await model.flush();
    const [first, second] = cards(el);
    first.open = true;
    model.set('findings', [two[0], { ...(two[1] as object), epochs: [5, 6, 7, 8] }]);
    await model.flush();
    const after = cards(el);
    expect(after[0]).toBe(first);
    expect(after[0].open).toBe(true);
    expect(after[1]).not.toBe(second);
    expect(after[1].textContent).toContain('epochs 5–8');
    cleanup();
    model.set('findings', []);
    await model.flush();
    expect(cards(el)).toHaveLength(2); // unbound after cleanup
  });

  it('renders 200 findings and the kernel progress line', () => {
    const { el } = mount('many');
    expect(cards(el)).toHaveLength(200);
    expect(el.querySelector('[role=progressbar]')!.textContent).toBe('Epoch 3/10 (30%)');
  });

  it('tolerates malformed entries', () => {
    expect(parseFindings('nope')).toEqual([]);
    const [f] = parseFindings([{ severity: 'fatal', epochs: ['x', 2] }, 3]);
    expect(f).toMatchObject({ severity: 'warning', title: '(untitled finding)', epochs: [2], location: null });
  });
});
