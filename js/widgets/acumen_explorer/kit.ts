/**
 * The widget-kit calls this view uses (bind, h, request, decodeArray, mountStatus). Until the kit
 * (js/widgets/_kit) is on this branch these are local stand-ins with the kit's contract; afterwards this
 * file re-exports the kit's.
 */
import type { AnyModel } from '@anywidget/types';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Model = AnyModel<any>;

/** Run `fn` with the listed traits now and whenever one changes; returns the cleanup. */
export function bind<K extends string>(model: Model, names: K[], fn: (values: Record<K, any>) => void): () => void {
  const run = () => {
    const values = {} as Record<K, any>;
    for (const n of names) values[n] = model.get(n);
    fn(values);
  };
  run();
  for (const n of names) model.on(`change:${n}`, run);
  return () => { for (const n of names) model.off(`change:${n}`, run); };
}

type Child = Node | string | null | undefined | false;
/** Create an element: strings become text nodes (never HTML), `on*` attributes become listeners. */
export function h(tag: string, attrs: Record<string, any> = {}, ...children: Child[]): HTMLElement {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2).toLowerCase(), v);
    else if (k === 'class') el.className = String(v);
    else if (k === 'style' && typeof v === 'object') Object.assign(el.style, v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) if (c !== null && c !== undefined && c !== false) el.append(typeof c === 'string' ? document.createTextNode(c) : c);
  return el;
}

let nextId = 0;
const pending = new Map<string, { resolve: (v: any) => void; reject: (e: Error) => void }>();
const listening = new WeakSet<object>();

/** Call a `@command` method of the Python widget; resolves with `{value, buffers}`. */
export function request(model: Model, name: string, kwargs: Record<string, unknown> = {}): Promise<{ value: any; buffers: DataView[] }> {
  if (!listening.has(model)) {
    listening.add(model);
    model.on('msg:custom', (msg: any, buffers: DataView[]) => {
      if (!msg || msg.type !== 'mlnb-response') return;
      const p = pending.get(msg.id);
      if (!p) return;
      pending.delete(msg.id);
      if (msg.error !== undefined) p.reject(new Error(msg.error));
      else p.resolve({ value: msg.value, buffers: buffers || [] });
    });
  }
  const id = `r${++nextId}`;
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve, reject });
    model.send({ type: 'mlnb-request', id, name, kwargs });
  });
}

const CTORS: Record<string, any> = {
  float32: Float32Array, float64: Float64Array, int32: Int32Array, uint32: Uint32Array, int64: BigInt64Array,
  uint8: Uint8Array, int8: Int8Array, int16: Int16Array, uint16: Uint16Array, bool: Uint8Array
};

/** `{dtype, shape, buffer}` from Python into a typed array (no copy when aligned). */
export function decodeArray(value: any): { data: ArrayLike<number>; shape: number[] } {
  if (!value || !value.buffer) return { data: new Float32Array(0), shape: [0] };
  const Ctor = CTORS[value.dtype];
  if (!Ctor) throw new Error(`unsupported dtype ${value.dtype}`);
  const b = value.buffer as DataView | ArrayBuffer;
  const view = b instanceof ArrayBuffer ? new DataView(b) : b;
  const bytes = view.byteLength;
  let data: any;
  if (view.byteOffset % Ctor.BYTES_PER_ELEMENT === 0) data = new Ctor(view.buffer, view.byteOffset, bytes / Ctor.BYTES_PER_ELEMENT);
  else data = new Ctor(view.buffer.slice(view.byteOffset, view.byteOffset + bytes));
  return { data, shape: value.shape };
}

/** Progress (stage/done/total) and error of the `progress` and `error` traits. */
export function mountStatus(model: Model, el: HTMLElement): () => void {
  const bar = h('div', { class: 'mlnb-ax-status', role: 'status', 'aria-live': 'polite' });
  el.append(bar);
  const off = bind(model, ['progress', 'error', 'busy'], ({ progress, error, busy }) => {
    bar.replaceChildren();
    if (error) bar.append(h('span', { class: 'mlnb-ax-error' }, String(error)));
    if (busy) {
      const p = progress || {};
      const frac = p.total ? Math.min(1, p.done / p.total) : 0;
      const label = p.stage ? `computing layout: ${p.stage} ${p.total ? Math.round(frac * 100) + '%' : ''}` : 'computing layout…';
      bar.append(h('span', { class: 'mlnb-ax-spinner', 'aria-hidden': 'true' }),
        h('span', { class: 'mlnb-ax-busy', 'data-testid': 'acumen-busy' }, label),
        h('progress', { max: '1', value: String(frac) }));
    }
    bar.classList.toggle('active', Boolean(error || busy));
  });
  return () => { off(); bar.remove(); };
}
