/**
 * Finding cards, the one rendering used by every mlnb view that shows findings: the findings
 * widget, the UMLAUT dashboard and the JupyterLab sidebar. A card is one collapsed line
 * (severity, title, epochs, "go to code", dismiss) that expands to why it matters, how it was
 * detected, what was observed, the fix (as a diff of the user's own line with "Apply" where a
 * safe edit exists, else the snippet) and links. Every string is text, never HTML.
 *
 * No JupyterLab imports: "go to code" and "Apply" are DOM events (js/common/events.ts) that mlnb's
 * JupyterLab extension answers.
 */
import { h, safeUrl } from './dom';
import { APPLY_EDIT_EVENT, ApplyEditDetail, dispatchReveal } from './events';
import { formatEpochs, formatLocation, formatValue } from './format';
import { isObject } from './json';
import { Finding, Location, parseEpochs, parseLocation, parseSeverity, Severity } from './schema';

/** A concrete edit of the user's line (UMLAUT's fixes), or why there is none (`safe` false). */
export interface Patch {
  key: string;
  safe: boolean;
  note: string;
  old: string | null;
  new: string | null;
  line: number | null;
  cell_id: string | null;
  execution_count: number | null;
  notebook_path: string | null;
  file: string | null;
}

export interface FindingCard {
  /** Stable identity across updates: key and subject. */
  id: string;
  key: string;
  subject: string;
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
  /** Dismissed as a false alarm: shown struck through. */
  dismissed?: boolean;
  /** The fix as an edit of the user's line (the dashboard); absent: the snippet alone. */
  patch?: Patch | null;
}

/** The apply-edit request: the kit's detail, plus the outcome the JupyterLab extension sets. */
export interface ApplyEditRequest extends ApplyEditDetail {
  result?: Promise<string>;
}

