// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';

import { decodeArray, h } from '../widgets/acumen_explorer/kit';
import {
  GridIndex, screenToData, sortedCombine,
  categoryColor, combineSelection, modeFromEvent, numericColor, numericRamp, parseColumnQuery,
  pointInPolygon, relativeToRoot, toFileIndices, toPositions, tooltipPosition
} from '../widgets/acumen_explorer/logic';

describe('lasso and selection logic', () => {
  it('replaces, adds (shift) and removes (alt)', () => {
    expect(modeFromEvent({})).toBe('replace');
    expect(modeFromEvent({ shiftKey: true })).toBe('add');
    expect(modeFromEvent({ altKey: true, shiftKey: true })).toBe('remove');
    expect(combineSelection([1, 2, 3], [5, 4, 4], 'replace')).toEqual([4, 5]);
    expect(combineSelection([1, 2, 3], [5, 2], 'add')).toEqual([1, 2, 3, 5]);
    expect(combineSelection([1, 2, 3], [5, 2], 'remove')).toEqual([1, 3]);
  });

  it('combines large sorted selections in one merge, as combineSelection does', () => {
    const cur = [1, 3, 5, 7, 9], las = [0, 3, 4, 9, 11];
    for (const mode of ['replace', 'add', 'remove'] as const) {
      expect(Array.from(sortedCombine(Int32Array.from(cur), Int32Array.from(las), mode))).toEqual(combineSelection(cur, las, mode));
    }
    expect(Array.from(sortedCombine([], [2, 4], 'add'))).toEqual([2, 4]);
    expect(Array.from(sortedCombine([2, 4], [], 'remove'))).toEqual([2, 4]);
  });

  it('maps drawn points to file indices and back', () => {
    const pointIndex = Int32Array.from([10, 3, 7, 42]);
    expect(toFileIndices([0, 3], pointIndex)).toEqual([10, 42]);
    expect(toPositions([42, 7, 99], pointIndex)).toEqual([3, 2]); // 99 is not drawn (filtered out)
  });

  it('point in polygon, including a concave one', () => {
    const square = [0, 0, 1, 0, 1, 1, 0, 1];
    expect(pointInPolygon(0.5, 0.5, square)).toBe(true);
    expect(pointInPolygon(1.5, 0.5, square)).toBe(false);
    const u = [0, 0, 3, 0, 3, 3, 2, 3, 2, 1, 1, 1, 1, 3, 0, 3]; // a U: its notch is outside
    expect(pointInPolygon(1.5, 2, u)).toBe(false);
    expect(pointInPolygon(0.5, 2, u)).toBe(true);
  });

});

describe('column queries', () => {
  it('parses contains, does-not-contain and regular expressions', () => {
    expect(parseColumnQuery('path', '  test ')).toEqual({ column: 'path', regex: false, contains: 'test' });
    expect(parseColumnQuery('path', '!test')).toEqual({ column: 'path', regex: false, excludes: 'test' });
    expect(parseColumnQuery('path', 'test', true)).toEqual({ column: 'path', regex: false, excludes: 'test' });
    expect(parseColumnQuery('path', '!test', true)).toEqual({ column: 'path', regex: false, contains: 'test' });
    expect(parseColumnQuery('path', '/te.t$/')).toEqual({ column: 'path', regex: true, contains: 'te.t$' });
    expect(parseColumnQuery('path', '!/^m1/')).toEqual({ column: 'path', regex: true, excludes: '^m1' });
    expect(parseColumnQuery('path', '   ')).toBeNull();
    expect(parseColumnQuery('path', '!')).toBeNull();
    expect(parseColumnQuery('path', '/')).toEqual({ column: 'path', regex: false, contains: '/' });
    expect(() => parseColumnQuery('path', '/(/')).toThrow(SyntaxError);
  });
});

