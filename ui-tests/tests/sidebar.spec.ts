/**
 * The mlnb sidebar in a real JupyterLab: runs written by a kernel through the session store show
 * up (grouped by notebook, with status, latest epoch and finding counts), keep updating while the
 * kernel is busy, and a finding jumps to the cell and line that produced it.
 *
 * The tests share one server and one fresh store and run in file order (workers: 1).
 */
import { expect, galata, IJupyterLabPageFixture, test } from '@jupyterlab/galata';
import { request as playwrightRequest } from '@playwright/test';

const SIDEBAR = 'mlnb-sidebar';
const EMPTY_TEXT = 'No runs yet — %load_ext mlnb then train with %%umlaut';

test.use({ autoGoto: true, mockSettings: { ...galata.DEFAULT_SETTINGS } });
// JupyterLab adds a cache-busting query to GET requests.
const RUNS_URL = /\/mlnb\/api\/runs(\?[^/]*)?$/;

async function openSidebar(page: IJupyterLabPageFixture) {
  await page.sidebar.openTab(SIDEBAR);
  const panel = page.locator(`#${SIDEBAR}`);
  await expect(panel).toBeVisible();
  return panel;
}

/** The notebook's active cell as JupyterLab sees it (index, id, text, cursor line, highlight). */
async function activeCell(page: IJupyterLabPageFixture) {
  return page.evaluate(() => {
    const app = (window as any).jupyterapp;
    const panel = app.shell.currentWidget;
    const notebook = panel.content;
    const cell = notebook.activeCell;
    return {
      path: panel.context.path as string,
      index: notebook.activeCellIndex as number,
      id: cell.model.id as string,
      source: cell.model.sharedModel.getSource() as string,
      cursorLine: cell.editor.getCursorPosition().line as number,
      highlighted: cell.node.classList.contains('mlnb-highlight') as boolean
    };
  });
}

test('the REST API refuses requests without the token', async ({ baseURL }) => {
  const anonymous = await playwrightRequest.newContext({ baseURL, extraHTTPHeaders: {} });
  const response = await anonymous.get('/mlnb/api/runs');
  expect(response.status()).toBe(403);
  await anonymous.dispose();
});

test('empty state, then a server error with retry', async ({ page }) => {
  const panel = await openSidebar(page);
  await expect(panel.locator('.mlnb-empty')).toHaveText(EMPTY_TEXT);

  // A failing server is reported, not swallowed, and "Retry" recovers once it answers again.
  await page.route(RUNS_URL, route =>
    route.fulfill({ status: 500, contentType: 'application/json', body: JSON.stringify({ message: 'store is locked' }) })
  );
  await expect(panel.getByRole('alert')).toContainText('store is locked');
  await expect(panel.locator('.mlnb-empty')).toHaveCount(0);
  await page.unroute(RUNS_URL);
  await panel.getByRole('button', { name: 'Retry' }).click();
  await expect(panel.getByRole('alert')).toHaveCount(0);
  await expect(panel.locator('.mlnb-empty')).toHaveText(EMPTY_TEXT);
});

test('lists the run a kernel wrote; its finding jumps to the cell and line', async ({ page }) => {
  expect(await page.notebook.openByPath('/sidebar.ipynb')).toBe(true);
  await page.notebook.activate('sidebar.ipynb');
  expect(await page.notebook.run()).toBe(true);
  // The kernel mapped its own frame to this cell: the location names the cell id.
  const printed = await page.notebook.getCellTextOutput(3);
  expect(printed?.join('')).toContain("'cell_id': 'sidebar-cell-1'");

  const panel = await openSidebar(page);
  const group = panel.locator('.mlnb-group[data-notebook="sidebar.ipynb"]');
  await expect(group.locator('.mlnb-group-title')).toHaveText('sidebar.ipynb');
  const run = group.locator('.mlnb-run', { hasText: 'ui-test-run' });
  await expect(run).toHaveCount(1);
  await expect(run.locator('.mlnb-status')).toHaveText('running');
  await expect(run.locator('.mlnb-epoch')).toHaveText('1 epoch'); // epoch 0 written: one epoch, as %umlaut list counts
  await expect(run.locator('.mlnb-count[data-severity="error"]')).toHaveText('1');
  await expect(run.locator('.mlnb-count[data-severity="warning"]')).toHaveCount(0);

  // Close the notebook and move away: the jump must reopen it.
  expect(await page.notebook.close(true)).toBe(true);
  await run.locator('.mlnb-run-toggle').click();
  await expect(run.locator('.mlnb-run-toggle')).toHaveAttribute('aria-expanded', 'true');
  const finding = run.locator('.mlnb-finding', { hasText: 'Missing activation after dense_1' });
  await expect(finding).toContainText('cell [2], line 6');
  await panel.screenshot({ path: test.info().outputPath('sidebar.png') }); // for review, not compared
  await finding.locator('.mlnb-card-where').click();

  await expect.poll(async () => (await activeCell(page)).path, { timeout: 20_000 }).toBe('sidebar.ipynb');
  await expect.poll(async () => (await activeCell(page)).id).toBe('sidebar-cell-1');
  const cell = await activeCell(page);
  expect(cell.index).toBe(1);
  expect(cell.source).toContain("s.start_run('umlaut', 'ui-test-run')");
  expect(cell.cursorLine).toBe(5); // line 6, 0-based
  expect(cell.highlighted).toBe(true);
  await expect(page.locator('.jp-Notebook .jp-Cell.mlnb-highlight')).toHaveCount(1);
  await expect(page.locator('.jp-Notebook .jp-Cell.mlnb-highlight')).toBeInViewport();
});

