import { describe, expect, it } from 'vitest';

import { ApiError, errorMessage, parseRunDetail, parseRunsResponse, reviveNumbers } from '../lab/api';

const RUN = {
  id: 7,
  tool: 'umlaut',
  name: 'fit-1',
  notebook_path: 'train.ipynb',
  kernel_id: 'k1',
  cell_id: 'c1',
  execution_count: 3,
  status: 'running',
  kernel_alive: true,
  started: 100,
  ended: null,
  updated: 120,
  latest_epoch: 4,
  findings: { critical: 0, error: 1, warning: 2 },
  config: { lr: 0.1 }
};

describe('reviveNumbers', () => {
  it('turns the non-finite strings back into numbers, deeply', () => {
    const out = reviveNumbers({ a: 'NaN', b: ['Infinity', '-Infinity', 'nan', 1], c: { d: 'NaN' } });
    expect(out.a).toBeNaN();
    expect(out.b).toEqual([Infinity, -Infinity, 'nan', 1]);
    expect(out.c.d).toBeNaN();
  });
});

describe('parseRunsResponse', () => {
  it('parses runs and keeps the store path', () => {
    const res = parseRunsResponse({ runs: [RUN], store: '/tmp/s.sqlite' });
    expect(res.store).toBe('/tmp/s.sqlite');
    expect(res.runs[0]).toMatchObject({ id: 7, status: 'running', latest_epoch: 4, findings: { error: 1, warning: 2 } });
  });

  it('fills missing counts with zeros and empty notebook paths with null', () => {
    const res = parseRunsResponse({ runs: [{ ...RUN, findings: { error: 'x' }, notebook_path: '' }] });
    expect(res.runs[0].findings).toEqual({ critical: 0, error: 0, warning: 0 });
    expect(res.runs[0].notebook_path).toBeNull();
  });

  it('rejects an answer without a runs list', () => {
    expect(() => parseRunsResponse({ items: [] })).toThrow(ApiError);
    expect(() => parseRunsResponse({ runs: [{ name: 'no id' }] })).toThrow(/without an id/);
  });
});

describe('parseRunDetail', () => {
  it('revives NaN metrics and context, keeps locations', () => {
    const detail = parseRunDetail({
      run: RUN,
      metrics: [{ epoch: 0, loss: 'NaN' }],
      findings: [
        {
          id: 1,
          key: 'nan-loss',
          subject: '',
          severity: 'critical',
          title: 'Loss is NaN',
          epochs: [0],
          context: { loss: 'NaN' },
          location: { file: 'x.py', line: 3, cell_id: 'c1', execution_count: 2, notebook_path: 'a.ipynb', code: 'fit()' }
        },
        { id: 2, key: 'k', severity: 'bogus', title: 'T', epochs: [1], context: {}, location: null }
      ]
    });
    expect(detail.metrics[0].loss).toBeNaN();
    expect(detail.findings[0].context.loss).toBeNaN();
    expect(detail.findings[0].location).toMatchObject({ cell_id: 'c1', line: 3, execution_count: 2 });
    expect(detail.findings[1].severity).toBe('warning');
    expect(detail.findings[1].location).toBeNull();
  });
});

describe('errorMessage', () => {
  it("prefers the server's message", () => {
    expect(errorMessage(404, { message: 'No run 9' })).toBe('No run 9');
  });
  it('explains 403 and a missing server extension', () => {
    expect(errorMessage(403, null)).toMatch(/Not authorised/);
    expect(errorMessage(404, null)).toMatch(/server extension is not enabled/);
    expect(errorMessage(500, null, 'Internal Server Error')).toBe('The mlnb server answered 500 Internal Server Error.');
  });
});
