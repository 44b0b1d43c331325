/**
 * On-demand data from Python (a table page, a code preview, a source image, a re-cluster):
 * `request(model, 'page', {start: 0, stop: 50})` calls the widget method decorated with
 * `@command` in mlnb.widgets._base. It speaks anywidget's command protocol (custom messages
 * "anywidget-command" / "anywidget-command-response"); Python wraps every answer as
 * `{ok, value}` or `{ok: false, error}`, so a failure in Python rejects with its message.
 */
import type { AnyModel } from '@anywidget/types';

export interface Answer<T> {
  value: T;
  buffers: DataView[];
}

export class RequestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RequestError';
  }
}

let counter = 0;

export function request<T = unknown>(
  model: AnyModel,
  name: string,
  args: Record<string, unknown> = {},
  options: { timeoutMs?: number; buffers?: ArrayBuffer[] | ArrayBufferView[]; signal?: AbortSignal } = {}
): Promise<Answer<T>> {
  const id = `mlnb-${Date.now().toString(36)}-${(counter++).toString(36)}`;
  const timeoutMs = options.timeoutMs ?? 120_000;
  return new Promise((resolve, reject) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const done = () => {
      model.off('msg:custom', handler);
      if (timer !== undefined) {
        clearTimeout(timer);
      }
    };
    function handler(msg: unknown, buffers: DataView[] = []) {
      const m = msg as { id?: string; kind?: string; response?: { ok?: boolean; value?: T; error?: string } };
      if (!m || m.id !== id || m.kind !== 'anywidget-command-response') {
        return;
      }
      done();
      const r = m.response ?? {};
      if (r.ok) {
        resolve({ value: r.value as T, buffers });
      } else {
        reject(new RequestError(r.error || `${name} failed in the kernel`));
      }
    }
    model.on('msg:custom', handler);
    if (timeoutMs > 0) {
      timer = setTimeout(() => {
        done();
        reject(new RequestError(`${name}: no answer from the kernel after ${Math.round(timeoutMs / 1000)} s (is it busy?)`));
      }, timeoutMs);
    }
    options.signal?.addEventListener('abort', () => {
      done();
      reject(new RequestError(`${name}: cancelled`));
    });
    model.send({ id, kind: 'anywidget-command', name, msg: args }, undefined, (options.buffers ?? []) as ArrayBuffer[]);
  });
}
