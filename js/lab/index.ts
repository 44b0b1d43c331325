/**
 * mlnb's JupyterLab extension: the "mlnb" sidebar of runs and findings, and jump-to-cell.
 *
 * Besides the sidebar's own buttons, anything on the page (e.g. an mlnb widget's finding card in
 * a notebook output, which must not import JupyterLab) can ask for a jump by dispatching a
 * `mlnb:reveal` DOM event whose detail is a finding location.
 */
import { ILayoutRestorer, JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { IDocumentManager } from '@jupyterlab/docmanager';
import { LabIcon } from '@jupyterlab/ui-components';

import { REVEAL_EVENT } from '../common/events';
import { MlnbClient } from './client';
import { jumpTo } from './jump';
import { JumpTarget, jumpTarget } from './model';
import { MlnbSidebar, SIDEBAR_ID } from './panel';

// Inline so the compiled lib/ needs no asset loader: a notebook page with a pulse line.
const iconSvg =
  '<svg xmlns="http://www.w3.org/2000/svg" width="16" viewBox="0 0 24 24">' +
  '<g class="jp-icon3" fill="#616161">' +
  '<path d="M5 2h11l5 5v15H5zm2 2v16h12V8h-4V4z"/>' +
  '<path d="M7.5 14.5h2.2l1.3-3 2 6 1.6-4.5.9 1.5h2v1.6h-2.9l-.6-1-1.9 5.3-2.1-6.2-.6 1.3H7.5z"/>' +
  '</g></svg>';

export const mlnbIcon = new LabIcon({ name: 'mlnb:icon', svgstr: iconSvg });


const plugin: JupyterFrontEndPlugin<void> = {
  id: 'mlnb:sidebar',
  description: 'The mlnb sidebar: runs of UMLAUT, ACUMEN and IMACS with live status and findings.',
  autoStart: true,
  requires: [IDocumentManager],
  optional: [ILayoutRestorer],
  activate: (
    app: JupyterFrontEnd,
    docManager: IDocumentManager,
    restorer: ILayoutRestorer | null
  ) => {
    const jump = (target: JumpTarget) => jumpTo(docManager, target);
    const sidebar = new MlnbSidebar({ client: new MlnbClient(), jump });
    sidebar.title.icon = mlnbIcon;
    sidebar.title.caption = 'mlnb';
    sidebar.node.setAttribute('aria-label', 'mlnb runs');
    app.shell.add(sidebar, 'left', { rank: 700 });
    restorer?.add(sidebar, SIDEBAR_ID);

    app.commands.addCommand('mlnb:open-sidebar', {
      label: 'Show mlnb runs',
      execute: () => app.shell.activateById(SIDEBAR_ID)
    });

    document.addEventListener(REVEAL_EVENT, (event: Event) => {
      const target = jumpTarget((event as CustomEvent).detail ?? null, null, sidebar.state.serverRoot);
      if (!target) {
        return;
      }
      event.stopPropagation();
      void jump(target).catch(err => console.warn('mlnb: cannot reveal the location', err));
    });
  }
};

export default plugin;
