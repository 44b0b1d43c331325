import { describe, expect, it } from 'vitest';

import { Run } from '../lab/api';
import {
  findCellIndex,
  formatAgo,
  formatEpochs,
  formatLocation,
  groupRuns,
  jumpTarget,
  NO_NOTEBOOK,
  severityEntries,
  sortFindings,
  statusBadge,
  toApiPath,
  canDelete,
  filterRuns,
  isFiltered,
  NO_FILTER,
  runSummary
} from '../lab/model';

function run(id: number, notebook: string | null, started: number, extra: Partial<Run> = {}): Run {
  return {
    id,
    tool: 'umlaut',
    name: `run-${id}`,
    notebook_path: notebook,
    kernel_id: null,
    cell_id: null,
    execution_count: null,
    status: 'running',
    kernel_alive: true,
    started,
    ended: null,
    updated: started,
    latest_epoch: null,
    epochs: 0,
    findings: { critical: 0, error: 0, warning: 0 },
    config: {},
    ...extra
  };
}

describe('groupRuns', () => {
  it('groups by notebook, newest activity first, scripts last', () => {
    const groups = groupRuns([run(1, 'a.ipynb', 10), run(2, null, 50), run(3, 'b.ipynb', 30), run(4, 'a.ipynb', 20)]);
    expect(groups.map(g => g.label)).toEqual(['b.ipynb', 'a.ipynb', NO_NOTEBOOK]);
    expect(groups[1].runs.map(r => r.id)).toEqual([4, 1]);
    expect(groups[2].path).toBeNull();
  });

  it('puts console kernels (whose session name is not a notebook) under scripts & consoles', () => {
    const groups = groupRuns([run(1, '/srv/nb/Console 1', 10), run(2, 'a.ipynb', 5)], '/srv/nb');
    expect(groups.map(g => g.path)).toEqual(['a.ipynb', null]);
  });

  it('merges absolute kernel paths with API paths under the server root', () => {
    const groups = groupRuns([run(1, '/srv/nb/x/a.ipynb', 10), run(2, 'x/a.ipynb', 20)], '/srv/nb');
    expect(groups).toHaveLength(1);
    expect(groups[0].path).toBe('x/a.ipynb');
  });
});

describe('toApiPath', () => {
  it('strips the server root and leaves other paths alone', () => {
    expect(toApiPath('/srv/nb/a.ipynb', '/srv/nb/')).toBe('a.ipynb');
    expect(toApiPath('/elsewhere/a.ipynb', '/srv/nb')).toBe('/elsewhere/a.ipynb');
    expect(toApiPath('sub/a.ipynb', '/srv/nb')).toBe('sub/a.ipynb');
    expect(toApiPath('C:\\nb\\a.ipynb', 'C:\\nb')).toBe('a.ipynb');
    expect(toApiPath(null, '/srv')).toBeNull();
  });
});

describe('statusBadge', () => {
  it('shows each status, and a running run whose kernel is gone as dead', () => {
    expect(statusBadge({ status: 'running', kernel_alive: true }).status).toBe('running');
    expect(statusBadge({ status: 'running', kernel_alive: null }).status).toBe('running');
    expect(statusBadge({ status: 'running', kernel_alive: false }).status).toBe('dead');
    expect(statusBadge({ status: 'finished', kernel_alive: false }).status).toBe('finished');
    expect(statusBadge({ status: 'dead', kernel_alive: false }).title).toBe('Kernel died');
    expect(statusBadge({ status: 'interrupted', kernel_alive: true }).label).toBe('interrupted');
  });
});

