/**
 * The sidebar's DOM, rendered from a plain state object. No JupyterLab imports: the panel
 * (`panel.ts`) owns the state, the polling and the actions; this module only draws.
 *
 * Accessibility: every action is a <button> (keyboard and screen readers work without extra
 * code), run rows expand with aria-expanded/aria-controls, live status changes are announced
 * through an aria-live region, and the error state is a role="alert".
 */
import { cardOfFinding, renderCard } from '../common/cards';
import { h } from '../common/dom';
import { plural } from '../common/format';
import { Finding, Run, RunsResponse, STATUSES } from './api';
import {
  canDelete,
  filterRuns,
  formatAgo,
  groupRuns,
  isFiltered,
  NO_FILTER,
  notebookOf,
  RunFilter,
  runSummary,
  severityEntries,
  sortFindings,
  statusBadge,
  totalFindings
} from './model';

export interface RunDetailState {
  findings: Finding[] | null;
  error: string | null;
}

/** What a delete asks to remove: one run, or every finished run of a notebook. */
export type DeleteTarget = { kind: 'run'; id: number } | { kind: 'notebook'; path: string };

export interface SidebarState {
  /** The last good answer of the runs list (kept while a later poll fails). */
  data: RunsResponse | null;
  /** The message of the last failed poll; null once a poll succeeds. */
  error: string | null;
  /** True until the first poll settles. */
  loading: boolean;
  /** Runs whose findings are shown. */
  expanded: Set<number>;
  details: Map<number, RunDetailState>;
  /** The server root (file system), to turn kernels' absolute notebook paths into API paths. */
  serverRoot: string;
  /** ms since epoch of the last successful poll. */
  lastUpdated: number | null;
  /** The filter bar: tool, status, search text. */
  filter: RunFilter;
  /** The delete waiting for the user's confirmation. */
  confirm: DeleteTarget | null;
}

export interface SidebarActions {
  toggleRun(run: Run): void;
  openFinding(run: Run, finding: Finding): void;
  openRun(run: Run): void;
  retry(): void;
  setFilter(filter: Partial<RunFilter>): void;
  /** Ask before deleting (shows the confirmation); null cancels. */
  askDelete(target: DeleteTarget | null): void;
  /** The user confirmed: delete. */
  confirmDelete(target: DeleteTarget): void;
}

export const EMPTY_TEXT = 'No runs yet — %load_ext mlnb then train with %%umlaut';

export function initialState(serverRoot = ''): SidebarState {
  return {
    data: null,
    error: null,
    loading: true,
    expanded: new Set(),
    details: new Map(),
    serverRoot,
    lastUpdated: null,
    filter: { ...NO_FILTER },
    confirm: null
  };
}

function severityCounts(run: Run): HTMLElement {
  const entries = severityEntries(run.findings);
  const total = totalFindings(run.findings);
  const label = total
    ? entries.map(([s, n]) => `${n} ${s}${n === 1 ? '' : s === 'critical' ? '' : 's'}`).join(', ')
    : 'no findings';
  const box = h('span', { className: 'mlnb-counts', 'aria-label': label, title: label });
  if (!total) {
    box.append(h('span', { className: 'mlnb-count mlnb-count-none' }, '✓'));
  }
  for (const [severity, n] of entries) {
    box.append(h('span', { className: `mlnb-count mlnb-sev-${severity}`, 'data-severity': severity }, String(n)));
  }
  return box;
}

/** A finding as the shared card (js/common/cards.ts); "go to code" goes through the panel. */
function findingItem(run: Run, finding: Finding, actions: SidebarActions): HTMLElement {
  const card = renderCard(cardOfFinding(finding), {
    className: 'mlnb-finding',
    reveal: () => actions.openFinding(run, finding)
  });
  card.dataset.findingId = String(finding.id);
  card.querySelector('.mlnb-card-where')?.setAttribute('data-focus-key', `finding-${run.id}-${finding.id}`);
  return card;
}

function confirmBox(text: string, target: DeleteTarget, actions: SidebarActions): HTMLElement {
  const yes = h('button', { type: 'button', className: 'mlnb-confirm-yes', 'data-focus-key': 'confirm-yes' }, 'Delete');
  const no = h('button', { type: 'button', className: 'mlnb-confirm-no', 'data-focus-key': 'confirm-no' }, 'Cancel');
  yes.addEventListener('click', () => actions.confirmDelete(target));
  no.addEventListener('click', () => actions.askDelete(null));
  return h('div', { className: 'mlnb-confirm', role: 'alertdialog', 'aria-label': text }, h('span', {}, text), yes, no);
}

