// @vitest-environment jsdom
import { describe, expect, it, vi } from 'vitest';

import { isObject, reviveNumbers } from '../common/json';
import { bind, decodeArray, encodeArray, h, mountStatus, progressText, request, safeUrl } from '../widgets/_kit';
import { fakeModel } from '../widgets/_kit/testing';

describe('codecs', () => {
  it('round-trips float32, int32 and uint8 arrays, NaN included, zero-copy', () => {
    const f = new Float32Array([1.5, NaN, -Infinity, 3]);
    const back = decodeArray(encodeArray(f, [2, 2]))!;
    expect(back.dtype).toBe('float32');
    expect(back.shape).toEqual([2, 2]);
    expect(Array.from(back.data)).toEqual([1.5, NaN, -Infinity, 3]);
    expect(back.data.buffer).toBe(f.buffer); // a view, not a copy
    const i = new Int32Array([-2, 0, 2147483647]);
    expect(Array.from(decodeArray(encodeArray(i))!.data)).toEqual([-2, 0, 2147483647]);
    const u = new Uint8Array([0, 255, 7]);
    const wire = encodeArray(u);
    expect(wire.dtype).toBe('uint8');
    expect(Array.from(decodeArray(wire)!.data)).toEqual([0, 255, 7]);
  });

  it('copies a misaligned buffer instead of failing', () => {
    const bytes = new Uint8Array(9);
    new DataView(bytes.buffer).setFloat32(1, 2.5, true);
    const arr = decodeArray({ dtype: 'float32', shape: [1], buffer: new DataView(bytes.buffer, 1, 4) })!;
    expect(arr.data[0]).toBe(2.5);
  });

  it('names what is wrong with a bad array', () => {
    expect(decodeArray(null)).toBeNull();
    expect(() => decodeArray({ dtype: 'int64', shape: [1], buffer: new ArrayBuffer(8) })).toThrow(/unsupported dtype "int64"/);
    expect(() => decodeArray({ dtype: 'float32', shape: [4], buffer: new ArrayBuffer(8) })).toThrow(/needs 16 bytes, got 8/);
    expect(() => decodeArray([1, 2])).toThrow(/expected a binary array/);
  });
});

describe('json reviver', () => {
  it('turns the non-finite spellings back into numbers at any depth, leaving buffers alone', () => {
    const dv = new DataView(new ArrayBuffer(4));
    const out = reviveNumbers({ a: 'NaN', b: ['Infinity', '-Infinity', 'nan'], c: { d: 1 }, e: dv });
    expect(out.a).toBeNaN();
    expect(out.b).toEqual([Infinity, -Infinity, 'nan']);
    expect(out.c).toEqual({ d: 1 });
    expect(out.e).toBe(dv);
    expect(isObject([])).toBe(false);
  });
});

describe('bind', () => {
  it('calls now, coalesces changes of one message, and stops after cleanup', async () => {
    const model = fakeModel({ a: 1, b: 2, c: 3 });
    const update = vi.fn();
    const cleanup = bind(model, ['a', 'b'], update);
    expect(update).toHaveBeenCalledTimes(1);
    expect(update).toHaveBeenLastCalledWith({ a: 1, b: 2 }, new Set(['a', 'b']));
    model.set('a', 10);
    model.set('b', 20);
    model.set('c', 30); // not bound
    await model.flush();
    expect(update).toHaveBeenCalledTimes(2);
    expect(update).toHaveBeenLastCalledWith({ a: 10, b: 20 }, new Set(['a', 'b']));
    model.set('a', 11);
    await model.flush();
    expect(update.mock.calls[2][1]).toEqual(new Set(['a']));
    cleanup();
    model.set('a', 12);
    await model.flush();
    expect(update).toHaveBeenCalledTimes(3);
  });
});

describe('request', () => {
  it('resolves with the value of an ok answer and rejects with the error of a failed one', async () => {
    const model = fakeModel({});
    model.commands.page = (args: Record<string, unknown>) => ({ rows: [args.start, args.stop] });
    model.commands.boom = () => {
      throw new Error("n_clusters=1 is not valid; expected 2..20");
    };
    await expect(request(model, 'page', { start: 0, stop: 5 })).resolves.toMatchObject({ value: { rows: [0, 5] } });
    await expect(request(model, 'boom')).rejects.toThrow('n_clusters=1 is not valid');
    await expect(request(model, 'missing')).rejects.toThrow('no such command: missing');
    expect(model.sent[0].content).toMatchObject({ kind: 'anywidget-command', name: 'page', msg: { start: 0, stop: 5 } });
  });

  it('times out with a message that says the kernel may be busy', async () => {
    vi.useFakeTimers();
    const model = fakeModel({});
    model.send = () => {}; // a busy kernel never answers
    const pending = request(model, 'page', {}, { timeoutMs: 1000 });
    vi.advanceTimersByTime(1001);
    await expect(pending).rejects.toThrow(/no answer from the kernel after 1 s/);
    vi.useRealTimers();
  });
});

describe('dom', () => {
  it('makes text, never markup, and drops script URLs', () => {
    const el = h('a', { href: ' JavaScript:alert(1)', title: '<b>x</b>' }, '<img src=x onerror=alert(1)>');
    expect(el.querySelector('img')).toBeNull();
    expect(el.textContent).toBe('<img src=x onerror=alert(1)>');
    expect(el.getAttribute('href')).toBeNull();
    expect(el.getAttribute('title')).toBe('<b>x</b>');
    for (const bad of ['javascript:alert(1)', 'java\tscript:alert(1)', 'vbscript:x', 'data:text/html,<script>']) {
      expect(safeUrl(bad)).toBe(false);
    }
    for (const good of ['https://keras.io', 'train.ipynb', 'data:image/png;base64,AAAA']) {
      expect(safeUrl(good)).toBe(true);
    }
    const clicked = vi.fn();
    h('button', { onclick: clicked }).click();
    expect(clicked).toHaveBeenCalled();
  });
});

describe('status', () => {
  it('shows progress and errors from the traits, and removes itself on cleanup', async () => {
    expect(progressText({ stage: 'Embedding', done: 30, total: 120 })).toBe('Embedding 30/120 (25%)');
    expect(progressText({ stage: 'UMAP', done: 0, total: 0 })).toBe('UMAP…');
    expect(progressText({ stage: '', done: 0, total: 0 })).toBe('');
    const model = fakeModel({ progress: { stage: '', done: 0, total: 0 }, error: '' });
    const host = document.createElement('div');
    const cleanup = mountStatus(model, host);
    const bar = host.querySelector('[role=progressbar]') as HTMLElement;
    const alert = host.querySelector('[role=alert]') as HTMLElement;
    expect(bar.hidden).toBe(true);
    expect(alert.hidden).toBe(true);
    model.set('progress', { stage: 'Shapley', done: 1, total: 4 });
    model.set('error', 'the kernel said <no>');
    await model.flush();
    expect(bar.hidden).toBe(false);
    expect(bar.textContent).toBe('Shapley 1/4 (25%)');
    expect(alert.textContent).toBe('the kernel said <no>');
    cleanup();
    expect(host.childElementCount).toBe(0);
  });
});
