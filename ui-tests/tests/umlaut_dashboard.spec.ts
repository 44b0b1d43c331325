/**
 * The UMLAUT dashboard in a real JupyterLab: a %%umlaut cell trains a small buggy Keras model; the
 * dashboard appears under the cell while it still runs and gains epochs live, shows the expected
 * cards, clicking a card highlights its epochs on the curves, "Apply" on the missing-activation
 * card edits the right line of the right cell (without running it), and the comparison of the
 * buggy and the fixed run lists the fixed findings. Screenshots (light and dark) for review.
 */
import { expect, galata, IJupyterLabPageFixture, test } from '@jupyterlab/galata';

// autoGoto off: on a loaded machine JupyterLab's first start can outlast galata's wait; see goto()
test.use({ autoGoto: false, mockSettings: { ...galata.DEFAULT_SETTINGS } });
test.describe.configure({ mode: 'serial' });

const NB = 'umlaut_dashboard.ipynb';

async function goto(page: IJupyterLabPageFixture) {
  for (let attempt = 1; ; attempt++) {
    try {
      await page.goto();
      return;
    } catch (err) {
      // a timeout, or the page navigated under galata's wait: load it again (cached by now)
      if (attempt >= 4) {
        throw err;
      }
      await page.waitForTimeout(2000);
    }
  }
}

function cellAt(page: IJupyterLabPageFixture, index: number) {
  return page.locator('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook .jp-Cell').nth(index);
}

async function cellSource(page: IJupyterLabPageFixture, id: string): Promise<string> {
  return page.evaluate(cellId => {
    const panel = (window as any).jupyterapp.shell.currentWidget;
    const cells = panel.content.model.cells;
    for (let i = 0; i < cells.length; i++) {
      if (cells.get(i).id === cellId) {
        return cells.get(i).sharedModel.getSource() as string;
      }
    }
    return '';
  }, id);
}

test('warm up the server (a cold JupyterLab can outlast the page fixture\'s wait)', async ({ request }) => {
  for (const url of ['/lab', '/api/contents', '/lab/api/settings']) {
    expect((await request.get(url, { timeout: 120_000 })).ok()).toBe(true);
  }
});

