/**
 * The data contracts shared by the sidebar (js/lab) and the widgets (js/widgets), mirroring
 * `mlnb.schema` in Python: severities, run statuses, tools, and the finding / run / location
 * shapes with their lenient parsers (unknown values are shown, not dropped, as far as possible).
 * No JupyterLab imports.
 */
import { isObject, reviveNumbers } from './json';

export type Tool = 'umlaut' | 'acumen' | 'imacs';
export type RunStatus = 'running' | 'finished' | 'failed' | 'interrupted' | 'dead';
export type Severity = 'critical' | 'error' | 'warning';

/** Most severe first. */
export const SEVERITIES: readonly Severity[] = ['critical', 'error', 'warning'];
export const STATUSES: readonly RunStatus[] = ['running', 'finished', 'failed', 'interrupted', 'dead'];
export const TOOLS: readonly Tool[] = ['umlaut', 'acumen', 'imacs'];

export type SeverityCounts = Record<Severity, number>;

/** Where a finding points: a notebook cell (id and/or execution count) and line, or file:line. */
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
  /** -1 = before training. */
  epochs: number[];
  context: Record<string, unknown>;
  location: Location | null;
  /** Dismissed as a false alarm (kept in the store, struck through). */
  dismissed?: boolean;
}

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
  /** How many epochs the run has, counted once by the store (latest epoch + 1; 0 with none). */
  epochs: number;
  findings: SeverityCounts;
  /** The titles of its findings (the runs list sends them for the sidebar's search). */
  titles?: string[];
  config: Record<string, unknown>;
}

export type Metrics = { epoch: number } & Record<string, number | null>;

/** A value the parsers cannot accept at all (no id, no title). */
export class SchemaError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SchemaError';
  }
}

const str = (o: Record<string, unknown>, k: string): string | null =>
  typeof o[k] === 'string' && o[k] ? (o[k] as string) : null;
const num = (o: Record<string, unknown>, k: string): number | null =>
  typeof o[k] === 'number' && Number.isFinite(o[k]) ? Math.trunc(o[k] as number) : null;

export function parseSeverity(value: unknown): Severity {
  return SEVERITIES.includes(value as Severity) ? (value as Severity) : 'warning';
}

export function parseEpochs(value: unknown): number[] {
  return Array.isArray(value) ? value.filter((e): e is number => typeof e === 'number' && Number.isFinite(e)) : [];
}

export function parseLocation(value: unknown): Location | null {
  if (!isObject(value)) {
    return null;
  }
  return {
    file: str(value, 'file'),
    line: num(value, 'line'),
    cell_id: str(value, 'cell_id'),
    execution_count: num(value, 'execution_count'),
    notebook_path: str(value, 'notebook_path'),
    code: str(value, 'code')
  };
}

/** One finding; unknown severities are reported as warnings rather than dropped. */
export function parseFinding(value: unknown): Finding {
  if (!isObject(value) || typeof value.title !== 'string') {
    throw new SchemaError(`a finding without a title: ${JSON.stringify(value)}`);
  }
  return {
    id: typeof value.id === 'number' ? value.id : 0,
    key: typeof value.key === 'string' ? value.key : '',
    subject: typeof value.subject === 'string' ? value.subject : '',
    severity: parseSeverity(value.severity),
    title: value.title,
    epochs: parseEpochs(value.epochs),
    context: isObject(value.context) ? reviveNumbers(value.context) : {},
    location: parseLocation(value.location),
    dismissed: value.dismissed === true
  };
}

function parseCounts(value: unknown): SeverityCounts {
  const counts = isObject(value) ? value : {};
  const out = {} as SeverityCounts;
  for (const s of SEVERITIES) {
    const n = counts[s];
    out[s] = typeof n === 'number' && Number.isFinite(n) ? n : 0;
  }
  return out;
}

/** One run; missing optional fields get their empty values. */
export function parseRun(value: unknown): Run {
  if (!isObject(value) || typeof value.id !== 'number' || typeof value.name !== 'string') {
    throw new SchemaError(`a run without an id or name: ${JSON.stringify(value)}`);
  }
  return {
    id: value.id,
    tool: typeof value.tool === 'string' ? value.tool : 'umlaut',
    name: value.name,
    notebook_path: str(value, 'notebook_path'),
    kernel_id: typeof value.kernel_id === 'string' ? value.kernel_id : null,
    cell_id: typeof value.cell_id === 'string' ? value.cell_id : null,
    execution_count: num(value, 'execution_count'),
    status: STATUSES.includes(value.status as RunStatus) ? (value.status as RunStatus) : 'running',
    kernel_alive: typeof value.kernel_alive === 'boolean' ? value.kernel_alive : null,
    started: typeof value.started === 'number' ? value.started : 0,
    ended: typeof value.ended === 'number' ? value.ended : null,
    updated: typeof value.updated === 'number' ? value.updated : 0,
    latest_epoch: typeof value.latest_epoch === 'number' ? value.latest_epoch : null,
    epochs: typeof value.epochs === 'number' ? value.epochs : 0,
    findings: parseCounts(value.findings),
    titles: Array.isArray(value.titles) ? value.titles.filter((t): t is string => typeof t === 'string') : [],
    config: isObject(value.config) ? value.config : {}
  };
}

/** Severity order (critical first); ties keep their order. */
export function severityRank(s: Severity): number {
  return SEVERITIES.indexOf(s);
}
