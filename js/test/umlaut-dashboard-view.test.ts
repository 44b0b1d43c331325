// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';

import { fakeModel } from '../widgets/_kit/testing';
import { loadFixture } from './fixtures';

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
    const model = fakeModel(loadFixture('umlaut_dashboard', 'basic'));
    model.commands.dismiss = (args: unknown) => args;
    const cleanup = render({ model: model as any, el });
    expect(el.querySelector('.mlnb-ud-name')?.textContent).toBe('UMLAUT · demo <b>'); // text, not HTML
    expect(el.querySelectorAll('.mlnb-ud-card').length).toBe(2);
    const card = el.querySelector('.mlnb-ud-card[data-key="missing-activation"]') as HTMLDetailsElement;
    (card.querySelector('summary') as HTMLElement).click();
    await new Promise(r => setTimeout(r, 5));
    expect(card.querySelector('.mlnb-card-diff .mlnb-card-add')?.textContent).toBe(', activation="relu"');
    card.querySelector<HTMLElement>('.mlnb-card-dismiss')!.click();
    const sent = model.sent.map(m => m.content as any).find(c => c.kind === 'anywidget-command');
    expect(sent.name).toBe('dismiss');
    expect(sent.msg).toEqual({ key: 'missing-activation', subject: 'dense', dismissed: true });
    expect(card.classList.contains('mlnb-card-dismissed')).toBe(true);
    cleanup();
  });
});