test('the run keeps updating while the kernel is busy, and shows dead when the kernel goes', async ({ page }) => {
  expect(await page.notebook.openByPath('/busy.ipynb')).toBe(true);
  await page.notebook.activate('busy.ipynb');
  // Run all without waiting: the second cell keeps the kernel busy for 25 s.
  await page.evaluate(() => {
    void (window as any).jupyterapp.commands.execute('notebook:run-all-cells');
  });
  // "[*]:" until the kernel replies to the cell's execute request: the kernel is busy running it.
  // (JupyterLab's kernel status indicator is no proof: status messages of control-channel requests
  // can flip it to "idle" while a cell still runs.)
  const trainingPrompt = page.locator('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook .jp-Cell').nth(1).locator('.jp-InputPrompt');

  const panel = await openSidebar(page);
  const run = panel.locator('.mlnb-group[data-notebook="busy.ipynb"] .mlnb-run', { hasText: 'busy-run' });
  await expect(run.locator('.mlnb-status')).toHaveText('running', { timeout: 30_000 });
  const epochOf = async () => Number((await run.locator('.mlnb-epoch').getAttribute('data-epochs')) || 0) - 1;
  await expect.poll(epochOf, { timeout: 20_000 }).toBeGreaterThanOrEqual(0);
  // The training cell has started (it wrote epochs) and holds the kernel for 25 s.
  await expect(trainingPrompt).toHaveText('[*]:');
  const first = await epochOf();
  await expect.poll(epochOf, { timeout: 15_000 }).toBeGreaterThanOrEqual(first + 3);
  await expect(trainingPrompt).toHaveText('[*]:', { timeout: 1000 }); // the updates did not wait for the kernel

  // Shut the kernel down mid-run: the run was never ended, so it is shown as dead.
  await page.evaluate(() => (window as any).jupyterapp.shell.currentWidget.sessionContext.shutdown());
  await expect(run.locator('.mlnb-status')).toHaveText('dead', { timeout: 20_000 });
});

test('a run from a script is listed under scripts & consoles; its finding opens the file at the line', async ({ page }) => {
  expect(await page.notebook.openByPath('/script.ipynb')).toBe(true);
  await page.notebook.activate('script.ipynb');
  expect(await page.notebook.run()).toBe(true);

  const panel = await openSidebar(page);
  const group = panel.locator('.mlnb-group[data-notebook=""]');
  await expect(group.locator('.mlnb-group-title')).toHaveText('Scripts & consoles');
  const run = group.locator('.mlnb-run', { hasText: 'script-run' });
  await expect(run.locator('.mlnb-status')).toHaveText('finished');
  await expect(run.locator('.mlnb-epoch')).toHaveText('2 epochs');
  await expect(run.locator('.mlnb-count[data-severity="warning"]')).toHaveText('1');
  await expect(run.locator('.mlnb-run-open')).toHaveCount(0); // no cell to go to

  await run.locator('.mlnb-run-toggle').click();
  const finding = run.locator('.mlnb-finding', { hasText: 'Dropout rate 0.8 in dropout' });
  await expect(finding).toContainText('train_script.py:10');
  await finding.locator('.mlnb-card-where').click();
  const editor = () =>
    page.evaluate(() => {
      const widget = (window as any).jupyterapp.shell.currentWidget;
      return { path: widget.context?.path as string, line: widget.content?.editor?.getCursorPosition().line as number };
    });
  await expect.poll(async () => (await editor()).path, { timeout: 20_000 }).toBe('train_script.py');
  await expect.poll(async () => (await editor()).line).toBe(9); // line 10, 0-based
});

