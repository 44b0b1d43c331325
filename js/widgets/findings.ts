/**
 * anywidget view of UMLAUT findings: one card per finding (severity colour, title, where, epochs,
 * description, heuristic, fix with a code snippet, links), rendered from the `findings` traitlet alone.
 *
 * No JupyterLab imports (anywidget loads this file as a plain ES module). Clicking a location
 * dispatches a bubbling `mlnb:reveal` event; mlnb's JupyterLab extension answers it by opening
 * the notebook at that cell and line.
 */
import type { Location, Severity } from '../lab/api';
import { SEVERITIES } from '../lab/api';
import { formatEpochs, formatLocation } from '../lab/model';

export interface FindingCard {
  key: string;
  severity: Severity;
  title: string;
  epochs: number[];
  location: Location | null;
  context: Record<string, unknown>;
  description: string;
  heuristic: string;
  fix: string;
  snippet: string;
  links: { label: string; url: string }[];
}

/** The slice of anywidget's model this view uses. */
export interface FindingsModel {
  get(name: 'findings'): unknown;
  on(event: 'change:findings', callback: () => void): void;
  off(event: 'change:findings', callback: () => void): void;
}

export const REVEAL_EVENT = 'mlnb:reveal';

const CSS = `
.mlnb-fw { font-family: var(--jp-ui-font-family, system-ui, sans-serif); font-size: 13px;
  color: var(--jp-ui-font-color1, #222); display: flex; flex-direction: column; gap: 6px; }
.mlnb-fw-summary { color: var(--jp-ui-font-color2, #555); }
.mlnb-fw-card { border: 1px solid var(--jp-border-color2, #ddd); border-left: 4px solid var(--mlnb-sev);
  border-radius: 4px; padding: 6px 10px; background: var(--jp-layout-color1, #fff); }
.mlnb-fw-critical { --mlnb-sev: #8b0000; }
.mlnb-fw-error { --mlnb-sev: var(--jp-error-color1, #d32f2f); }
.mlnb-fw-warning { --mlnb-sev: var(--jp-warn-color1, #f57c00); }
.mlnb-fw-card > summary { cursor: pointer; list-style: none; display: flex; gap: 8px; align-items: baseline; flex-wrap: wrap; }
.mlnb-fw-card > summary::-webkit-details-marker { display: none; }
.mlnb-fw-sev { color: white; background: var(--mlnb-sev); border-radius: 8px; padding: 0 6px;
  font-size: 11px; text-transform: uppercase; }
.mlnb-fw-title { font-weight: 600; }
.mlnb-fw-meta { color: var(--jp-ui-font-color2, #555); font-size: 12px; }
.mlnb-fw-where { font: inherit; font-size: 12px; color: var(--jp-content-link-color, #1a73e8);
  background: none; border: none; padding: 0; cursor: pointer; text-decoration: underline; }
.mlnb-fw-body h4 { margin: 8px 0 2px; font-size: 12px; text-transform: uppercase; color: var(--jp-ui-font-color2, #555); }
.mlnb-fw-body p { margin: 2px 0; line-height: 1.45; }
.mlnb-fw-body pre { background: var(--jp-cell-editor-background, #f5f5f5); padding: 6px 8px;
  border-radius: 3px; overflow: auto; margin: 4px 0; }
.mlnb-fw-code { font-family: var(--jp-code-font-family, monospace); }
.mlnb-fw-context { display: grid; grid-template-columns: max-content 1fr; gap: 0 12px; font-size: 12px; }
.mlnb-fw-links a { margin-right: 12px; color: var(--jp-content-link-color, #1a73e8); }
.mlnb-fw-empty { color: var(--jp-success-color1, #2e7d32); }
`;

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

function safeUrl(url: string): boolean {
  return /^https?:\/\//i.test(url);
}

/** Normalise the traitlet's value; malformed entries are shown, not dropped, as far as possible. */
export function parseFindings(value: unknown): FindingCard[] {
  if (!Array.isArray(value)) {
    return [];
  }
  return value.filter(isObject).map(f => {
    const loc = isObject(f.location) ? f.location : null;
    const num = (o: Record<string, unknown>, k: string) => (typeof o[k] === 'number' ? (o[k] as number) : null);
    const links: FindingCard['links'] = [];
    for (const link of Array.isArray(f.links) ? f.links : []) {
      if (typeof link === 'string' && safeUrl(link)) {
        links.push({ label: link, url: link });
      } else if (isObject(link) && safeUrl(str(link.url))) {
        links.push({ label: str(link.label) || str(link.title) || str(link.url), url: str(link.url) });
      }
    }
    return {
      key: str(f.key),
      severity: SEVERITIES.includes(f.severity as Severity) ? (f.severity as Severity) : 'warning',
      title: str(f.title) || str(f.key) || '(untitled finding)',
      epochs: Array.isArray(f.epochs) ? f.epochs.filter((e): e is number => typeof e === 'number') : [],
      location: loc
        ? {
            file: str(loc.file) || null,
            line: num(loc, 'line'),
            cell_id: str(loc.cell_id) || null,
            execution_count: num(loc, 'execution_count'),
            notebook_path: str(loc.notebook_path) || null,
            code: str(loc.code) || null
          }
        : null,
      context: isObject(f.context) ? f.context : {},
      description: str(f.description),
      heuristic: str(f.heuristic),
      fix: str(f.fix),
      snippet: str(f.snippet),
      links
    };
  });
}

