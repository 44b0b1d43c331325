// @vitest-environment jsdom
import { describe, expect, it, vi } from 'vitest';

import { Finding, Run } from '../lab/api';
import { NO_NOTEBOOK } from '../lab/model';
import { EMPTY_TEXT, initialState, render, renderInto, renderToolbar, SidebarActions, summary } from '../lab/view';

function run(id: number, extra: Partial<Run> = {}): Run {
  return {
    id,
    tool: 'umlaut',
    name: `run-${id}`,
    notebook_path: 'train.ipynb',
    kernel_id: 'k',
    cell_id: 'c1',
    execution_count: 2,
    status: 'running',
    kernel_alive: true,
    started: 100 + id,
    ended: null,
    updated: 100 + id,
    latest_epoch: 0,
    epochs: 1,
    findings: { critical: 0, error: 1, warning: 2 },
    config: {},
    ...extra
  };
}

const FINDING: Finding = {
  id: 11,
  key: 'missing-activation',
  subject: 'dense_1',
  severity: 'error',
  title: 'Missing activation after dense_1',
  epochs: [-1],
  context: {},
  location: { file: '/tmp/ipykernel_1/1.py', line: 3, cell_id: 'c1', execution_count: 2, notebook_path: null, code: null }
};

function actions(): SidebarActions {
  return { toggleRun: vi.fn(), openFinding: vi.fn(), openRun: vi.fn(), retry: vi.fn(), setFilter: vi.fn(), askDelete: vi.fn(), confirmDelete: vi.fn() };
}

