/**
 * The sidebar's DOM, rendered from a plain state object. No JupyterLab imports: the panel
 * (`panel.ts`) owns the state, the polling and the actions; this module only draws.
 *
 * Accessibility: every action is a <button> (keyboard and screen readers work without extra
 * code), run rows expand with aria-expanded/aria-controls, live status changes are announced
 * through an aria-live region, and the error state is a role="alert".
 */
import { h } from '../common/dom';
import { Finding, Run, RunsResponse } from './api';
import {
  formatAgo,
  formatEpoch,
  formatEpochs,
  formatLocation,
  groupRuns,
  jumpTarget,
  notebookOf,
  severityEntries,
  sortFindings,
  statusBadge,
  totalFindings
} from './model';

export interface RunDetailState {
  findings: Finding[] | null;
  error: string | null;
}

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
}

export interface SidebarActions {
  toggleRun(run: Run): void;
  openFinding(run: Run, finding: Finding): void;
  openRun(run: Run): void;
  retry(): void;
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
    lastUpdated: null
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

function findingItem(run: Run, finding: Finding, state: SidebarState, actions: SidebarActions): HTMLElement {
  const where = formatLocation(finding.location);
  const epochs = formatEpochs(finding.epochs);
  const jump = jumpTarget(finding.location, run.notebook_path, state.serverRoot) !== null;
  const body = [
    h('span', { className: `mlnb-sev-dot mlnb-sev-${finding.severity}`, title: finding.severity, 'aria-hidden': 'true' }),
    h(
      'span',
      { className: 'mlnb-finding-text' },
      h('span', { className: 'mlnb-finding-title' }, finding.title),
      h(
        'span',
        { className: 'mlnb-finding-meta' },
        [finding.severity, epochs ? `epochs ${epochs}` : '', where].filter(Boolean).join(' · ')
      )
    )
  ];
  const item = h('li', {
    className: `mlnb-finding mlnb-finding-${finding.severity}`,
    'data-finding-id': finding.id,
    'data-key': finding.key
  });
  if (jump) {
    item.append(
      h(
        'button',
        {
          type: 'button',
          className: 'mlnb-finding-button',
          'data-focus-key': `finding-${run.id}-${finding.id}`,
          'aria-label': `${finding.severity}: ${finding.title}. Go to ${where}`,
          title: `Go to ${where}`
        },
        ...body
      )
    );
    (item.firstChild as HTMLElement).addEventListener('click', () => actions.openFinding(run, finding));
  } else {
    item.append(h('div', { className: 'mlnb-finding-static' }, ...body));
  }
  return item;
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
        list.append(findingItem(run, f, state, actions));
      }
      box.append(list);
    }
  }
  return box;
}

function runItem(run: Run, state: SidebarState, actions: SidebarActions): HTMLElement {
  const badge = statusBadge(run);
  const expanded = state.expanded.has(run.id);
  const toggle = h(
    'button',
    {
      type: 'button',
      className: 'mlnb-run-toggle',
      'aria-expanded': expanded ? 'true' : 'false',
      'aria-controls': `mlnb-run-detail-${run.id}`,
      'data-focus-key': `run-${run.id}`,
      title: `${run.tool} run "${run.name}": ${badge.title}, ${formatEpoch(run.latest_epoch)}, started ${formatAgo(run.started)}`
    },
    h('span', { className: 'mlnb-caret', 'aria-hidden': 'true' }, expanded ? '▾' : '▸'),
    h('span', { className: 'mlnb-tool' }, run.tool),
    h('span', { className: 'mlnb-run-name' }, run.name),
    h('span', { className: `mlnb-status mlnb-status-${badge.status}`, 'data-status': badge.status, title: badge.title }, badge.label),
    h('span', { className: 'mlnb-epoch', 'data-epoch': run.latest_epoch ?? '' }, formatEpoch(run.latest_epoch)),
    severityCounts(run)
  );
  toggle.addEventListener('click', () => actions.toggleRun(run));
  const li = h('li', { className: 'mlnb-run', 'data-run-id': run.id, 'data-status': badge.status }, toggle);
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
    li.append(open);
  }
  if (expanded) {
    li.append(runDetail(run, state, actions));
  }
  return li;
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
  const runs = state.data?.runs ?? [];
  if (!runs.length) {
    if (!state.error) {
      root.append(h('div', { className: 'mlnb-empty' }, EMPTY_TEXT));
    }
    return root;
  }
  for (const group of groupRuns(runs, state.serverRoot)) {
    const list = h('ul', { className: 'mlnb-runs', 'aria-label': `Runs of ${group.label}` });
    for (const run of group.runs) {
      list.append(runItem(run, state, actions));
    }
    root.append(
      h(
        'section',
        { className: 'mlnb-group', 'data-notebook': group.path ?? '' },
        h('h3', { className: 'mlnb-group-title', title: group.label }, group.label),
        list
      )
    );
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
