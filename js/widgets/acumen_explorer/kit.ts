/**
 * The widget-kit calls this view uses, adapted in one place: typed loosely for this view's many traits,
 * `decodeArray` that yields an empty array for a missing trait, and a busy indicator (spinner) next to the
 * kit's progress/error line, shown while the current layout is not final (participant P3's request).
 */
import type { AnyModel } from '@anywidget/types';
import { bind as kitBind, decodeArray as kitDecode, h, mountStatus, request } from '../_kit';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Model = AnyModel<any>;
export { h, request };

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function bind(model: Model, names: string[], fn: (values: Record<string, any>) => void): () => void {
  return kitBind(model, names, fn);
}

export function decodeArray(value: unknown): { data: ArrayLike<number>; shape: number[] } {
  const out = kitDecode(value);
  return out ? { data: out.data as ArrayLike<number>, shape: out.shape } : { data: new Float32Array(0), shape: [0] };
}

/** The kit's progress and error line, plus a spinner while the layout computes (the view stays usable). */
export function mountBusy(model: Model, el: HTMLElement): () => void {
  const off = mountStatus(model, el);
  const busy = h('div', { class: 'mlnb-ax-status', role: 'status', 'aria-live': 'polite' },
    h('span', { class: 'mlnb-ax-spinner', 'aria-hidden': 'true' }),
    h('span', { class: 'mlnb-ax-busy', 'data-testid': 'acumen-busy' }, 'computing layout…'));
  el.append(busy);
  const unbind = kitBind(model, ['busy'] as never[], ({ busy: b }: any) => { busy.classList.toggle('active', Boolean(b)); });
  return () => { unbind(); off(); busy.remove(); };
}