describe('sidebar view', () => {
  it('shows loading, then the empty state', () => {
    const state = initialState();
    expect(render(state, actions()).textContent).toContain('Loading runs');
    state.loading = false;
    state.data = { runs: [], store: '' };
    expect(render(state, actions()).querySelector('.mlnb-empty')!.textContent).toBe(EMPTY_TEXT);
  });

  it('shows a server error with a working retry button, and keeps the last runs', () => {
    const state = { ...initialState(), loading: false, error: 'The mlnb server answered 500.' };
    const a = actions();
    const el = render(state, a);
    const alert = el.querySelector('[role="alert"]')!;
    expect(alert.textContent).toContain('The mlnb server answered 500.');
    expect(el.querySelector('.mlnb-empty')).toBeNull(); // an error is not "no runs"
    (el.querySelector('button.mlnb-retry') as HTMLButtonElement).click();
    expect(a.retry).toHaveBeenCalledOnce();
    state.data = { runs: [run(1)], store: '' };
    const again = render(state, a);
    expect(again.querySelector('[role="alert"]')!.textContent).toContain('last runs received');
    expect(again.querySelectorAll('.mlnb-run')).toHaveLength(1);
  });

  it('groups runs and shows status, epoch and severity counts', () => {
    const state = {
      ...initialState(),
      loading: false,
      data: {
        runs: [run(1), run(2, { notebook_path: null, status: 'finished', latest_epoch: null, epochs: 0 }), run(3, { kernel_alive: false })],
        store: ''
      }
    };
    const el = render(state, actions());
    const groups = [...el.querySelectorAll('.mlnb-group')];
    expect(groups.map(g => g.querySelector('h3')!.textContent)).toEqual(['train.ipynb', NO_NOTEBOOK]);
    const first = el.querySelector('[data-run-id="1"]')!;
    expect(first.querySelector('.mlnb-status')!.textContent).toBe('running');
    expect(first.querySelector('.mlnb-epoch')!.textContent).toBe('1 epoch'); // the store's count: epoch 0 is one epoch
    expect(first.querySelector('[data-severity="error"]')!.textContent).toBe('1');
    expect(first.querySelector('[data-severity="warning"]')!.textContent).toBe('2');
    expect(first.querySelector('[data-severity="critical"]')).toBeNull();
    expect(first.querySelector('.mlnb-counts')!.getAttribute('aria-label')).toBe('1 error, 2 warnings');
    expect(el.querySelector('[data-run-id="3"] .mlnb-status')!.textContent).toBe('dead');
    expect(el.querySelector('[data-run-id="2"] .mlnb-epoch')!.textContent).toBe('no epoch yet');
  });

  it('expands a run into its findings; clicking a located finding asks to open it', () => {
    const a = actions();
    const state = { ...initialState(), loading: false, data: { runs: [run(1)], store: '' } };
    let el = render(state, a);
    const toggle = el.querySelector('.mlnb-run-toggle') as HTMLButtonElement;
    expect(toggle.getAttribute('aria-expanded')).toBe('false');
    toggle.click();
    expect(a.toggleRun).toHaveBeenCalledWith(state.data.runs[0]);

    state.expanded.add(1);
    state.details.set(1, { findings: [FINDING, { ...FINDING, id: 12, title: 'No place', location: null, severity: 'warning' }], error: null });
    el = render(state, a);
    expect(el.querySelector('.mlnb-run-toggle')!.getAttribute('aria-expanded')).toBe('true');
    const items = el.querySelectorAll('.mlnb-finding');
    expect(items).toHaveLength(2);
    // the shared card (js/common/cards.ts), as in the widgets
    expect(items[0].matches('details.mlnb-card.mlnb-sev-error')).toBe(true);
    expect(items[0].textContent).toContain('cell [2], line 3');
    expect(items[0].textContent).toContain('before training');
    (items[0].querySelector('button.mlnb-card-where') as HTMLButtonElement).click();
    expect(a.openFinding).toHaveBeenCalledWith(state.data.runs[0], FINDING);
    expect(items[1].querySelector('button')).toBeNull(); // nothing to jump to
  });

  it('keeps keyboard focus on the same control across refreshes', () => {
    const host = document.createElement('div');
    document.body.append(host);
    const a = actions();
    const state = { ...initialState(), loading: false, data: { runs: [run(1), run(2)], store: '' } };
    renderInto(host, state, a);
    (host.querySelector('[data-run-id="2"] .mlnb-run-toggle') as HTMLElement).focus();
    renderInto(host, { ...state, data: { runs: [run(1, { latest_epoch: 5, epochs: 6 }), run(2)], store: '' } }, a);
    expect(document.activeElement?.getAttribute('data-focus-key')).toBe('run-2');
    expect(host.querySelector('[data-run-id="1"] .mlnb-epoch')!.textContent).toBe('6 epochs');
  });

  it('filters and searches, and says how many runs are shown', () => {
    const a = actions();
    const runs = [run(1, { name: 'buggy', titles: ['Missing activation'] }), run(2, { tool: 'imacs', status: 'finished', config: { model_a: 'A1', model_b: 'B1', target: 3 } })];
    const state = { ...initialState(), loading: false, data: { runs, store: '' } };
    let el = render(state, a);
    expect(el.querySelector('[data-run-id="2"] .mlnb-run-summary')!.textContent).toBe('A1 vs B1 · target 3'); // not "no epoch yet"
    el = render({ ...state, filter: { tool: '', status: '', query: 'activation' } }, a);
    expect([...el.querySelectorAll('.mlnb-run')].map(r => r.getAttribute('data-run-id'))).toEqual(['1']);
    expect(el.querySelector('.mlnb-filter-count')!.textContent).toContain('1 of 2 runs shown');
    (el.querySelector('.mlnb-filter-clear') as HTMLButtonElement).click();
    expect(a.setFilter).toHaveBeenCalledWith({ tool: '', status: '', query: '' });
    el = render({ ...state, filter: { tool: 'acumen', status: '', query: '' } }, a);
    expect(el.querySelector('.mlnb-no-match')!.textContent).toBe('No runs match the filter.');

    const toolbar = renderToolbar(state, a);
    const search = toolbar.el.querySelector('input') as HTMLInputElement;
    search.value = 'imacs';
    search.dispatchEvent(new Event('input'));
    expect(a.setFilter).toHaveBeenCalledWith({ query: 'imacs' });
    const status = toolbar.el.querySelector('.mlnb-filter-status') as HTMLSelectElement;
    status.value = 'finished';
    status.dispatchEvent(new Event('change'));
    expect(a.setFilter).toHaveBeenCalledWith({ status: 'finished' });
  });

  it('deletes only after a confirmation, never a running run', () => {
    const a = actions();
    const runs = [run(1), run(2, { status: 'finished' }), run(3, { status: 'failed' })];
    const state = { ...initialState(), loading: false, data: { runs, store: '' } };
    let el = render(state, a);
    expect((el.querySelector('[data-run-id="1"] .mlnb-run-delete') as HTMLButtonElement).disabled).toBe(true);
    (el.querySelector('[data-run-id="2"] .mlnb-run-delete') as HTMLButtonElement).click();
    expect(a.askDelete).toHaveBeenCalledWith({ kind: 'run', id: 2 });
    expect(a.confirmDelete).not.toHaveBeenCalled();
    el = render({ ...state, confirm: { kind: 'run', id: 2 } }, a);
    const confirm = el.querySelector('[data-run-id="2"] .mlnb-confirm')!;
    expect(confirm.textContent).toContain('Delete umlaut run "run-2"');
    (confirm.querySelector('.mlnb-confirm-yes') as HTMLButtonElement).click();
    expect(a.confirmDelete).toHaveBeenCalledWith({ kind: 'run', id: 2 });
    (confirm.querySelector('.mlnb-confirm-no') as HTMLButtonElement).click();
    expect(a.askDelete).toHaveBeenLastCalledWith(null);

    const group = el.querySelector('.mlnb-group-delete') as HTMLButtonElement;
    expect(group.title).toContain('2 finished runs');
    group.click();
    expect(a.askDelete).toHaveBeenLastCalledWith({ kind: 'notebook', path: 'train.ipynb' });
    el = render({ ...state, confirm: { kind: 'notebook', path: 'train.ipynb' } }, a);
    expect(el.querySelector('.mlnb-group > .mlnb-confirm')!.textContent).toContain('Delete all 2 finished runs of train.ipynb');
  });

  it('summarises for screen readers', () => {
    const state = { ...initialState(), loading: false, data: { runs: [run(1), run(2, { status: 'finished' })], store: '' } };
    expect(summary(state)).toBe('2 runs, 1 running');
  });
});