function runDetail(run: Run, state: SidebarState, actions: SidebarActions): HTMLElement {
  const detail = state.details.get(run.id);
  const box = h('div', { className: 'mlnb-run-detail', id: `mlnb-run-detail-${run.id}` });
  if (!detail || (detail.findings === null && detail.error === null)) {
    box.append(h('div', { className: 'mlnb-muted' }, 'Loading findings…'));
    return box;
  }
  if (detail.error) {
    box.append(h('div', { className: 'mlnb-error-inline', role: 'alert' }, detail.error));
  }
  if (detail.findings) {
    if (!detail.findings.length) {
      box.append(h('div', { className: 'mlnb-muted' }, 'No findings.'));
    } else {
      const list = h('ul', { className: 'mlnb-findings', 'aria-label': `Findings of ${run.name}` });
      for (const f of sortFindings(detail.findings)) {
        list.append(h('li', {}, findingItem(run, f, actions)));
      }
      box.append(list);
    }
  }
  return box;
}

function runItem(run: Run, state: SidebarState, actions: SidebarActions): HTMLElement {
  const badge = statusBadge(run);
  const expanded = state.expanded.has(run.id);
  const what = runSummary(run);
  const toggle = h(
    'button',
    {
      type: 'button',
      className: 'mlnb-run-toggle',
      'aria-expanded': expanded ? 'true' : 'false',
      'aria-controls': `mlnb-run-detail-${run.id}`,
      'data-focus-key': `run-${run.id}`,
      title: `${run.tool} run "${run.name}": ${badge.title}, ${what}, started ${formatAgo(run.started)}`
    },
    h('span', { className: 'mlnb-caret', 'aria-hidden': 'true' }, expanded ? '▾' : '▸'),
    h('span', { className: 'mlnb-tool' }, run.tool),
    h('span', { className: 'mlnb-run-name' }, run.name),
    h('span', { className: `mlnb-status mlnb-status-${badge.status}`, 'data-status': badge.status, title: badge.title }, badge.label),
    h('span', { className: 'mlnb-epoch mlnb-run-summary', 'data-epochs': run.epochs }, what),
    severityCounts(run)
  );
  toggle.addEventListener('click', () => actions.toggleRun(run));
  const li = h('li', { className: 'mlnb-run', 'data-run-id': run.id, 'data-status': badge.status }, toggle);
  const tools = h('span', { className: 'mlnb-run-actions' });
  if (notebookOf(run.notebook_path) && (run.cell_id || run.execution_count !== null)) {
    const open = h(
      'button',
      {
        type: 'button',
        className: 'mlnb-run-open',
        'data-focus-key': `run-open-${run.id}`,
        'aria-label': `Go to the cell that started ${run.name}`,
        title: 'Go to the cell that started this run'
      },
      '↗'
    );
    open.addEventListener('click', () => actions.openRun(run));
    tools.append(open);
  }
  const deletable = canDelete(run);
  const del = h(
    'button',
    {
      type: 'button',
      className: 'mlnb-run-delete',
      'data-focus-key': `run-delete-${run.id}`,
      'aria-label': `Delete ${run.name}`,
      title: deletable ? 'Delete this run and its findings' : 'A running run cannot be deleted',
      disabled: !deletable
    },
    '✕'
  );
  del.addEventListener('click', () => actions.askDelete({ kind: 'run', id: run.id }));
  tools.append(del);
  li.append(tools);
  const confirm = state.confirm;
  if (confirm?.kind === 'run' && confirm.id === run.id) {
    li.append(confirmBox(`Delete ${run.tool} run "${run.name}" and its findings? This cannot be undone.`, confirm, actions));
  }
  if (expanded) {
    li.append(runDetail(run, state, actions));
  }
  return li;
}

/**
 * The filter bar: search, tool and status. Built once by the panel (outside the part that is
 * redrawn every poll, so typing keeps its caret); `sync` writes a state's filter back into it.
 */
export function renderToolbar(state: SidebarState, actions: SidebarActions): { el: HTMLElement; sync: (s: SidebarState) => void } {
  const search = h('input', {
    type: 'search',
    className: 'mlnb-search',
    placeholder: 'Search runs, notebooks, findings',
    'aria-label': 'Search runs by name, notebook or finding title',
    value: state.filter.query
  }) as HTMLInputElement;
  search.addEventListener('input', () => actions.setFilter({ query: search.value }));
  const select = (label: string, name: 'tool' | 'status', options: readonly string[], any: string) => {
    const el = h('select', { className: `mlnb-filter-${name}`, 'aria-label': label }) as HTMLSelectElement;
    el.append(h('option', { value: '' }, any), ...options.map(o => h('option', { value: o }, o)));
    el.value = state.filter[name];
    el.addEventListener('change', () => actions.setFilter({ [name]: el.value }));
    return el;
  };
  const tool = select('Filter by tool', 'tool', ['umlaut', 'acumen', 'imacs'], 'all tools');
  const status = select('Filter by status', 'status', STATUSES, 'any status');
  const el = h('div', { className: 'mlnb-toolbar', role: 'search' }, search, h('div', { className: 'mlnb-toolbar-row' }, tool, status));
  const sync = (s: SidebarState) => {
    if (search.value !== s.filter.query) {
      search.value = s.filter.query;
    }
    tool.value = s.filter.tool;
    status.value = s.filter.status;
  };
  return { el, sync };
}