test('filter by tool and status, search, delete with confirmation; long names wrap', async ({ page }) => {
  expect(await page.notebook.openByPath('/manage.ipynb')).toBe(true);
  await page.notebook.activate('manage.ipynb');
  expect(await page.notebook.run()).toBe(true);
  const panel = await openSidebar(page);
  const group = panel.locator('.mlnb-group[data-notebook="manage.ipynb"]');
  const runs = group.locator('.mlnb-run');
  await expect(runs).toHaveCount(4);
  const longRun = runs.filter({ hasText: 'very-long-experiment-name' });
  await expect(longRun.locator('.mlnb-epoch')).toHaveText('4 epochs'); // %umlaut list's count, not "epoch 3"
  const imacs = runs.filter({ hasText: 'IMACS class square' });
  await expect(imacs.locator('.mlnb-run-summary')).toHaveText('SmallCNN vs ResNet18 · target square · 60 images · 4 clusters');

  // Long names and titles wrap inside the panel: nothing scrolls sideways or pokes out.
  await longRun.locator('.mlnb-run-toggle').click();
  const card = longRun.locator('.mlnb-finding', { hasText: 'deliberately long title' });
  await expect(card).toBeVisible();
  const fits = await panel.evaluate(node => {
    const scroll = node.querySelector('.mlnb-sidebar-scroll') as HTMLElement;
    const right = scroll.getBoundingClientRect().right;
    const pokes = [...node.querySelectorAll('.mlnb-run-name, .mlnb-card-title, .mlnb-group-title')].filter(
      el => el.getBoundingClientRect().right > right + 1
    );
    return { sideways: scroll.scrollWidth - scroll.clientWidth, pokes: pokes.length };
  });
  expect(fits).toEqual({ sideways: 0, pokes: 0 });
  await panel.screenshot({ path: test.info().outputPath('sidebar-manage.png') });
  await page.theme.setDarkTheme();
  await panel.screenshot({ path: test.info().outputPath('sidebar-dark.png') });
  await page.theme.setLightTheme();

  // Search looks in names, notebooks and finding titles; filters by tool and by status.
  const search = panel.locator('.mlnb-search');
  await search.fill('validation loss rises');
  await expect(panel.locator('.mlnb-run')).toHaveCount(1);
  await expect(panel.locator('.mlnb-run')).toContainText('very-long-experiment-name');
  await expect(panel.locator('.mlnb-filter-count')).toContainText('1 of');
  await search.fill('');
  await panel.locator('.mlnb-filter-tool').selectOption('imacs');
  await expect(group.locator('.mlnb-run')).toHaveCount(1);
  await expect(panel.locator('.mlnb-run .mlnb-tool').first()).toHaveText('imacs');
  await panel.locator('.mlnb-filter-tool').selectOption('');
  await panel.locator('.mlnb-filter-status').selectOption('failed');
  await expect(group.locator('.mlnb-run')).toHaveCount(1);
  await expect(group.locator('.mlnb-run')).toContainText('failed-mlp');
  await panel.screenshot({ path: test.info().outputPath('sidebar-filtered.png') });
  await panel.locator('.mlnb-filter-clear').click();
  await expect(runs).toHaveCount(4);

  // A running run cannot be deleted; one run goes only after the confirmation.
  const live = runs.filter({ hasText: 'still-training' });
  await expect(live.locator('.mlnb-run-delete')).toBeDisabled();
  await imacs.locator('.mlnb-run-delete').click();
  await expect(imacs.locator('.mlnb-confirm')).toContainText('Delete imacs run "IMACS class square"');
  await panel.screenshot({ path: test.info().outputPath('sidebar-confirm.png') });
  await imacs.locator('.mlnb-confirm-no').click();
  await expect(imacs.locator('.mlnb-confirm')).toHaveCount(0);
  await expect(runs).toHaveCount(4);
  await imacs.locator('.mlnb-run-delete').click();
  await imacs.locator('.mlnb-confirm-yes').click();
  await expect(runs).toHaveCount(3);
  await expect(panel.locator('.mlnb-notice')).toHaveText('Deleted 1 run.');

  // All finished runs of the notebook: the running one stays.
  await group.locator('.mlnb-group-delete').click();
  await expect(group.locator('.mlnb-confirm')).toContainText('Delete all 2 finished runs of manage.ipynb');
  await group.locator('.mlnb-confirm-yes').click();
  await expect(runs).toHaveCount(1);
  await expect(runs).toContainText('still-training');
  await expect(group.locator('.mlnb-group-delete')).toHaveCount(0); // nothing finished left
});
