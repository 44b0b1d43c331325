// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';

import { decodeArray, h } from '../widgets/acumen_explorer/kit';
import {
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
