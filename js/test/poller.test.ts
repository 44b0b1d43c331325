import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { Poller } from '../lab/poller';

/** Let pending promise callbacks run (the poller awaits the task, then schedules). */
const flush = () => vi.advanceTimersByTimeAsync(0);

describe('Poller', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('polls at once, then every interval while healthy', async () => {
    const task = vi.fn().mockResolvedValue(undefined);
    const poller = new Poller({ task, interval: 2000 });
    poller.start();
    await flush();
    expect(task).toHaveBeenCalledTimes(1);
    expect(poller.state).toBe('waiting');
    await vi.advanceTimersByTimeAsync(1999);
    expect(task).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(task).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(4000);
    expect(task).toHaveBeenCalledTimes(4);
    poller.stop();
  });

  it('backs off exponentially while failing, capped, and resets on success', async () => {
    let fail = true;
    const task = vi.fn(() => (fail ? Promise.reject(new Error('down')) : Promise.resolve()));
    const poller = new Poller({ task, interval: 1000, maxInterval: 5000 });
    poller.start();
    await flush();
    expect(poller.failures).toBe(1);
    expect(poller.delay).toBe(2000);
    await vi.advanceTimersByTimeAsync(2000); // 2nd failure
    expect(poller.delay).toBe(4000);
    await vi.advanceTimersByTimeAsync(4000); // 3rd failure -> capped
    expect(poller.failures).toBe(3);
    expect(poller.delay).toBe(5000);
    fail = false;
    await vi.advanceTimersByTimeAsync(5000);
    expect(task).toHaveBeenCalledTimes(4);
    expect(poller.failures).toBe(0);
    expect(poller.delay).toBe(1000);
    poller.stop();
  });

  it('stops scheduling after stop(), even with a request in flight', async () => {
    let release!: () => void;
    const task = vi.fn(() => new Promise<void>(r => (release = r)));
    const poller = new Poller({ task, interval: 1000 });
    poller.start();
    expect(poller.state).toBe('fetching');
    poller.stop();
    release();
    await flush();
    expect(poller.state).toBe('stopped');
    await vi.advanceTimersByTimeAsync(10_000);
    expect(task).toHaveBeenCalledTimes(1);
  });

  it('never overlaps requests; a refresh during a request polls again right after', async () => {
    const releases: (() => void)[] = [];
    let active = 0;
    let maxActive = 0;
    const task = vi.fn(() => {
      active++;
      maxActive = Math.max(maxActive, active);
      return new Promise<void>(r =>
        releases.push(() => {
          active--;
          r();
        })
      );
    });
    const poller = new Poller({ task, interval: 1000 });
    poller.start();
    void poller.refresh();
    void poller.refresh();
    expect(task).toHaveBeenCalledTimes(1);
    releases.shift()!();
    await flush();
    expect(task).toHaveBeenCalledTimes(2); // the one follow-up for both refreshes
    releases.shift()!();
    await flush();
    expect(maxActive).toBe(1);
    expect(poller.state).toBe('waiting');
    poller.stop();
  });

  it('refresh() restarts the wait', async () => {
    const task = vi.fn().mockResolvedValue(undefined);
    const poller = new Poller({ task, interval: 2000 });
    poller.start();
    await flush();
    await vi.advanceTimersByTimeAsync(1500);
    await poller.refresh();
    expect(task).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(1999);
    expect(task).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(task).toHaveBeenCalledTimes(3);
    poller.stop();
  });

  it('validates its options', () => {
    const task = () => Promise.resolve();
    expect(() => new Poller({ task, interval: 0 })).toThrow(/interval=0/);
    expect(() => new Poller({ task, interval: 2000, maxInterval: 1000 })).toThrow(/maxInterval=1000/);
  });
});