test('live dashboard, linked cards, Apply, comparison', async ({ page }) => {
  test.setTimeout(300_000);
  await page.setViewportSize({ width: 1280, height: 1500 }); // room for the whole dashboard in screenshots
  await goto(page);
  // a cold server on a loaded machine lists the folder slowly: wait for the notebook first
  await page.filebrowser.openDirectory('/');
  await expect(page.locator('.jp-DirListing-itemName', { hasText: NB })).toBeVisible({ timeout: 60_000 });
  expect(await page.notebook.openByPath(`/${NB}`)).toBe(true);
  await page.notebook.activate(NB);
  // setup and model cells, then start the %%umlaut cell without waiting for it
  expect(await page.notebook.runCell(0)).toBe(true);
  expect(await page.notebook.runCell(1)).toBe(true);
  await page.notebook.selectCells(2);
  await page.evaluate(() => {
    void (window as any).jupyterapp.commands.execute('notebook:run-cell');
  });
  const prompt = cellAt(page, 2).locator('.jp-InputPrompt');
  const dash = cellAt(page, 2).locator('.mlnb-ud');
  await expect(dash).toBeVisible({ timeout: 90_000 });
  const epochs = async () => Number(((await dash.locator('.mlnb-ud-epochs').textContent()) || '0').split(' ')[0]);
  await expect.poll(epochs, { timeout: 60_000 }).toBeGreaterThanOrEqual(1);
  await expect(prompt).toHaveText('[*]:'); // the cell is still running
  const first = await epochs();
  await expect.poll(epochs, { timeout: 30_000 }).toBeGreaterThanOrEqual(first + 2);
  await expect(prompt).toHaveText('[*]:', { timeout: 1000 }); // the updates did not wait for the kernel
  await expect(dash.locator('.mlnb-ud-loss canvas').first()).toBeVisible();
  await dash.screenshot({ path: test.info().outputPath('umlaut-dashboard-live.png') });

  // the cards of the bugs: missing activation and the zero learning rate before training, and
  // the consequences during training
  await expect(prompt).not.toHaveText('[*]:', { timeout: 90_000 });
  for (const key of ['missing-activation', 'lr-out-of-range', 'weights-unchanged', 'loss-not-decreasing']) {
    await expect(dash.locator(`.mlnb-ud-card[data-key="${key}"]`)).toHaveCount(1);
  }
  await expect(dash.locator('.mlnb-ud-epochs')).toHaveText('14 epochs');
  await expect(dash.locator('.mlnb-ud-status')).toHaveText('finished');

  // clicking a card highlights its epochs on the curves
  const stall = dash.locator('.mlnb-ud-card[data-key="loss-not-decreasing"]');
  await stall.locator('summary .mlnb-card-title').click();
  await expect(stall).toHaveClass(/mlnb-card-selected/);
  await expect(dash.locator('.mlnb-ud-loss')).toHaveAttribute('data-highlight', '2,3,4,5,6,7,8,9,10,11,12,13');
  // hovering an epoch of the timeline lists that epoch's findings
  const timeline = dash.locator('.mlnb-ud-timeline');
  await timeline.hover({ position: { x: (await timeline.boundingBox())!.width - 30, y: 30 } });
  await expect(dash.locator('.mlnb-ud-hover')).toContainText('Epoch 13');
  await expect(dash.locator('.mlnb-ud-hover')).toContainText('Training loss did not decrease');
  await dash.screenshot({ path: test.info().outputPath('umlaut-dashboard-selected.png') });

  // Apply on the missing-activation card edits line 3 of the model cell, and does not run it
  const missing = dash.locator('.mlnb-ud-card[data-key="missing-activation"]');
  await missing.locator('summary .mlnb-card-title').click();
  await expect(missing.locator('.mlnb-card-diff .mlnb-card-new')).toContainText("keras.layers.Dense(32, activation='relu'),");
  await missing.screenshot({ path: test.info().outputPath('umlaut-card-fix.png') });
  const countBefore = await cellAt(page, 1).locator('.jp-InputPrompt').textContent();
  await missing.locator('.mlnb-card-apply').click();
  await expect(missing.locator('.mlnb-card-apply-status')).toContainText('Applied to cell');
  const source = await cellSource(page, 'ud-model');
  expect(source.split('\n')[2]).toBe("    keras.layers.Dense(32, activation='relu'),");
  expect(source.split('\n')[3]).toBe("    keras.layers.Dense(10, activation='softmax')])");
  expect(await cellAt(page, 1).locator('.jp-InputPrompt').textContent()).toBe(countBefore);
  // undo in the cell editor takes it back
  await cellAt(page, 1).locator('.cm-content').click();
  await page.keyboard.press('Control+z');
  await expect.poll(() => cellSource(page, 'ud-model')).toContain('    keras.layers.Dense(32),\n');

  // dismiss: struck through, recorded (the kernel handles the message once idle)
  await missing.locator('.mlnb-card-dismiss').click();
  await expect(missing).toHaveClass(/mlnb-card-dismissed/);
  await expect(dash.locator('.mlnb-ud-count', { hasText: 'dismissed' })).toHaveText('1 dismissed');

  // the fixed run and the comparison
  expect(await page.notebook.runCell(3)).toBe(true);
  expect(await page.notebook.runCell(4)).toBe(true);
  const cmp = cellAt(page, 4).locator('.mlnb-ud');
  await expect(cmp.locator('.mlnb-ud-compare')).toBeVisible({ timeout: 30_000 });
  const fixed = cmp.locator('.mlnb-ud-cmp-fixed');
  // missing-activation was dismissed in the buggy run: not counted as fixed
  for (const key of ['lr-out-of-range', 'weights-unchanged', 'loss-not-decreasing']) {
    await expect(fixed).toContainText(key);
  }
  await expect(cmp.locator('.mlnb-ud-cmp-config')).toContainText('epochs');
  await cmp.scrollIntoViewIfNeeded();
  await cmp.screenshot({ path: test.info().outputPath('umlaut-compare.png') });
  await page.theme.setDarkTheme();
  await dash.scrollIntoViewIfNeeded();
  await dash.screenshot({ path: test.info().outputPath('umlaut-dashboard-dark.png') });
  await cmp.scrollIntoViewIfNeeded();
  await cmp.screenshot({ path: test.info().outputPath('umlaut-compare-dark.png') });
});
