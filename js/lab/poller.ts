/**
 * A polling loop that never overlaps requests and backs off while the server fails.
 *
 * States: stopped -> (start) -> fetching -> waiting -> fetching -> ... -> (stop) -> stopped.
 * After a success the next poll is `interval` ms later; after n consecutive failures it is
 * `interval * 2^n`, capped at `maxInterval`. `refresh()` polls now (a retry button, a new
 * expansion) and restarts the wait. Pure: timers are injectable for tests.
 */

export type PollerState = 'stopped' | 'waiting' | 'fetching';

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface PollerOptions {
  /** Work done on each tick; a rejected promise counts as a failure. */
  task: () => Promise<unknown>;
  /** Milliseconds between polls while healthy. */
  interval?: number;
  /** Upper bound of the back-off. */
  maxInterval?: number;
  timers?: Timers;
}

const defaultTimers: Timers = {
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: handle => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>)
};

export class Poller {
  readonly interval: number;
  readonly maxInterval: number;
  private _task: () => Promise<unknown>;
  private _timers: Timers;
  private _active = false;
  private _handle: unknown = null;
  private _failures = 0;
  private _inflight: Promise<void> | null = null;
  private _again = false;

  constructor(options: PollerOptions) {
    this.interval = options.interval ?? 2000;
    this.maxInterval = options.maxInterval ?? 30000;
    if (!(this.interval > 0) || !(this.maxInterval >= this.interval)) {
      throw new Error(
        `Poller: interval=${this.interval} and maxInterval=${this.maxInterval} must satisfy 0 < interval <= maxInterval`
      );
    }
    this._task = options.task;
    this._timers = options.timers ?? defaultTimers;
  }

  get state(): PollerState {
    if (this._inflight) {
      return 'fetching';
    }
    return this._active ? 'waiting' : 'stopped';
  }

  /** Consecutive failed polls (0 after any success). */
  get failures(): number {
    return this._failures;
  }

  /** The wait before the next poll, given the failures so far. */
  get delay(): number {
    return Math.min(this.interval * 2 ** this._failures, this.maxInterval);
  }

  /** Start polling (polls at once). Starting a running poller does nothing. */
  start(): void {
    if (this._active) {
      return;
    }
    this._active = true;
    void this.refresh();
  }

  /** Stop polling; a request in flight finishes but schedules nothing. */
  stop(): void {
    this._active = false;
    this._clear();
  }

  /**
   * Poll now and restart the wait. If a poll is in flight, one more follows it right after (its
   * answer may predate whatever prompted the refresh). Works while stopped too (one poll).
   */
  refresh(): Promise<void> {
    if (this._inflight) {
      this._again = true;
      return this._inflight;
    }
    this._clear();
    this._inflight = this._run().finally(() => {
      this._inflight = null;
      if (this._active) {
        this._handle = this._timers.setTimeout(() => {
          this._handle = null;
          void this.refresh();
        }, this.delay);
      }
    });
    return this._inflight;
  }

  private async _run(): Promise<void> {
    do {
      this._again = false;
      try {
        await this._task();
        this._failures = 0;
      } catch {
        this._failures++;
      }
    } while (this._again);
  }

  private _clear(): void {
    if (this._handle !== null) {
      this._timers.clearTimeout(this._handle);
      this._handle = null;
    }
  }
}
