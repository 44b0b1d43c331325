/**
 * The "mlnb" sidebar: runs grouped by notebook with live status, latest epoch and finding counts.
 *
 * It polls the server REST API (every 2 s while visible, backing off while the server fails)
 * and never talks to a kernel, so it keeps updating while a training cell keeps the kernel busy.
 */
import { PageConfig } from '@jupyterlab/coreutils';
import { Message } from '@lumino/messaging';
import { Widget } from '@lumino/widgets';

import { ApiError, Finding, Run } from './api';
import { MlnbClient } from './client';
import { JumpTarget, jumpTarget, notebookOf } from './model';
import { Poller } from './poller';
import { plural } from '../common/format';
import { DeleteTarget, initialState, renderInto, renderToolbar, SidebarActions, SidebarState, summary } from './view';

export const SIDEBAR_ID = 'mlnb-sidebar';

export interface SidebarOptions {
  client: MlnbClient;
  /** Open a notebook at a cell and line; rejects with a message to show when it cannot. */
  jump: (target: JumpTarget) => Promise<unknown>;
  interval?: number;
}

function messageOf(err: unknown): string {
  if (err instanceof ApiError || err instanceof Error) {
    return err.message;
  }
  return String(err);
}

export class MlnbSidebar extends Widget {
  readonly poller: Poller;
  private _state: SidebarState;
  private _client: MlnbClient;
  private _jump: SidebarOptions['jump'];
  private _body: HTMLElement;
  private _live: HTMLElement;
  private _notice: HTMLElement;
  private _actions: SidebarActions;
  private _toolbar: ReturnType<typeof renderToolbar>;

  constructor(options: SidebarOptions) {
    super();
    this.id = SIDEBAR_ID;
    this.addClass('mlnb-sidebar');
    this._client = options.client;
    this._jump = options.jump;
    this._state = initialState(PageConfig.getOption('serverRoot'));

    const header = document.createElement('header');
    header.className = 'mlnb-sidebar-header';
    const title = document.createElement('h2');
    title.textContent = 'mlnb';
    const refresh = document.createElement('button');
    refresh.type = 'button';
    refresh.className = 'mlnb-refresh';
    refresh.textContent = '⟳';
    refresh.title = 'Refresh now';
    refresh.setAttribute('aria-label', 'Refresh runs now');
    refresh.addEventListener('click', () => void this.poller.refresh());
    header.append(title, refresh);

    this._notice = document.createElement('div');
    this._notice.className = 'mlnb-notice';
    this._notice.setAttribute('role', 'status');
    this._notice.hidden = true;
    this._live = document.createElement('div');
    this._live.className = 'mlnb-sr-only';
    this._live.setAttribute('aria-live', 'polite');
    this._body = document.createElement('div');
    this._body.className = 'mlnb-sidebar-scroll';

    this._actions = {
      toggleRun: run => this._toggle(run),
      openFinding: (run, finding) => void this._openFinding(run, finding),
      openRun: run => void this._openRun(run),
      retry: () => void this.poller.refresh(),
      setFilter: filter => {
        this._state = { ...this._state, filter: { ...this._state.filter, ...filter } };
        this._toolbar.sync(this._state);
        this._render();
      },
      askDelete: target => {
        this._state = { ...this._state, confirm: target };
        this._render();
        (this._body.querySelector('[data-focus-key="confirm-yes"]') as HTMLElement | null)?.focus();
      },
      confirmDelete: target => void this._delete(target)
    };
    this._toolbar = renderToolbar(this._state, this._actions);
    this.node.append(header, this._toolbar.el, this._notice, this._body, this._live);
    this.poller = new Poller({ task: () => this._poll(), interval: options.interval ?? 2000 });
    // A browser tab in the background does not need live updates.
    this._onVisibility = () => {
      if (document.visibilityState === 'hidden') {
        this.poller.stop();
      } else if (this.isVisible) {
        this.poller.start();
      }
    };
    document.addEventListener('visibilitychange', this._onVisibility);
    this._render();
  }

  private _onVisibility: () => void;

  get state(): SidebarState {
    return this._state;
  }

  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    this.poller.start();
  }

  protected onBeforeHide(msg: Message): void {
    super.onBeforeHide(msg);
    this.poller.stop();
  }

  protected onAfterAttach(msg: Message): void {
    super.onAfterAttach(msg);
    if (this.isVisible) {
      this.poller.start();
    }
  }

  protected onBeforeDetach(msg: Message): void {
    this.poller.stop();
    super.onBeforeDetach(msg);
  }

  dispose(): void {
    this.poller.stop();
    document.removeEventListener('visibilitychange', this._onVisibility);
    super.dispose();
  }

  private async _poll(): Promise<void> {
    try {
      const data = await this._client.runs();
      const ids = new Set(data.runs.map(r => r.id));
      // Forget expansions of runs that disappeared; refresh the findings of the expanded ones.
      for (const id of [...this._state.expanded]) {
        if (!ids.has(id)) {
          this._state.expanded.delete(id);
          this._state.details.delete(id);
        }
      }
      await Promise.all([...this._state.expanded].map(id => this._loadDetail(id)));
      this._state = { ...this._state, data, error: null, loading: false, lastUpdated: Date.now() };
    } catch (err) {
      this._state = { ...this._state, error: messageOf(err), loading: false };
      throw err;
    } finally {
      this._render();
    }
  }

  private async _loadDetail(id: number): Promise<void> {
    try {
      const detail = await this._client.run(id);
      this._state.details.set(id, { findings: detail.findings, error: null });
    } catch (err) {
      const previous = this._state.details.get(id);
      this._state.details.set(id, { findings: previous?.findings ?? null, error: messageOf(err) });
    }
  }

  private _toggle(run: Run): void {
    if (this._state.expanded.has(run.id)) {
      this._state.expanded.delete(run.id);
      this._render();
      return;
    }
    this._state.expanded.add(run.id);
    this._render();
    void this._loadDetail(run.id).then(() => this._render());
  }

  private _openFinding(run: Run, finding: Finding): Promise<void> {
    return this._go(jumpTarget(finding.location, run.notebook_path, this._state.serverRoot));
  }

  private _openRun(run: Run): Promise<void> {
    const notebook = notebookOf(run.notebook_path, this._state.serverRoot);
    return this._go(
      notebook ? { kind: 'cell', notebook_path: notebook, cell_id: run.cell_id, execution_count: run.execution_count, line: null } : null
    );
  }

  private async _delete(target: DeleteTarget): Promise<void> {
    this._state = { ...this._state, confirm: null };
    this._render();
    try {
      const deleted = target.kind === 'run' ? await this._client.deleteRun(target.id) : await this._client.deleteFinished(target.path);
      this._showNotice(deleted.length ? `Deleted ${plural(deleted.length, 'run')}.` : 'Nothing was deleted (no finished run).');
    } catch (err) {
      this._showNotice(`Not deleted: ${messageOf(err)}`);
    }
    await this.poller.refresh();
  }

  private async _go(target: JumpTarget | null): Promise<void> {
    if (!target) {
      this._showNotice('This place cannot be opened here (not in a notebook or under the server root).');
      return;
    }
    try {
      this._showNotice('');
      await this._jump(target);
    } catch (err) {
      this._showNotice(messageOf(err));
    }
  }

  private _showNotice(text: string): void {
    this._notice.textContent = text;
    this._notice.hidden = !text;
  }

  private _render(): void {
    renderInto(this._body, this._state, this._actions);
    const text = summary(this._state);
    if (this._live.textContent !== text) {
      this._live.textContent = text;
    }
  }
}
