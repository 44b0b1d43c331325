/**
 * The explorer's table body: a fixed pool of row elements recycled while scrolling (no DOM is created or removed
 * on a scroll, only text and a transform change), and a cache of row pages fetched from the kernel around the
 * viewport. Scrolling 1,000,000 rows rebuilt ~60 row elements a frame before; now a frame touches only the rows
 * that came into view.
 */
export interface Row { index: number; cells: string[] }

/** Rows [start, end) to show at `scrollTop` in a `viewport` px tall box, with `overscan` rows either side. */
export function rowWindow(scrollTop: number, viewport: number, count: number, rowHeight: number, overscan: number): { start: number; end: number } {
  if (count <= 0) return { start: 0, end: 0 };
  const first = Math.floor(Math.max(0, scrollTop) / rowHeight);
  const last = Math.ceil((Math.max(0, scrollTop) + Math.max(0, viewport)) / rowHeight);
  return { start: Math.max(0, Math.min(count, first - overscan)), end: Math.max(0, Math.min(count, last + overscan)) };
}

interface Slot { el: HTMLElement; tds: HTMLElement[]; texts: Text[]; row: number; data: Row | undefined; focused: boolean; shown: boolean }

/**
 * Row elements, one per slot; row i always goes to slot i % size, so a scroll by k rows rewrites k slots.
 * A slot's element keeps its cells; their Text nodes are updated in place.
 */
export class RowPool {
  private slots: Slot[] = [];
  private columns = 0;
  /** Elements created so far (rows and cells): tests check that scrolling creates none. */
  created = 0;
  /** Slots rewritten by the last `update` (text or position changed). */
  lastWritten = 0;

  constructor(readonly container: HTMLElement, readonly rowHeight: number, readonly placeholder = '…') {}

  get size(): number { return this.slots.length; }

  /** Make room for `size` rows of `columns` cells (rebuilds only when the columns change or the pool must grow). */
  reserve(size: number, columns: number): void {
    if (columns !== this.columns) {
      for (const s of this.slots) s.el.remove();
      this.slots = [];
      this.columns = columns;
    }
    if (size <= this.slots.length) return;
    // Growing changes every row's slot (i % size): the next update rewrites them all, once.
    for (const s of this.slots) s.row = -1;
    const doc = this.container.ownerDocument;
    while (this.slots.length < size) {
      const el = doc.createElement('div');
      el.className = 'mlnb-ax-tr';
      el.style.height = `${this.rowHeight}px`;
      el.hidden = true;
      const tds: HTMLElement[] = [], texts: Text[] = [];
      for (let c = 0; c < columns; c++) {
        const td = doc.createElement('span');
        td.className = 'mlnb-ax-td';
        const t = doc.createTextNode('');
        td.append(t);
        el.append(td);
        tds.push(td); texts.push(t);
      }
      this.created += 1 + columns;
      this.container.append(el);
      this.slots.push({ el, tds, texts, row: -1, data: undefined, focused: false, shown: false });
    }
  }

  /**
   * Show rows [start, end) (end - start must not exceed the pool's size); `get(i)` gives row i's data or
   * undefined while its page is on its way (shown as placeholders); `focused` is a file index to mark.
   */
  update(start: number, end: number, get: (i: number) => Row | undefined, focused: number): void {
    const size = this.slots.length;
    let written = 0;
    if (end - start > size) end = start + size;
    for (let i = start; i < end; i++) {
      const s = this.slots[i % size];
      const data = get(i);
      const isFocused = data !== undefined && data.index === focused;
      if (s.row === i && s.data === data && s.focused === isFocused && s.shown) continue;
      written++;
      if (s.row !== i) s.el.style.transform = `translateY(${i * this.rowHeight}px)`;
      if (s.data !== data || s.row !== i) {
        for (let c = 0; c < s.texts.length; c++) {
          const v = data ? String(data.cells[c] ?? '') : this.placeholder;
          if (s.texts[c].data !== v) { s.texts[c].data = v; s.tds[c].title = data ? v : ''; }
        }
        s.el.dataset.index = data ? String(data.index) : '';
      }
      if (s.focused !== isFocused) s.el.classList.toggle('focused', isFocused);
      if (!s.shown) { s.el.hidden = false; s.shown = true; }
      s.row = i; s.data = data; s.focused = isFocused;
    }
    // Slots not holding a row of [start, end): hidden, and emptied (a hidden stale row must not read as content).
    for (let k = 0; k < size; k++) {
      const s = this.slots[k];
      if (s.row >= start && s.row < end) continue;
      if (s.shown || s.row !== -1) {
        s.el.hidden = true; s.shown = false; s.row = -1; s.data = undefined;
        for (const t of s.texts) t.data = '';
        if (s.focused) { s.el.classList.remove('focused'); s.focused = false; }
        s.el.dataset.index = '';
        written++;
      }
    }
    this.lastWritten = written;
  }