describe('formatting', () => {
  it('collapses epoch ranges and names -1', () => {
    expect(formatEpochs([5, 0, 1, 2, -1, 2])).toBe('before training, 0–2, 5');
    expect(formatEpochs([3, 4])).toBe('3, 4');
    expect(formatEpochs([])).toBe('');
  });

  it('formats locations in cells and files', () => {
    const base = { file: '/tmp/ipykernel_1/9.py', line: 7, cell_id: 'c', execution_count: 3, notebook_path: 'a.ipynb', code: null };
    expect(formatLocation(base)).toBe('cell [3], line 7');
    expect(formatLocation({ ...base, execution_count: null })).toBe('cell, line 7');
    expect(formatLocation({ ...base, cell_id: null, execution_count: null, file: '/home/u/train.py' })).toBe('train.py:7');
    expect(formatLocation(null)).toBe('');
  });

  it('turns locations into jumps: cells in notebooks, files under the server root', () => {
    const loc = { file: '/tmp/ipykernel_1/2.py', line: 4, cell_id: 'c', execution_count: 3, notebook_path: null, code: null };
    expect(jumpTarget(loc, 'a.ipynb')).toEqual({ kind: 'cell', notebook_path: 'a.ipynb', cell_id: 'c', execution_count: 3, line: 4 });
    expect(jumpTarget({ ...loc, notebook_path: '/srv/nb/b.ipynb' }, 'a.ipynb', '/srv/nb')).toMatchObject({ notebook_path: 'b.ipynb' });
    expect(jumpTarget(loc, null)).toBeNull(); // a cell, but no notebook to open
    expect(jumpTarget(loc, 'Console 1')).toBeNull();
    const file = { ...loc, cell_id: null, execution_count: null, file: '/srv/nb/src/train.py', line: 12 };
    expect(jumpTarget(file, null, '/srv/nb')).toEqual({ kind: 'file', path: 'src/train.py', line: 12 });
    expect(jumpTarget({ ...file, file: '/home/u/train.py' }, null, '/srv/nb')).toBeNull(); // outside the root
    expect(jumpTarget({ ...file, file: '<stdin>' }, null, '/srv/nb')).toBeNull();
    expect(jumpTarget(null, 'a.ipynb')).toBeNull();
  });

  it('lists non-zero severity counts in order', () => {
    expect(severityEntries({ critical: 0, error: 2, warning: 1 })).toEqual([
      ['error', 2],
      ['warning', 1]
    ]);
  });

  it('sorts findings by severity then first epoch', () => {
    const f = (id: number, severity: 'critical' | 'error' | 'warning', epochs: number[]) => ({
      id,
      key: '',
      subject: '',
      severity,
      title: '',
      epochs,
      context: {},
      location: null
    });
    expect(sortFindings([f(1, 'warning', [0]), f(2, 'error', [5]), f(3, 'error', [-1]), f(4, 'critical', [])]).map(x => x.id)).toEqual([
      4, 3, 2, 1
    ]);
  });

  it('formats ages', () => {
    expect(formatAgo(100, 130_000)).toBe('30 s ago');
    expect(formatAgo(0, 7200_000)).toBe('2 h ago');
  });
});

describe('findCellIndex', () => {
  const cells = [
    { id: 'a', type: 'code', executionCount: 1 },
    { id: 'b', type: 'markdown', executionCount: null },
    { id: 'c', type: 'code', executionCount: 2 },
    { id: 'd', type: 'code', executionCount: 2 }
  ];
  it('finds by id first, then by the last cell with the execution count', () => {
    expect(findCellIndex(cells, { cell_id: 'c', execution_count: 1 })).toBe(2);
    expect(findCellIndex(cells, { cell_id: 'gone', execution_count: 2 })).toBe(3);
    expect(findCellIndex(cells, { cell_id: null, execution_count: 1 })).toBe(0);
    expect(findCellIndex(cells, { cell_id: 'gone', execution_count: 9 })).toBe(-1);
  });
});

describe('filterRuns, runSummary, canDelete', () => {
  const runs = [
    run(1, '/srv/nb/train.ipynb', 10, { name: 'buggy-mlp', titles: ['Missing activation after dense'], status: 'finished' }),
    run(2, 'other.ipynb', 20, { tool: 'imacs', name: 'IMACS class 3', status: 'running' }),
    run(3, null, 30, { name: 'script-run', status: 'running', kernel_alive: false })
  ];
  it('filters by tool, by status as the badge shows it, and searches name, notebook and finding titles', () => {
    expect(filterRuns(runs, { ...NO_FILTER, tool: 'imacs' }).map(r => r.id)).toEqual([2]);
    expect(filterRuns(runs, { ...NO_FILTER, status: 'dead' }).map(r => r.id)).toEqual([3]);
    expect(filterRuns(runs, { ...NO_FILTER, status: 'running' }).map(r => r.id)).toEqual([2]);
    expect(filterRuns(runs, { ...NO_FILTER, query: 'ACTIVATION' }).map(r => r.id)).toEqual([1]);
    expect(filterRuns(runs, { ...NO_FILTER, query: 'nb/train' }, '/srv').map(r => r.id)).toEqual([1]);
    expect(filterRuns(runs, { ...NO_FILTER, query: 'buggy dense' }).map(r => r.id)).toEqual([1]); // every word
    expect(filterRuns(runs, { ...NO_FILTER, query: 'nothing-like-this' })).toEqual([]);
    expect(filterRuns(runs, NO_FILTER)).toHaveLength(3);
    expect(isFiltered(NO_FILTER)).toBe(false);
  });
  it('counts epochs as the store does and describes IMACS and ACUMEN runs by what fits them', () => {
    expect(runSummary({ tool: 'umlaut', epochs: 4, config: {} })).toBe('4 epochs');
    expect(runSummary({ tool: 'umlaut', epochs: 0, config: {} })).toBe('no epoch yet');
    expect(runSummary({ tool: 'imacs', epochs: 0, config: { model_a: 'Sequential', model_b: 'ResNet', target: 3, n_images: 120, n_clusters: 4 } }))
      .toBe('Sequential vs ResNet · target 3 · 120 images · 4 clusters');
    expect(runSummary({ tool: 'acumen', epochs: 0, config: { files: 12, projects: ['a', 'b'] } })).toBe('12 files · 2 projects');
    expect(runSummary({ tool: 'acumen', epochs: 0, config: {} })).toBe('corpus');
  });
  it('never deletes a running run; a dead one may go', () => {
    expect(runs.map(canDelete)).toEqual([true, false, true]);
  });
});
