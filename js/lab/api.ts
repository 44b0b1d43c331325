/**
 * The mlnb REST API as the sidebar sees it: the parsing of responses. The data shapes and their
 * parsers live in js/common/schema.ts (shared with the widgets); `client.ts` does the HTTP.
 *
 *   GET mlnb/api/runs       -> {runs: Run[], store: string}
 *   GET mlnb/api/runs/<id>  -> {run: Run, metrics: Metrics[], findings: Finding[]}
 *   DELETE mlnb/api/runs/<id>               -> {deleted: [id]}   (409 while the run runs)
 *   DELETE mlnb/api/runs?notebook=<path>    -> {deleted: [ids]}  (the notebook's finished runs)
 *
 * Non-finite numbers arrive as the strings "NaN", "Infinity" and "-Infinity" (JSON has no
 * spelling for them); `reviveNumbers` (js/common/json.ts) turns them back into numbers.
 */
import { isObject, reviveNumbers } from '../common/json';
import { Finding, Metrics, parseFinding, parseRun as parseRunSchema, Run, SchemaError } from '../common/schema';

export type { Finding, Location, Metrics, Run, RunStatus, Severity, SeverityCounts, Tool } from '../common/schema';
export { SEVERITIES, STATUSES } from '../common/schema';
export { reviveNumbers } from '../common/json';

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

/** Parse the body of `GET mlnb/api/runs/<id>`. */
export function parseRunDetail(body: unknown): RunDetail {
  if (!isObject(body) || !isObject(body.run)) {
    throw new ApiError('The server sent an unexpected answer for a run (no "run" object).', 200);
  }
  return {
    run: parseRun(body.run),
    metrics: Array.isArray(body.metrics) ? (reviveNumbers(body.metrics) as Metrics[]) : [],
    findings: Array.isArray(body.findings) ? body.findings.map(parseFindingOrThrow) : []
  };
}

/** Parse the body of a DELETE: the ids deleted. */
export function parseDeleted(body: unknown): number[] {
  if (!isObject(body) || !Array.isArray(body.deleted)) {
    throw new ApiError('The server sent an unexpected answer for a delete (no "deleted" list).', 200);
  }
  return body.deleted.filter((id): id is number => typeof id === 'number');
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

/** Parse one run, reporting a bad one as the API's error. */
export function parseRun(value: unknown): Run {
  try {
    return parseRunSchema(value);
  } catch (err) {
    throw err instanceof SchemaError ? new ApiError(`The server sent ${err.message}`, 200) : err;
  }
}

function parseFindingOrThrow(value: unknown): Finding {
  try {
    return parseFinding(value);
  } catch (err) {
    throw err instanceof SchemaError ? new ApiError(`The server sent ${err.message}`, 200) : err;
  }
}