export interface CardOptions {
  open?: boolean;
  selected?: boolean;
  /** Extra classes on the card (a view's own hooks, e.g. "mlnb-ud-card"). */
  className?: string;
  /** The summary was clicked (the card toggles as well): the dashboard links it to its plots. */
  onSelect?: (card: FindingCard) => void;
  /** Opened or closed. */
  onToggle?: (open: boolean) => void;
  /** Shows a dismiss/restore button; resolves once recorded (the card reverts if it rejects). */
  onDismiss?: (card: FindingCard, dismissed: boolean) => Promise<unknown>;
  /** Go to code; default: the reveal DOM event. */
  reveal?: (location: Location, from: Element) => void;
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** The `findings` trait as cards; malformed entries are shown as far as possible, not dropped. */
export function parseFindings(value: unknown): FindingCard[] {
  if (!Array.isArray(value)) {
    return [];
  }
  return value.filter(isObject).map((f, i) => {
    const links: FindingCard['links'] = [];
    for (const link of Array.isArray(f.links) ? f.links : []) {
      if (typeof link === 'string' && /^https?:\/\//i.test(link)) {
        links.push({ label: link, url: link });
      } else if (isObject(link) && /^https?:\/\//i.test(str(link.url)) && safeUrl(str(link.url))) {
        links.push({ label: str(link.label) || str(link.title) || str(link.url), url: str(link.url) });
      }
    }
    const key = str(f.key);
    const subject = str(f.subject);
    return {
      id: `${key}|${subject || str(f.title) || i}`,
      key,
      subject,
      severity: parseSeverity(f.severity),
      title: str(f.title) || key || '(untitled finding)',
      epochs: parseEpochs(f.epochs),
      location: parseLocation(f.location),
      context: isObject(f.context) ? f.context : {},
      description: str(f.description),
      heuristic: str(f.heuristic),
      fix: str(f.fix),
      snippet: str(f.snippet),
      links,
      dismissed: f.dismissed === true
    };
  });
}

/** A stored finding (the REST API's, e.g. in the sidebar) as a card: no explanation texts. */
export function cardOfFinding(f: Finding & { dismissed?: boolean }): FindingCard {
  return {
    id: `${f.key}|${f.subject || f.id}`,
    key: f.key,
    subject: f.subject,
    severity: f.severity,
    title: f.title,
    epochs: f.epochs,
    location: f.location,
    context: f.context,
    description: '',
    heuristic: '',
    fix: '',
    snippet: '',
    links: [],
    dismissed: f.dismissed === true
  };
}

/** A cheap signature of what a card shows: a re-sent card with the same signature keeps its DOM. */
export function cardSignature(c: FindingCard): string {
  const p = c.patch;
  return [c.severity, c.title, c.epochs.length, c.epochs[c.epochs.length - 1], !!c.dismissed, p?.safe, p?.new, formatLocation(c.location)].join('|');
}

/** Paragraphs split on blank lines; `backticks` become code spans. Text only. */
export function prose(text: string): HTMLElement[] {
  return text
    .split(/\n\s*\n/)
    .filter(p => p.trim())
    .map(p =>
      h(
        'p',
        {},
        ...p.split(/(`[^`]+`)/).map(part =>
          part.startsWith('`') && part.endsWith('`') && part.length > 2 ? h('code', { class: 'mlnb-code' }, part.slice(1, -1)) : part
        )
      )
    );
}

/** Whether "go to code" can work: a cell of a notebook, or a file. */
export function canReveal(loc: Location | null): boolean {
  return !!loc && (!!loc.notebook_path || !!loc.file) && (loc.cell_id !== null || loc.execution_count !== null || !!loc.file);
}

/** A segment of a line diff: text kept (`same`), removed from the old line or added in the new. */
export interface DiffPart {
  kind: 'same' | 'del' | 'add';
  text: string;
}

/**
 * The old and new line split into common prefix, changed middle and common suffix (what a
 * reviewer sees in a suggested change): `old` parts are same/del, `new` parts same/add.
 */
export function lineDiff(oldLine: string, newLine: string): { old: DiffPart[]; new: DiffPart[] } {
  let p = 0;
  while (p < oldLine.length && p < newLine.length && oldLine[p] === newLine[p]) {
    p++;
  }
  let s = 0;
  while (s < oldLine.length - p && s < newLine.length - p && oldLine[oldLine.length - 1 - s] === newLine[newLine.length - 1 - s]) {
    s++;
  }
  const parts = (line: string, kind: 'del' | 'add'): DiffPart[] =>
    [
      { kind: 'same' as const, text: line.slice(0, p) },
      { kind, text: line.slice(p, line.length - s) },
      { kind: 'same' as const, text: line.slice(line.length - s) }
    ].filter(part => part.text.length > 0);
  return { old: parts(oldLine, 'del'), new: parts(newLine, 'add') };
}

/** The fix as a diff of the user's line with "Apply"; or the note and the generic snippet. */
export function renderPatch(p: Patch, snippet: string): HTMLElement {
  if (!p.safe || p.old === null || p.new === null || p.line === null) {
    return h('div', { class: 'mlnb-card-patch mlnb-card-nopatch' }, p.note ? h('p', {}, p.note) : null,
      snippet ? h('pre', { class: 'mlnb-code mlnb-card-snippet' }, snippet) : null);
  }
  const d = lineDiff(p.old, p.new);
  const line = (sign: string, parts: DiffPart[], cls: string) =>
    h('div', { class: `mlnb-card-diffline ${cls}` }, h('span', { class: 'mlnb-card-sign' }, sign),
      ...parts.map(part => h('span', { class: `mlnb-card-${part.kind}` }, part.text)));
  const status = h('span', { class: 'mlnb-card-apply-status', 'aria-live': 'polite' });
  const where = p.execution_count !== null && p.execution_count !== undefined ? `cell [${p.execution_count}], line ${p.line}` : `line ${p.line}`;
  const apply = h('button', {
    type: 'button',
    class: 'mlnb-card-apply',
    onclick: () => {
      const location: Location = {
        file: p.file, line: p.line, cell_id: p.cell_id, execution_count: p.execution_count,
        notebook_path: p.notebook_path, code: p.old
      };
      const detail: ApplyEditRequest = { location, old: p.old!, new: p.new! };
      apply.dispatchEvent(new CustomEvent(APPLY_EDIT_EVENT, { bubbles: true, composed: true, detail }));
      if (!detail.result) {
        status.textContent = "Apply needs mlnb's JupyterLab extension: copy the new line instead.";
        return;
      }
      status.textContent = 'applying…';
      detail.result.then(
        msg => { status.textContent = msg; apply.setAttribute('disabled', ''); },
        err => { status.textContent = `Not applied: ${err?.message ?? err}`; }
      );
    }
  }, 'Apply');
  return h('div', { class: 'mlnb-card-patch' },
    h('div', { class: 'mlnb-card-patch-head mlnb-muted' }, `Suggested change (${where})`),
    h('div', { class: 'mlnb-card-diff' }, line('-', d.old, 'mlnb-card-old'), line('+', d.new, 'mlnb-card-new')),
    p.note ? h('p', {}, p.note) : null, h('div', {}, apply, ' ', status));
}

function body(f: FindingCard): HTMLElement {
  const box = h('div', { class: 'mlnb-card-body' });
  if (f.location?.code) {
    box.append(h('pre', { class: 'mlnb-code mlnb-card-source' }, f.location.code));
  }
  if (f.description) {
    box.append(h('h4', {}, 'Why it matters'), ...prose(f.description));
  }
  if (f.heuristic) {
    box.append(h('h4', {}, 'How mlnb detects it'), ...prose(f.heuristic));
  }
  const context = Object.entries(f.context);
  if (context.length) {
    const grid = h('div', { class: 'mlnb-card-context' });
    for (const [k, v] of context) {
      grid.append(h('span', { class: 'mlnb-muted' }, k), h('span', {}, formatValue(v)));
    }
    box.append(h('h4', {}, 'Observed'), grid);
  }
  if (f.fix || f.snippet || f.patch) {
    box.append(h('h4', {}, 'How to fix'), ...prose(f.fix));
    if (f.patch) {
      box.append(renderPatch(f.patch, f.snippet));
    } else if (f.snippet) {
      box.append(h('pre', { class: 'mlnb-code mlnb-card-snippet' }, f.snippet));
    }
  }
  if (f.links.length) {
    box.append(
      h(
        'div',
        { class: 'mlnb-card-links' },
        ...f.links.map(link => h('a', { href: link.url, target: '_blank', rel: 'noopener noreferrer' }, link.label))
      )
    );
  }
  return box;
}

/** "before training", "epoch 3", "before training; epochs 0–2" (epochs from 0; -1 is before training). */
export function epochsLabel(epochs: readonly number[]): string {
  const trained = epochs.filter(e => e >= 0);
  const parts = epochs.some(e => e < 0) ? ['before training'] : [];
  if (trained.length) {
    parts.push(`${new Set(trained).size === 1 ? 'epoch' : 'epochs'} ${formatEpochs(trained)}`);
  }
  return parts.join('; ');
}

/**
 * One card. The body is built when the card is first opened, so thousands of findings stay
 * cheap to show. `open` may be a boolean (backwards compatible) or the options.
 */
export function renderCard(f: FindingCard, options: CardOptions | boolean = {}): HTMLDetailsElement {
  const opts: CardOptions = typeof options === 'boolean' ? { open: options } : options;
  const where = formatLocation(f.location);
  const epochs = formatEpochs(f.epochs);
  const summary = h(
    'summary',
    {},
    h('span', { class: 'mlnb-sev-badge' }, f.severity),
    h('span', { class: 'mlnb-card-title' }, f.title),
    epochs ? h('span', { class: 'mlnb-muted mlnb-card-epochs' }, epochsLabel(f.epochs)) : null
  );
  if (where && f.location) {
    const loc = f.location;
    if (canReveal(loc) || opts.reveal) {
      summary.append(
        h(
          'button',
          {
            type: 'button',
            class: 'mlnb-card-where',
            title: 'Go to this line',
            'aria-label': `Go to ${where}`,
            onclick: (event: Event) => {
              event.preventDefault(); // inside <summary>: do not toggle the card
              event.stopPropagation();
              const from = event.currentTarget as Element;
              opts.reveal ? opts.reveal(loc, from) : dispatchReveal(from, loc);
            }
          },
          where
        )
      );
    } else {
      summary.append(h('span', { class: 'mlnb-muted' }, where));
    }
  }
  if (f.patch?.safe) {
    summary.append(h('span', { class: 'mlnb-card-has-fix' }, 'fix available'));
  }
  const card = h('details', {
    class: `mlnb-card mlnb-sev-${f.severity}${f.dismissed ? ' mlnb-card-dismissed' : ''}${opts.selected ? ' mlnb-card-selected' : ''}${opts.className ? ' ' + opts.className : ''}`,
    dataset: { key: f.key, severity: f.severity, id: f.id }
  }) as HTMLDetailsElement;
  if (opts.onDismiss) {
    const onDismiss = opts.onDismiss;
    const dismiss = h('button', {
      type: 'button',
      class: 'mlnb-card-dismiss',
      title: f.dismissed ? 'Restore this finding' : 'Dismiss as a false alarm (recorded with the session)',
      onclick: (ev: Event) => {
        ev.preventDefault();
        ev.stopPropagation();
        const next = !f.dismissed;
        card.classList.toggle('mlnb-card-dismissed', next); // optimistic; the caller's data confirms
        onDismiss(f, next).catch(() => card.classList.toggle('mlnb-card-dismissed', !next));
      }
    }, f.dismissed ? 'restore' : 'dismiss');
    summary.append(dismiss);
  }
  summary.addEventListener('click', () => opts.onSelect?.(f));
  card.append(summary);
  const fill = () => {
    if (card.open && card.childElementCount === 1) {
      card.append(body(f));
    }
  };
  card.addEventListener('toggle', () => {
    fill();
    opts.onToggle?.(card.open);
  });
  card.open = !!opts.open;
  fill();
  return card;
}
