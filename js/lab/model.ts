/**
 * What the sidebar shows, computed from API data: groups, badges and labels. Pure functions.
 */
import { Finding, Location, Run, RunStatus, SEVERITIES, Severity, SeverityCounts } from '../common/schema';

import { formatEpochCount, plural } from '../common/format';

export { formatAgo, formatEpoch, formatEpochCount, formatEpochs, formatLocation } from '../common/format';

/** The group of runs that were started outside any notebook. */
export const NO_NOTEBOOK = 'Scripts & consoles';

export interface RunGroup {
  /** The notebook path (an API path relative to the server root), or null for scripts & consoles. */
  path: string | null;
  label: string;
  runs: Run[];
}

/**
 * Turn the path a kernel reported (Jupyter Server hands kernels the notebook's *file system* path)
 * into the API path JupyterLab opens documents by. Paths already relative are returned unchanged.
 */
export function toApiPath(path: string | null, serverRoot: string): string | null {
  if (!path) {
    return null;
  }
  const p = path.replace(/\\/g, '/');
  const root = serverRoot.replace(/\\/g, '/').replace(/\/+$/, '');
  if (root && p.startsWith(root + '/')) {
    return p.slice(root.length + 1);
  }
  return p;
}

/**
 * The notebook a run belongs to, as an API path, or null. Kernels of consoles report their
 * session name (e.g. "Console 1") as the path: those runs are not in a notebook.
 */
export function notebookOf(path: string | null, serverRoot = ''): string | null {
  const p = toApiPath(path, serverRoot);
  return p && /\.ipynb$/i.test(p) ? p : null;
}

/**
 * Group runs by notebook: notebooks sorted by their most recent activity (newest first), runs in
 * each group newest first, and the scripts & consoles group last.
 */
export function groupRuns(runs: readonly Run[], serverRoot = ''): RunGroup[] {
  const groups = new Map<string | null, Run[]>();
  for (const run of runs) {
    const key = notebookOf(run.notebook_path, serverRoot);
    const list = groups.get(key);
    if (list) {
      list.push(run);
    } else {
      groups.set(key, [run]);
    }
  }
  const newest = (list: Run[]) => Math.max(...list.map(r => r.updated || r.started));
  const out: RunGroup[] = [];
  for (const [path, list] of groups) {
    list.sort((a, b) => b.started - a.started || b.id - a.id);
    out.push({ path, label: path ?? NO_NOTEBOOK, runs: list });
  }
  out.sort((a, b) => {
    if ((a.path === null) !== (b.path === null)) {
      return a.path === null ? 1 : -1;
    }
    return newest(b.runs) - newest(a.runs) || a.label.localeCompare(b.label);
  });
  return out;
}

export interface StatusBadge {
  status: RunStatus;
  label: string;
  /** Longer text for a tooltip / screen readers. */
  title: string;
}

const STATUS_TEXT: Record<RunStatus, string> = {
  running: 'Running',
  finished: 'Finished',
  failed: 'Failed',
  interrupted: 'Interrupted',
  dead: 'Kernel died'
};

/**
 * The badge of a run. A run still marked "running" whose kernel is known to be gone is shown as
 * dead: it will never finish.
 */
export function statusBadge(run: Pick<Run, 'status' | 'kernel_alive'>): StatusBadge {
  const status: RunStatus = run.status === 'running' && run.kernel_alive === false ? 'dead' : run.status;
  const label = status === 'dead' ? 'dead' : status;
  return { status, label, title: STATUS_TEXT[status] ?? status };
}

/** Where a jump goes: a notebook cell (by id, else execution count), or a line of a file. */
export type JumpTarget =
  | { kind: 'cell'; notebook_path: string; cell_id: string | null; execution_count: number | null; line: number | null }
  | { kind: 'file'; path: string; line: number | null };

/**
 * The jump for a location, or null when the front end cannot open it: a cell needs a notebook
 * (the location's, else the run's); a file must lie under the server root (an API path).
 */
export function jumpTarget(loc: Location | null, runNotebook: string | null, serverRoot = ''): JumpTarget | null {
  if (!loc) {
    return null;
  }
  if (loc.cell_id !== null || loc.execution_count !== null) {
    const notebook = notebookOf(loc.notebook_path || runNotebook, serverRoot);
    return notebook
      ? { kind: 'cell', notebook_path: notebook, cell_id: loc.cell_id, execution_count: loc.execution_count, line: loc.line }
      : null;
  }
  const file = toApiPath(loc.file, serverRoot);
  // Still absolute: outside the server root, so JupyterLab cannot open it.
  if (!file || /^([a-zA-Z]:)?\//.test(file) || file.startsWith('<')) {
    return null;
  }
  return { kind: 'file', path: file, line: loc.line };
}

