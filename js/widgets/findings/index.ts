/**
 * The findings widget (mlnb.widgets.FindingsWidget): UMLAUT's finding cards with a severity
 * filter. The worked example of the widget kit:
 *
 *   - render() mounts the DOM once and binds traits; it returns the cleanup;
 *   - updates are in place: a card is replaced only when its finding changed, and keeps its
 *     open/closed state;
 *   - the kit's status line shows progress and errors; "go to code" dispatches the reveal event
 *     that mlnb's JupyterLab extension answers.
 */
import { plural } from '../../common/format';
import { SEVERITIES, Severity, severityRank } from '../../common/schema';
import { AnyModel, bind, cleanupAll, h, mountStatus, StatusState } from '../_kit';
import { FindingCard, parseFindings, renderCard } from './cards';
import './style.css';

export interface FindingsState extends StatusState {
  findings: unknown[];
}

export function sortCards(cards: FindingCard[]): FindingCard[] {
  const first = (f: FindingCard) => (f.epochs.length ? Math.min(...f.epochs) : Infinity);
  return [...cards].sort((a, b) => severityRank(a.severity) - severityRank(b.severity) || first(a) - first(b));
}

export function render({ model, el }: { model: AnyModel<FindingsState>; el: HTMLElement }): () => void {
  const hidden = new Set<Severity>();
  const filters = h('div', { class: 'mlnb-findings-filters', role: 'group', 'aria-label': 'Show severities' });
  const list = h('div', { class: 'mlnb-findings-list' });
  const empty = h('div', { class: 'mlnb-findings-empty' }, 'No problems found.');
  const status = h('div');
  const root = h('div', { class: 'mlnb-view mlnb-findings', role: 'region', 'aria-label': 'UMLAUT findings' }, status, filters, list, empty);
  el.replaceChildren(root);
  const cleanups = [mountStatus(model, status)];

  const shown = new Map<string, { card: HTMLDetailsElement; json: string }>();
  let cards: FindingCard[] = [];

  const applyFilter = () => {
    for (const { card } of shown.values()) {
      card.hidden = hidden.has(card.dataset.severity as Severity);
    }
  };

  const drawFilters = () => {
    const counts = SEVERITIES.map(s => [s, cards.filter(c => c.severity === s).length] as const).filter(([, n]) => n);
    filters.replaceChildren(
      ...counts.map(([s, n]) =>
        h(
          'button',
          {
            type: 'button',
            class: `mlnb-chip mlnb-sev-${s}`,
            'aria-pressed': String(!hidden.has(s)),
            title: hidden.has(s) ? `Show ${s} findings` : `Hide ${s} findings`,
            onclick: () => {
              hidden.has(s) ? hidden.delete(s) : hidden.add(s);
              drawFilters();
              applyFilter();
            }
          },
          plural(n, s === 'critical' ? 'critical' : s, s === 'critical' ? 'critical' : `${s}s`)
        )
      )
    );
    filters.hidden = !counts.length;
  };

  cleanups.push(
    bind(model, ['findings'], ({ findings }) => {
      cards = sortCards(parseFindings(findings));
      const keep = new Set(cards.map(c => c.id));
      for (const [id, { card }] of shown) {
        if (!keep.has(id)) {
          card.remove();
          shown.delete(id);
        }
      }
      // Re-insert in order; an unchanged card is moved, not rebuilt, and keeps its open state.
      let previous: Element | null = null;
      for (const f of cards) {
        const json = JSON.stringify(f);
        let entry = shown.get(f.id);
        if (!entry || entry.json !== json) {
          const card = renderCard(f, entry?.card.open ?? false);
          entry?.card.replaceWith(card);
          entry = { card, json };
          shown.set(f.id, entry);
        }
        const anchor: ChildNode | null = previous ? previous.nextSibling : list.firstChild;
        if (anchor !== entry.card) {
          list.insertBefore(entry.card, anchor);
        }
        previous = entry.card;
      }
      empty.hidden = cards.length > 0;
      drawFilters();
      applyFilter();
    })
  );
  return cleanupAll(cleanups);
}

export default { render };
