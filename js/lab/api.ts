/**
 * The mlnb REST API as the sidebar sees it: types and the parsing of responses.
 *
 * Pure (no JupyterLab imports) so it can be unit-tested; `client.ts` does the HTTP.
 *
 *   GET mlnb/api/runs       -> {runs: Run[], store: string}
 *   GET mlnb/api/runs/<id>  -> {run: Run, metrics: Metrics[], findings: Finding[]}
 *
 * Non-finite numbers arrive as the strings "NaN", "Infinity" and "-Infinity" (JSON has no
 * spelling for them); `reviveNumbers` turns them back into numbers.
 */

export type Tool = 'umlaut' | 'acumen' | 'imacs';
export type RunStatus = 'running' | 'finished' | 'failed' | 'interrupted' | 'dead';
export type Severity = 'critical' | 'error' | 'warning';

export const SEVERITIES: readonly Severity[] = ['critical', 'error', 'warning'];
export const STATUSES: readonly RunStatus[] = ['running', 'finished', 'failed', 'interrupted', 'dead'];

export type SeverityCounts = Record<Severity, number>;

export interface Run {
  id: number;
  tool: Tool | string;
  name: string;
  notebook_path: string | null;
  kernel_id: string | null;
  cell_id: string | null;
  execution_count: number | null;
  status: RunStatus;
  kernel_alive: boolean | null;
  started: number;
  ended: number | null;
  updated: number;
  latest_epoch: number | null;
  findings: SeverityCounts;
  config: Record<string, unknown>;
}

export interface Location {
  file: string | null;
  line: number | null;
  cell_id: string | null;
  execution_count: number | null;
  notebook_path: string | null;
  code: string | null;
}

export interface Finding {
  id: number;
  key: string;
  subject: string;
  severity: Severity;
  title: string;
  epochs: number[];
  context: Record<string, unknown>;
  location: Location | null;
}

export type Metrics = { epoch: number } & Record<string, number | null>;

export interface RunsResponse {
  runs: Run[];
  store: string;
}

export interface RunDetail {
  run: Run;
  metrics: Metrics[];
  findings: Finding[];
}

/** The error the API reports, with its HTTP status (0 when the server could not be reached). */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

const NON_FINITE: Record<string, number> = {
  NaN: NaN,
  Infinity: Infinity,
  '-Infinity': -Infinity
};

/** Deep copy of `value` with "NaN"/"Infinity"/"-Infinity" strings turned back into numbers. */
export function reviveNumbers<T>(value: T): T {
  if (typeof value === 'string' && value in NON_FINITE) {
    return NON_FINITE[value] as unknown as T;
  }
  if (Array.isArray(value)) {
    return value.map(reviveNumbers) as unknown as T;
  }
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      out[k] = reviveNumbers(v);
    }
    return out as T;
  }
  return value;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function normaliseCounts(value: unknown): SeverityCounts {
  const counts = isObject(value) ? value : {};
  const out = {} as SeverityCounts;
  for (const s of SEVERITIES) {
    const n = counts[s];
    out[s] = typeof n === 'number' && Number.isFinite(n) ? n : 0;
  }
  return out;
}

/** Validate one run object; missing optional fields get their empty values. */
export function parseRun(value: unknown): Run {
  if (!isObject(value) || typeof value.id !== 'number' || typeof value.name !== 'string') {
    throw new ApiError(`The server sent a run without an id or name: ${JSON.stringify(value)}`, 200);
  }
  const status = STATUSES.includes(value.status as RunStatus) ? (value.status as RunStatus) : 'running';
  return {
    id: value.id,
    tool: typeof value.tool === 'string' ? value.tool : 'umlaut',
    name: value.name,
    notebook_path: typeof value.notebook_path === 'string' && value.notebook_path ? value.notebook_path : null,
    kernel_id: typeof value.kernel_id === 'string' ? value.kernel_id : null,
    cell_id: typeof value.cell_id === 'string' ? value.cell_id : null,
    execution_count: typeof value.execution_count === 'number' ? value.execution_count : null,
    status,
    kernel_alive: typeof value.kernel_alive === 'boolean' ? value.kernel_alive : null,
    started: typeof value.started === 'number' ? value.started : 0,
    ended: typeof value.ended === 'number' ? value.ended : null,
    updated: typeof value.updated === 'number' ? value.updated : 0,
    latest_epoch: typeof value.latest_epoch === 'number' ? value.latest_epoch : null,
    findings: normaliseCounts(value.findings),
    config: isObject(value.config) ? value.config : {}
  };
}

/** Parse the body of `GET mlnb/api/runs`. */
export function parseRunsResponse(body: unknown): RunsResponse {
  if (!isObject(body) || !Array.isArray(body.runs)) {
    throw new ApiError('The server sent an unexpected answer for mlnb/api/runs (no "runs" list).', 200);
  }
  return {
    runs: body.runs.map(parseRun),
    store: typeof body.store === 'string' ? body.store : ''
  };
}

function parseLocation(value: unknown): Location | null {
  if (!isObject(value)) {
    return null;
  }
  const str = (k: string) => (typeof value[k] === 'string' && value[k] ? (value[k] as string) : null);
  const num = (k: string) => (typeof value[k] === 'number' ? (value[k] as number) : null);
  return {
    file: str('file'),
    line: num('line'),
    cell_id: str('cell_id'),
    execution_count: num('execution_count'),
    notebook_path: str('notebook_path'),
    code: str('code')
  };
}

/** Parse one finding; unknown severities are reported as warnings rather than dropped. */
export function parseFinding(value: unknown): Finding {
  if (!isObject(value) || typeof value.title !== 'string') {
    throw new ApiError(`The server sent a finding without a title: ${JSON.stringify(value)}`, 200);
  }
  const severity = SEVERITIES.includes(value.severity as Severity) ? (value.severity as Severity) : 'warning';
  return {
    id: typeof value.id === 'number' ? value.id : 0,
    key: typeof value.key === 'string' ? value.key : '',
    subject: typeof value.subject === 'string' ? value.subject : '',
    severity,
    title: value.title,
    epochs: Array.isArray(value.epochs) ? value.epochs.filter((e): e is number => typeof e === 'number') : [],
    context: isObject(value.context) ? reviveNumbers(value.context) : {},
    location: parseLocation(value.location)
  };
}

/** Parse the body of `GET mlnb/api/runs/<id>`. */
export function parseRunDetail(body: unknown): RunDetail {
  if (!isObject(body) || !isObject(body.run)) {
    throw new ApiError('The server sent an unexpected answer for a run (no "run" object).', 200);
  }
  return {
    run: parseRun(body.run),
    metrics: Array.isArray(body.metrics) ? (reviveNumbers(body.metrics) as Metrics[]) : [],
    findings: Array.isArray(body.findings) ? body.findings.map(parseFinding) : []
  };
}

/** The message to show for a failed response: the server's `message`, else the status text. */
export function errorMessage(status: number, body: unknown, statusText = ''): string {
  if (isObject(body) && typeof body.message === 'string' && body.message) {
    return body.message;
  }
  if (status === 403) {
    return 'Not authorised to read mlnb runs (403): reload the page or log in again.';
  }
  if (status === 404) {
    return 'The mlnb server extension is not enabled (404 for mlnb/api). Run `jupyter server extension enable mlnb` and restart JupyterLab.';
  }
  return `The mlnb server answered ${status}${statusText ? ' ' + statusText : ''}.`;
}
