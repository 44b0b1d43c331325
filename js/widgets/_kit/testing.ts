/**
 * Test harness: a fake anywidget model holding plain state, with change events, recorded
 * `send`s and scripted answers to `request`s. Used by vitest; never bundled into a view.
 */
import type { AnyModel } from '@anywidget/types';

type Handler = (...args: unknown[]) => void;

export interface FakeModel<S extends object = Record<string, unknown>> extends AnyModel<S> {
  /** Messages the view sent (custom messages and requests). */
  sent: { content: unknown; buffers: unknown[] }[];
  /** Answers to requests by command name: a value, or a function of the args. */
  commands: Record<string, unknown | ((args: Record<string, unknown>) => unknown)>;
  /** Deliver a custom message from "Python". */
  receive(content: unknown, buffers?: DataView[]): void;
  /** Let queued microtasks (coalesced bindings) and request answers run. */
  flush(): Promise<void>;
}

export function fakeModel<S extends object>(initial: S): FakeModel<S> {
  const state: Record<string, unknown> = { ...(initial as Record<string, unknown>) };
  const handlers = new Map<string, Set<Handler>>();
  const emit = (event: string, ...args: unknown[]) => {
    for (const h of [...(handlers.get(event) ?? [])]) {
      h(...args);
    }
  };
  const model = {
    sent: [] as { content: unknown; buffers: unknown[] }[],
    commands: {} as Record<string, unknown>,
    get(name: string) {
      return state[name];
    },
    set(name: string, value: unknown) {
      state[name] = value;
      emit(`change:${name}`, value);
    },
    on(event: string, handler: Handler) {
      if (!handlers.has(event)) {
        handlers.set(event, new Set());
      }
      handlers.get(event)!.add(handler);
    },
    off(event?: string | null, handler?: Handler | null) {
      if (!event) {
        handlers.clear();
      } else if (!handler) {
        handlers.delete(event);
      } else {
        handlers.get(event)?.delete(handler);
      }
    },
    save_changes() {},
    send(content: unknown, _callbacks?: unknown, buffers: unknown[] = []) {
      model.sent.push({ content, buffers });
      const msg = content as { id?: string; kind?: string; name?: string; msg?: Record<string, unknown> };
      if (msg && msg.kind === 'anywidget-command' && msg.name) {
        const answer = model.commands[msg.name];
        queueMicrotask(() => {
          let response: unknown;
          if (answer === undefined) {
            response = { ok: false, error: `no such command: ${msg.name}` };
          } else {
            try {
              response = { ok: true, value: typeof answer === 'function' ? (answer as (a: unknown) => unknown)(msg.msg ?? {}) : answer };
            } catch (err) {
              response = { ok: false, error: String((err as Error).message ?? err) };
            }
          }
          emit('msg:custom', { id: msg.id, kind: 'anywidget-command-response', response }, []);
        });
      }
    },
    receive(content: unknown, buffers: DataView[] = []) {
      emit('msg:custom', content, buffers);
    },
    async flush() {
      for (let i = 0; i < 5; i++) {
        await Promise.resolve();
      }
    },
    widget_manager: {} as never
  };
  return model as unknown as FakeModel<S>;
}
