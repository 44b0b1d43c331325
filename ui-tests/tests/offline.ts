/**
 * Galata's `test`, offline: every request that leaves localhost is aborted and recorded, and a
 * test fails if its page tried any (no CDN script, no font, no telemetry). Also saves
 * screenshots for the docs when MLNB_DOCS_SCREENSHOTS is set.
 */
import { expect, galata, test as base } from '@jupyterlab/galata';
import * as path from 'path';

export { expect, galata };

const LOCAL = /^(https?|wss?):\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?\//;

export const test = base.extend<{ localhostOnly: string[] }>({
  localhostOnly: [
    async ({ page }, use) => {
      const leaked: string[] = [];
      await page.route('**/*', route => {
        const url = route.request().url();
        if (LOCAL.test(url) || url.startsWith('data:') || url.startsWith('blob:')) {
          return route.fallback(); // let Galata's own routes (settings mocks) see it
        }
        leaked.push(url);
        return route.abort('blockedbyclient');
      });
      await use(leaked);
      expect(leaked, 'requests that left localhost').toEqual([]);
    },
    { auto: true }
  ]
});

/** Where a screenshot for the README goes (docs/), or the test's output folder. */
export function shotPath(name: string): string {
  return process.env.MLNB_DOCS_SCREENSHOTS
    ? path.join(__dirname, '..', '..', 'docs', name)
    : test.info().outputPath(name);
}

/**
 * Open a notebook by its server path with JupyterLab's own command (not through the file browser,
 * whose listing can lag on a loaded machine) and make it the current widget.
 */
export async function openNotebook(page: import('@jupyterlab/galata').IJupyterLabPageFixture, path: string): Promise<void> {
  await page.evaluate(async p => {
    await (window as any).jupyterapp.commands.execute('docmanager:open', { path: p, factory: 'Notebook' });
  }, path);
  await page.locator(`.jp-NotebookPanel:not(.lm-mod-hidden)`).first().waitFor();
  await page.notebook.activate(path.split('/').pop()!);
}