/** Render the whole panel body for `state`. */
export function render(state: SidebarState, actions: SidebarActions): HTMLElement {
  const root = h('div', { className: 'mlnb-sidebar-body' });
  if (state.error) {
    const retry = h('button', { type: 'button', className: 'mlnb-retry', 'data-focus-key': 'retry' }, 'Retry');
    retry.addEventListener('click', () => actions.retry());
    root.append(
      h(
        'div',
        { className: 'mlnb-error', role: 'alert' },
        h('span', { className: 'mlnb-error-message' }, state.error),
        state.data ? h('span', { className: 'mlnb-muted' }, ' (showing the last runs received)') : null,
        retry
      )
    );
  }
  if (state.loading && !state.data) {
    root.append(h('div', { className: 'mlnb-muted mlnb-loading' }, 'Loading runs…'));
    return root;
  }
  const all = state.data?.runs ?? [];
  if (!all.length) {
    if (!state.error) {
      root.append(h('div', { className: 'mlnb-empty' }, EMPTY_TEXT));
    }
    return root;
  }
  const runs = filterRuns(all, state.filter, state.serverRoot);
  if (isFiltered(state.filter)) {
    const clear = h('button', { type: 'button', className: 'mlnb-filter-clear', 'data-focus-key': 'filter-clear' }, 'clear filter');
    clear.addEventListener('click', () => actions.setFilter({ ...NO_FILTER }));
    root.append(h('div', { className: 'mlnb-filter-count mlnb-muted' }, `${runs.length} of ${plural(all.length, 'run')} shown · `, clear));
  }
  if (!runs.length) {
    root.append(h('div', { className: 'mlnb-empty mlnb-no-match' }, 'No runs match the filter.'));
  }
  const finishedOf = new Map<string, number>();
  for (const group of groupRuns(all, state.serverRoot)) {
    if (group.path) {
      finishedOf.set(group.path, group.runs.filter(canDelete).length);
    }
  }
  for (const group of groupRuns(runs, state.serverRoot)) {
    const list = h('ul', { className: 'mlnb-runs', 'aria-label': `Runs of ${group.label}` });
    for (const run of group.runs) {
      list.append(runItem(run, state, actions));
    }
    const head = h('div', { className: 'mlnb-group-head' }, h('h3', { className: 'mlnb-group-title', title: group.label }, group.label));
    const finished = group.path ? finishedOf.get(group.path) ?? 0 : 0;
    const section = h('section', { className: 'mlnb-group', 'data-notebook': group.path ?? '' }, head);
    if (group.path && finished) {
      const target: DeleteTarget = { kind: 'notebook', path: group.path };
      const del = h(
        'button',
        {
          type: 'button',
          className: 'mlnb-group-delete',
          'data-focus-key': `group-delete-${group.path}`,
          title: `Delete the ${plural(finished, 'finished run')} of this notebook (running runs stay)`
        },
        'delete finished'
      );
      del.addEventListener('click', () => actions.askDelete(target));
      head.append(del);
      const confirm = state.confirm;
      if (confirm?.kind === 'notebook' && confirm.path === group.path) {
        section.append(confirmBox(`Delete all ${plural(finished, 'finished run')} of ${group.label} and their findings? Running runs stay. This cannot be undone.`, confirm, actions));
      }
    }
    section.append(list);
    root.append(section);
  }
  if (state.data?.store) {
    root.append(h('div', { className: 'mlnb-footer mlnb-muted', title: state.data.store }, `Store: ${state.data.store}`));
  }
  return root;
}

/**
 * Replace `host`'s content with `render(state)`, keeping keyboard focus on the same control
 * (each control carries a stable data-focus-key), so a 2-second refresh never steals focus.
 */
export function renderInto(host: HTMLElement, state: SidebarState, actions: SidebarActions): void {
  const active = document.activeElement as HTMLElement | null;
  const focusKey = active && host.contains(active) ? active.getAttribute('data-focus-key') : null;
  const scroll = host.scrollTop;
  host.replaceChildren(render(state, actions));
  host.scrollTop = scroll;
  if (focusKey) {
    (host.querySelector(`[data-focus-key="${focusKey}"]`) as HTMLElement | null)?.focus();
  }
}

/** One sentence summarising the runs, for the aria-live region ("2 runs, 1 running"). */
export function summary(state: SidebarState): string {
  if (state.error) {
    return `mlnb: ${state.error}`;
  }
  const runs = state.data?.runs ?? [];
  const running = runs.filter(r => statusBadge(r).status === 'running').length;
  return `${runs.length} run${runs.length === 1 ? '' : 's'}, ${running} running`;
}
