/**
 * The progress bar and error line every mlnb view shows the same way, bound to the `progress`
 * ({stage, done, total}) and `error` traits of mlnb.widgets._base.MlnbWidget.
 */
import type { AnyModel } from '@anywidget/types';
import { h } from '../../common/dom';
import { bind, Cleanup } from './bind';

export interface Progress {
  stage: string;
  done: number;
  total: number;
}

export interface StatusState {
  progress: Progress;
  error: string;
}

/** "Embedding segments 120/400 (30%)", or "" when idle. */
export function progressText(p: Partial<Progress> | null | undefined): string {
  if (!p || !p.stage) {
    return '';
  }
  const total = Number(p.total) || 0;
  const done = Math.min(Number(p.done) || 0, total || Infinity);
  return total > 0 ? `${p.stage} ${done}/${total} (${Math.round((100 * done) / total)}%)` : `${p.stage}…`;
}

export function mountStatus(model: AnyModel<StatusState>, host: HTMLElement): Cleanup {
  const bar = h('div', { class: 'mlnb-progress-bar' });
  const label = h('span', { class: 'mlnb-progress-label' });
  const progress = h('div', { class: 'mlnb-progress', role: 'progressbar', 'aria-live': 'polite', hidden: true }, bar, label);
  const error = h('div', { class: 'mlnb-error', role: 'alert', hidden: true });
  host.append(progress, error);
  const unbind = bind(model, ['progress', 'error'], ({ progress: p, error: e }) => {
    const text = progressText(p);
    progress.hidden = !text;
    label.textContent = text;
    const total = Number(p?.total) || 0;
    progress.classList.toggle('mlnb-progress-indeterminate', total <= 0);
    bar.style.width = total > 0 ? `${Math.min(100, (100 * (Number(p.done) || 0)) / total)}%` : '30%';
    if (total > 0) {
      progress.setAttribute('aria-valuenow', String(p.done));
      progress.setAttribute('aria-valuemax', String(total));
    }
    error.hidden = !e;
    error.textContent = e || '';
  });
  return () => {
    unbind();
    progress.remove();
    error.remove();
  };
}
