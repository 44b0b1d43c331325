/**
 * Per-trait binding: a view declares which traits it draws from and gets called with their
 * values now and whenever any of them changes. Changes that arrive together (one kernel message
 * sets several traits) are coalesced into one call. Returns the cleanup that unsubscribes.
 */
import type { AnyModel } from '@anywidget/types';

export type Cleanup = () => void;

export function bind<S extends object, K extends keyof S & string>(
  model: AnyModel<S>,
  names: readonly K[],
  update: (values: Pick<S, K>, changed: ReadonlySet<K>) => void
): Cleanup {
  const read = () => {
    const values = {} as Pick<S, K>;
    for (const name of names) {
      values[name] = model.get(name);
    }
    return values;
  };
  let pending: Set<K> | null = null;
  let active = true;
  const handlers = names.map(name => {
    const handler = () => {
      if (pending) {
        pending.add(name);
        return;
      }
      pending = new Set([name]);
      queueMicrotask(() => {
        const changed = pending as Set<K>;
        pending = null;
        if (active) {
          update(read(), changed);
        }
      });
    };
    model.on(`change:${name}` as never, handler as never);
    return [name, handler] as const;
  });
  update(read(), new Set(names));
  return () => {
    active = false;
    for (const [name, handler] of handlers) {
      model.off(`change:${name}` as never, handler as never);
    }
  };
}

/** Run every cleanup (a view's render returns this over all its bindings). */
export function cleanupAll(cleanups: Cleanup[]): Cleanup {
  return () => {
    for (const c of cleanups.splice(0)) {
      c();
    }
  };
}