describe('colour scales', () => {
  it('numeric ramp: clamped ends, NaN is the lowest colour', () => {
    expect(numericColor(0)).toBe('#440154');
    expect(numericColor(1)).toBe('#fde725');
    expect(numericColor(7)).toBe('#fde725');
    expect(numericColor(Number.NaN)).toBe('#440154');
    expect(numericColor(0.5)).toMatch(/^#[0-9a-f]{6}$/);
    const ramp = numericRamp(5);
    expect(ramp).toHaveLength(5);
    expect(ramp[0]).toBe('#440154');
  });
  it('categorical: distinct colours, "other" grey', () => {
    const colours = Array.from({ length: 20 }, (_, i) => categoryColor(i, 20));
    expect(new Set(colours).size).toBe(20);
    expect(categoryColor(4, 5, true)).toBe('#a0a0a0');
  });
});

describe('tooltip placement', () => {
  it('never covers the pointer, anywhere in the box', () => {
    const [w, h, bw, bh] = [200, 80, 600, 400];
    for (let x = 0; x <= bw; x += 25) {
      for (let y = 0; y <= bh; y += 25) {
        const { left, top } = tooltipPosition(x, y, w, h, bw, bh);
        const covers = x >= left && x <= left + w && y >= top && y <= top + h;
        expect(covers, `pointer at ${x},${y}`).toBe(false);
      }
    }
  });
});

describe('kit adapters', () => {
  it('h() puts strings in as text, never as markup', () => {
    const el = h('div', { class: 'x' }, '<script>alert(1)</script>', h('b', {}, 'ok'));
    expect(el.querySelector('script')).toBeNull();
    expect(el.textContent).toBe('<script>alert(1)</script>ok');
  });
  it('decodes binary arrays', () => {
    const data = Float32Array.from([1.5, -2]);
    const out = decodeArray({ dtype: 'float32', shape: [2], buffer: new DataView(data.buffer) });
    expect(Array.from(out.data)).toEqual([1.5, -2]);
    expect(decodeArray(null).data.length).toBe(0);
  });
});

describe('paths', () => {
  it('is relative to the server root only when under it', () => {
    expect(relativeToRoot('/home/u/nb/p/a.py', '/home/u/nb')).toBe('p/a.py');
    expect(relativeToRoot('/home/u/nbx/a.py', '/home/u/nb')).toBeNull();
    expect(relativeToRoot('/x/a.py', null)).toBeNull();
  });
});

describe('grid lasso', () => {
  it('selects exactly what point-in-polygon selects, concave lassos and points on the grid border included', () => {
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    const n = 20000;
    const x = new Float32Array(n), y = new Float32Array(n);
    for (let i = 0; i < n; i++) { x[i] = rnd() * 2 - 1; y[i] = (rnd() * 2 - 1) * rnd(); }
    x[0] = 1; y[0] = 1; x[1] = -1; y[1] = -1; // the bounds themselves
    const grid = new GridIndex(x, y);
    for (let trial = 0; trial < 6; trial++) {
      // a star-shaped lasso of 200 vertices around a random centre, partly outside the points' bounds
      const cx = rnd() * 1.6 - 0.8, cy = rnd() * 1.2 - 0.6, poly: number[] = [];
      for (let k = 0; k < 200; k++) {
        const a = (2 * Math.PI * k) / 200, r = 0.3 + 0.5 * rnd() * (k % 2 ? 1 : 0.3) + trial * 0.15;
        poly.push(cx + r * Math.cos(a), cy + r * Math.sin(a));
      }
      const want: number[] = [];
      for (let i = 0; i < n; i++) if (pointInPolygon(x[i], y[i], poly)) want.push(i);
      expect(Array.from(grid.lasso(poly))).toEqual(want);
      expect(want.length).toBeGreaterThan(0);
    }
    expect(grid.lasso([0, 0, 1, 1]).length).toBe(0); // not a polygon
  });

  it('maps canvas pixels to data coordinates through the camera (inverse of the forward transform)', () => {
    const W = 800, H = 500;
    // camera: zoom 1.7, pan (0.2, -0.1); forward: clip = P(1/aspect) · V · point; screen from clip
    const view = [1.7, 0, 0, 0, 0, 1.7, 0, 0, 0, 0, 1, 0, 0.2, -0.1, 0, 1];
    const forward = (px: number, py: number): [number, number] => {
      const cx = (view[0] * px + view[4] * py + view[12]) / (W / H), cy = view[1] * px + view[5] * py + view[13];
      return [(W * (cx + 1)) / 2, H * (0.5 - cy / 2)];
    };
    for (const [px, py] of [[0, 0], [0.5, -0.3], [-0.9, 0.8]]) {
      const [sx, sy] = forward(px, py);
      const [dx, dy] = screenToData(sx, sy, W, H, view);
      expect(dx).toBeCloseTo(px, 5);
      expect(dy).toBeCloseTo(py, 5);
    }
  });
});
