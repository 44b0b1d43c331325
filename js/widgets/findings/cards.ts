/**
 * Finding cards: one collapsed line each (severity, title, epochs, where) that expands to why it
 * matters, how it was detected, what was observed, the fix with a snippet, and links. Shared by
 * the findings widget and the UMLAUT dashboard. Every string is text, never HTML.
 */
import { dispatchReveal } from '../../common/events';
import { formatEpochs, formatLocation, formatValue } from '../../common/format';
import { isObject } from '../../common/json';
import { Location, parseEpochs, parseLocation, parseSeverity, Severity } from '../../common/schema';
import { h, safeUrl } from '../_kit';

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
      links
    };
  });
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
  if (f.fix || f.snippet) {
    box.append(h('h4', {}, 'How to fix'), ...prose(f.fix));
    if (f.snippet) {
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

/**
 * One card. The body is built when the card is first opened, so thousands of findings stay
 * cheap to show.
 */
export function renderCard(f: FindingCard, open = false): HTMLDetailsElement {
  const where = formatLocation(f.location);
  const epochs = formatEpochs(f.epochs);
  const summary = h(
    'summary',
    {},
    h('span', { class: 'mlnb-sev-badge' }, f.severity),
    h('span', { class: 'mlnb-card-title' }, f.title),
    epochs ? h('span', { class: 'mlnb-muted mlnb-card-epochs' }, `epochs ${epochs}`) : null
  );
  if (where && f.location) {
    const loc = f.location;
    if (canReveal(loc)) {
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
              dispatchReveal(event.currentTarget as Element, loc);
            }
          },
          where
        )
      );
    } else {
      summary.append(h('span', { class: 'mlnb-muted' }, where));
    }
  }
  const card = h('details', {
    class: `mlnb-card mlnb-sev-${f.severity}`,
    dataset: { key: f.key, severity: f.severity, id: f.id }
  }) as HTMLDetailsElement;
  card.append(summary);
  const fill = () => {
    if (card.open && card.childElementCount === 1) {
      card.append(body(f));
    }
  };
  card.addEventListener('toggle', fill);
  card.open = open;
  fill();
  return card;
}
