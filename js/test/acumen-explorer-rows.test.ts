// @vitest-environment jsdom
/** The explorer's table body (recycled row pool, page cache) and the lasso's grid index at scale. */
import { describe, expect, it } from 'vitest';
import { PageCache, RowPool, rowWindow, type Row } from '../widgets/acumen_explorer/rows';
import { GridIndex, inverseIndex, pointInPolygon, positionsOf } from '../widgets/acumen_explorer/logic';

const made = new Map<number, Row>(); // one object per row, as the page cache holds them
const row = (i: number): Row => {
  if (!made.has(i)) made.set(i, { index: 1000 + i, cells: [`p${i}`, `file_${i}.py`] });
  return made.get(i)!;
};

describe('row window', () => {
  it('covers the viewport plus overscan, clamped to the table', () => {
    expect(rowWindow(0, 240, 1_000_000, 24, 5)).toEqual({ start: 0, end: 15 });
    expect(rowWindow(2400, 240, 1_000_000, 24, 5)).toEqual({ start: 95, end: 115 });
    expect(rowWindow(24 * 999_995, 240, 1_000_000, 24, 5)).toEqual({ start: 999_990, end: 1_000_000 });
    expect(rowWindow(100, 240, 0, 24, 5)).toEqual({ start: 0, end: 0 });
  });
});

describe('row pool', () => {
  it('recycles a fixed set of elements while scrolling a million rows: text and position update in place', () => {
    const box = document.createElement('div');
    const pool = new RowPool(box, 24);
    pool.reserve(20, 2);
    const created = pool.created;
    expect(created).toBe(20 * 3);
    const els = Array.from(box.children);
    for (const top of [0, 24, 48 * 7, 24 * 500_000, 24 * 999_980]) {
      const { start, end } = rowWindow(top, 240, 1_000_000, 24, 4);
      pool.update(start, end, row, -1);
      const shown = Array.from(box.children).filter(e => !(e as HTMLElement).hidden) as HTMLElement[];
      expect(shown.length).toBe(end - start);
      const byIndex = new Map(shown.map(e => [Number(e.dataset.index), e]));
      for (let i = start; i < end; i++) {
        const el = byIndex.get(1000 + i)!;
        expect(el.textContent).toBe(`p${i}file_${i}.py`);
        expect(el.style.transform).toBe(`translateY(${i * 24}px)`);
      }
    }
    expect(pool.created).toBe(created); // no element was created by scrolling
    expect(Array.from(box.children)).toEqual(els); // nor removed or reordered
  });

  it('rewrites only the rows that came into view, placeholders until a page arrives, focus marked', () => {
    const box = document.createElement('div');
    const pool = new RowPool(box, 24);
    pool.reserve(16, 2);
    pool.update(0, 14, row, -1);
    expect(pool.lastWritten).toBe(14);
    pool.update(0, 14, row, -1);
    expect(pool.lastWritten).toBe(0); // nothing changed: nothing written
    pool.update(2, 16, i => (i < 14 ? row(i) : undefined), -1); // two rows down; their page is not here yet
    expect(pool.lastWritten).toBe(4); // two rows in (placeholders), two out (hidden)
    const placeholders = Array.from(box.children).filter(e => !(e as HTMLElement).hidden && e.textContent === '……');
    expect(placeholders.length).toBe(2);
    pool.update(2, 16, row, 1005);
    expect(box.querySelectorAll('.focused').length).toBe(1);
    expect((box.querySelector('.focused') as HTMLElement).dataset.index).toBe('1005');
    // hidden rows hold no stale text (a search of the table's text must not find rows that left it)
    pool.update(0, 3, row, -1);
    for (const e of Array.from(box.children) as HTMLElement[]) if (e.hidden) expect(e.textContent).toBe('');
    expect(RowPool.indexOf(box.querySelector('[data-index="1001"] span'))).toBe(1001);
  });
});

describe('page cache', () => {
  it('fetches the visible blocks and the next one ahead, a few at a time, and drops stale answers', async () => {
    const asked: number[] = [];
    const resolvers: (() => void)[] = [];
    let loads = 0;
    const cache = new PageCache(100, (start, stop) => new Promise(res => {
      asked.push(start);
      resolvers.push(() => res({ start, rows: Array.from({ length: stop - start }, (_, k) => row(start + k)) }));
    }), () => { loads++; }, 3, 4);
    cache.want(150, 260, 1_000_000, 1); // blocks 1 and 2 visible, 3 ahead
    expect(asked).toEqual([100, 200, 300]);
    cache.want(150, 260, 1_000_000, 1);
    expect(asked.length).toBe(3); // in flight: not asked twice
    resolvers.forEach(r => r());
    await Promise.resolve(); await Promise.resolve();
    expect(loads).toBe(3);
    expect(cache.get(199)?.index).toBe(1199);
    cache.want(900_000, 900_020, 1_000_000, -1); // a jump: block 9000, then 8999 (scrolling up)
    expect(asked.slice(3)).toEqual([900_000, 899_900]);
    cache.clear();
    resolvers.slice(3).forEach(r => r());
    await Promise.resolve(); await Promise.resolve();
    expect(cache.get(900_000)).toBeUndefined(); // answered after clear(): dropped
    // at most `keep` blocks stay cached, the farthest go first
    for (let b = 0; b < 8; b++) { cache.want(b * 100, b * 100 + 10, 1_000_000, 0); resolvers[resolvers.length - 1](); await Promise.resolve(); await Promise.resolve(); }
    expect(cache.cached).toBeLessThanOrEqual(5);
    expect(cache.get(705)).toBeDefined();
  });
});

describe('grid index at scale', () => {
  it('tests only edge cells one by one and answers repeated lassos exactly', () => {
    let seed = 3;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    const n = 100_000;
    const x = new Float32Array(n), y = new Float32Array(n);
    for (let i = 0; i < n; i++) { x[i] = rnd() * 2 - 1; y[i] = rnd() * 2 - 1; }
    const grid = new GridIndex(x, y);
    for (const r of [0.8, 0.3]) {
      const poly: number[] = [];
      for (let k = 0; k < 64; k++) poly.push(r * Math.cos((2 * Math.PI * k) / 64), r * Math.sin((2 * Math.PI * k) / 64));
      const got = grid.lasso(poly);
      let want = 0;
      for (let i = 0; i < n; i++) if (pointInPolygon(x[i], y[i], poly)) want++;
      expect(got.length).toBe(want);
      let ascending = true;
      for (let k = 1; k < got.length; k++) if (got[k] <= got[k - 1]) ascending = false;
      expect(ascending).toBe(true);
      expect(got.every(i => pointInPolygon(x[i], y[i], poly))).toBe(true);
      expect(grid.lastTested).toBeLessThan(want / 3); // most points came with whole cells
    }
  }, 30_000);

  it('maps files to drawn positions through an inverse index', () => {
    const pointIndex = Int32Array.from([7, 3, 9, 0]);
    const inv = inverseIndex(pointIndex);
    expect(Array.from(positionsOf([9, 3, 5, 42, -1], inv))).toEqual([1, 2]);
    expect(Array.from(positionsOf([], inv))).toEqual([]);
  });
});