  /** The file index shown by a row element (a click on the table is handled once, on the container). */
  static indexOf(target: EventTarget | null): number | null {
    const el = (target as HTMLElement | null)?.closest?.('.mlnb-ax-tr') as HTMLElement | null;
    const v = el?.dataset.index;
    return v ? Number(v) : null;
  }
}

/**
 * Pages of rows from the kernel, `block` rows each, keyed by block number: which to fetch for a window (the
 * visible blocks, then the next one in the scroll direction), at most `maxInFlight` requests at once (a fling
 * through a million rows must not queue a thousand requests: blocks it skipped are fetched when it stops), and
 * at most `keep` blocks cached (the farthest from the window go first).
 */
export class PageCache {
  private pages = new Map<number, Row[]>();
  private pending = new Set<number>();
  generation = 0;

  constructor(readonly block: number, readonly fetchPage: (start: number, stop: number) => Promise<{ start: number; rows: Row[] }>,
    readonly onLoad: () => void, readonly maxInFlight = 3, readonly keep = 64) {}

  get(i: number): Row | undefined {
    return this.pages.get(Math.floor(i / this.block))?.[i % this.block];
  }

  get cached(): number { return this.pages.size; }
  get inFlight(): number { return this.pending.size; }

  /** Forget everything (a new table): answers to requests made before are dropped. */
  clear(): void {
    this.pages.clear();
    this.pending.clear();
    this.generation++;
  }

  /** Request what rows [start, end) need (`direction` > 0 scrolling down), within the limits. */
  want(start: number, end: number, count: number, direction: number): void {
    if (end <= start) return;
    const b0 = Math.floor(start / this.block), b1 = Math.floor((end - 1) / this.block);
    const order: number[] = [];
    for (let b = b0; b <= b1; b++) order.push(b);
    const ahead = direction >= 0 ? b1 + 1 : b0 - 1;
    if (ahead >= 0 && ahead * this.block < count) order.push(ahead);
    for (const b of order) {
      if (this.pending.size >= this.maxInFlight) break;
      if (this.pages.has(b) || this.pending.has(b)) continue;
      this.load(b);
    }
    this.evict((b0 + b1) / 2);
  }

  private load(b: number): void {
    const gen = this.generation;
    this.pending.add(b);
    this.fetchPage(b * this.block, (b + 1) * this.block).then(res => {
      if (gen !== this.generation) return;
      this.pending.delete(b);
      const rows: Row[] = [];
      const off = res.start - b * this.block;
      res.rows.forEach((r, k) => { rows[off + k] = r; });
      this.pages.set(b, rows);
      this.onLoad();
    }, () => {
      // Not retried at once (that would loop on a kernel that keeps failing): the next scroll asks again.
      if (gen === this.generation) this.pending.delete(b);
    });
  }

  private evict(centre: number): void {
    if (this.pages.size <= this.keep) return;
    const far = Array.from(this.pages.keys()).sort((a, b) => Math.abs(b - centre) - Math.abs(a - centre));
    for (const b of far.slice(0, this.pages.size - this.keep)) this.pages.delete(b);
  }
}