/** Counts in severity order, without zeros: [["error", 1], ["warning", 3]]. */
export function severityEntries(counts: SeverityCounts): [Severity, number][] {
  return SEVERITIES.filter(s => counts[s] > 0).map(s => [s, counts[s]]);
}

export function totalFindings(counts: SeverityCounts): number {
  return SEVERITIES.reduce((n, s) => n + counts[s], 0);
}

/** Findings in severity order (critical first), then by first epoch. */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  const rank = (s: Severity) => SEVERITIES.indexOf(s);
  const first = (f: Finding) => (f.epochs.length ? Math.min(...f.epochs) : Infinity);
  return [...findings].sort((a, b) => rank(a.severity) - rank(b.severity) || first(a) - first(b) || a.id - b.id);
}

/** What the jump needs to know about a notebook cell. */
export interface CellRef {
  id: string;
  type: string;
  executionCount: number | null;
}

/**
 * The index of the cell a location points at: by cell id first (stable across re-runs and
 * edits), else by execution count (the last code cell showing that count), else -1.
 */
export function findCellIndex(cells: readonly CellRef[], target: { cell_id: string | null; execution_count: number | null }): number {
  if (target.cell_id) {
    const i = cells.findIndex(c => c.id === target.cell_id);
    if (i >= 0) {
      return i;
    }
  }
  if (target.execution_count !== null && target.execution_count !== undefined) {
    for (let i = cells.length - 1; i >= 0; i--) {
      if (cells[i].type === 'code' && cells[i].executionCount === target.execution_count) {
        return i;
      }
    }
  }
  return -1;
}

/** What the sidebar's filter bar asks for: '' means any. */
export interface RunFilter {
  tool: string;
  status: string;
  query: string;
}

export const NO_FILTER: RunFilter = { tool: '', status: '', query: '' };

export function isFiltered(filter: RunFilter): boolean {
  return !!(filter.tool || filter.status || filter.query.trim());
}

/**
 * The runs that pass the filter: the tool, the status as the badge shows it ("dead" included),
 * and a search (case-insensitive, every word) in the run's name, its notebook, its tool and the
 * titles of its findings.
 */
export function filterRuns(runs: readonly Run[], filter: RunFilter, serverRoot = ''): Run[] {
  const words = filter.query.toLowerCase().split(/\s+/).filter(Boolean);
  return runs.filter(run => {
    if (filter.tool && run.tool !== filter.tool) {
      return false;
    }
    if (filter.status && statusBadge(run).status !== filter.status) {
      return false;
    }
    if (!words.length) {
      return true;
    }
    const text = [run.name, toApiPath(run.notebook_path, serverRoot) ?? '', run.tool, ...(run.titles ?? [])].join('\n').toLowerCase();
    return words.every(w => text.includes(w));
  });
}

/** Whether a run may be deleted: not while it runs (a dead run's kernel is gone: it may). */
export function canDelete(run: Pick<Run, 'status' | 'kernel_alive'>): boolean {
  return statusBadge(run).status !== 'running';
}

const str = (v: unknown): string | null => (typeof v === 'string' && v ? v : typeof v === 'number' ? String(v) : null);
const count = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : Array.isArray(v) ? v.length : null);

/**
 * One line on what a run is, fitting its tool: UMLAUT counts epochs ("4 epochs", the store's
 * count); IMACS names its models, target class, images and clusters; ACUMEN its files and
 * projects. From the run's recorded config; parts it did not record are left out.
 */
export function runSummary(run: Pick<Run, 'tool' | 'epochs' | 'config'>): string {
  const c = run.config ?? {};
  if (run.tool === 'imacs') {
    const a = str(c.model_a);
    const b = str(c.model_b);
    const parts = [
      a || b ? `${a ?? 'A'} vs ${b ?? 'B'}` : 'models A vs B',
      str(c.target) !== null ? `target ${str(c.target)}` : '',
      count(c.n_images) !== null ? plural(count(c.n_images)!, 'image') : '',
      count(c.n_clusters) !== null ? plural(count(c.n_clusters)!, 'cluster') : ''
    ];
    return parts.filter(Boolean).join(' · ');
  }
  if (run.tool === 'acumen') {
    const files = count(c.files ?? c.n_files);
    const projects = count(c.projects ?? c.n_projects);
    const parts = [files !== null ? plural(files, 'file') : '', projects !== null ? plural(projects, 'project') : ''];
    return parts.filter(Boolean).join(' · ') || 'corpus';
  }
  return formatEpochCount(run.epochs);
}