function el(tag: string, className = '', text = ''): HTMLElement {
  const e = document.createElement(tag);
  if (className) {
    e.className = className;
  }
  if (text) {
    e.textContent = text;
  }
  return e;
}

/** Paragraphs split on blank lines; `backticks` become code spans. Text only, never HTML. */
function prose(text: string): HTMLElement[] {
  return text
    .split(/\n\s*\n/)
    .filter(p => p.trim())
    .map(p => {
      const para = el('p');
      p.split(/(`[^`]+`)/).forEach(part => {
        if (part.startsWith('`') && part.endsWith('`') && part.length > 2) {
          para.append(el('code', 'mlnb-fw-code', part.slice(1, -1)));
        } else if (part) {
          para.append(document.createTextNode(part));
        }
      });
      return para;
    });
}

function formatValue(v: unknown): string {
  if (typeof v === 'number') {
    return Number.isInteger(v) ? String(v) : v.toPrecision(4);
  }
  if (typeof v === 'string') {
    return v;
  }
  return JSON.stringify(v);
}

function card(f: FindingCard, open: boolean): HTMLElement {
  const details = el('details', `mlnb-fw-card mlnb-fw-${f.severity}`) as HTMLDetailsElement;
  details.open = open;
  details.dataset.key = f.key;
  details.dataset.severity = f.severity;
  const summary = el('summary');
  summary.append(el('span', 'mlnb-fw-sev', f.severity), el('span', 'mlnb-fw-title', f.title));
  const epochs = formatEpochs(f.epochs);
  if (epochs) {
    summary.append(el('span', 'mlnb-fw-meta', `epochs ${epochs}`));
  }
  const where = formatLocation(f.location);
  if (where && f.location) {
    const loc = f.location;
    if (loc.notebook_path && (loc.cell_id || loc.execution_count !== null)) {
      const button = el('button', 'mlnb-fw-where', where) as HTMLButtonElement;
      button.type = 'button';
      button.title = 'Go to this line';
      button.setAttribute('aria-label', `Go to ${where}`);
      button.addEventListener('click', event => {
        event.preventDefault(); // inside <summary>: do not toggle the card
        button.dispatchEvent(new CustomEvent(REVEAL_EVENT, { bubbles: true, composed: true, detail: loc }));
      });
      summary.append(button);
    } else {
      summary.append(el('span', 'mlnb-fw-meta', where));
    }
  }
  details.append(summary);

  const body = el('div', 'mlnb-fw-body');
  if (f.location?.code) {
    body.append(el('pre', 'mlnb-fw-code mlnb-fw-source', f.location.code));
  }
  if (f.description) {
    body.append(el('h4', '', 'Why'), ...prose(f.description));
  }
  if (f.heuristic) {
    body.append(el('h4', '', 'How mlnb detects it'), ...prose(f.heuristic));
  }
  const context = Object.entries(f.context);
  if (context.length) {
    const grid = el('div', 'mlnb-fw-context');
    for (const [k, v] of context) {
      grid.append(el('span', 'mlnb-fw-meta', k), el('span', '', formatValue(v)));
    }
    body.append(el('h4', '', 'Observed'), grid);
  }
  if (f.fix || f.snippet) {
    body.append(el('h4', '', 'How to fix'), ...prose(f.fix));
    if (f.snippet) {
      body.append(el('pre', 'mlnb-fw-code mlnb-fw-snippet', f.snippet));
    }
  }
  if (f.links.length) {
    const links = el('div', 'mlnb-fw-links');
    for (const link of f.links) {
      const a = el('a', '', link.label) as HTMLAnchorElement;
      a.href = link.url;
      a.target = '_blank';
      a.rel = 'noopener noreferrer';
      links.append(a);
    }
    body.append(links);
  }
  details.append(body);
  return details;
}

/** Draw the cards for `findings` into `host` (replacing what was there). */
export function draw(host: HTMLElement, findings: FindingCard[]): void {
  const root = el('div', 'mlnb-fw');
  root.setAttribute('role', 'region');
  root.setAttribute('aria-label', 'UMLAUT findings');
  const style = el('style', '', CSS);
  if (!findings.length) {
    root.append(el('div', 'mlnb-fw-empty', 'No problems found.'));
    host.replaceChildren(style, root);
    return;
  }
  const counts = SEVERITIES.map(s => [s, findings.filter(f => f.severity === s).length] as const).filter(([, n]) => n);
  root.append(el('div', 'mlnb-fw-summary', counts.map(([s, n]) => `${n} ${s}`).join(' · ')));
  const order = (s: Severity) => SEVERITIES.indexOf(s);
  const sorted = [...findings].sort((a, b) => order(a.severity) - order(b.severity));
  // Open the cards of the most severe level present; the rest start collapsed.
  const top = sorted[0].severity;
  for (const f of sorted) {
    root.append(card(f, f.severity === top && sorted.length <= 5));
  }
  host.replaceChildren(style, root);
}

/** anywidget entry point. */
export function render({ model, el: host }: { model: FindingsModel; el: HTMLElement }): () => void {
  const update = () => draw(host, parseFindings(model.get('findings')));
  update();
  model.on('change:findings', update);
  return () => model.off('change:findings', update);
}

export default { render };
