/**
 * mlnb's widgets in a real JupyterLab, offline: the findings widget (collapsed cards that expand,
 * a severity filter, "go to code" to the cell and line), `%umlaut show` (the dashboard), and an
 * mlnb chart rendering with no network. Screenshots in light and dark theme.
 */
import { IJupyterLabPageFixture } from '@jupyterlab/galata';
import { expect, galata, openNotebook, shotPath, test } from './offline';

// Every cell in the DOM (JupyterLab 4 virtualises off-screen cells by default).
test.use({
  viewport: { width: 1200, height: 1400 },
  autoGoto: true,
  mockSettings: { ...galata.DEFAULT_SETTINGS, '@jupyterlab/notebook-extension:tracker': { windowingMode: 'none' } }
});

async function activeCell(page: IJupyterLabPageFixture) {
  return page.evaluate(() => {
    const notebook = (window as any).jupyterapp.shell.currentWidget.content;
    const cell = notebook.activeCell;
    return { id: cell.model.id as string, cursorLine: cell.editor.getCursorPosition().line as number };
  });
}

test('findings widget, %umlaut show and an offline chart', async ({ page }) => {
  await openNotebook(page, 'widgets.ipynb');
  expect(await page.notebook.run()).toBe(true);

  // Cell 2: three findings, most severe first, all collapsed.
  const widget = page.locator('.jp-Cell').nth(2).locator('.mlnb-findings');
  const cards = widget.locator('details.mlnb-card');
  await expect(cards).toHaveCount(3, { timeout: 30_000 });
  await expect(cards.nth(0)).toHaveAttribute('data-severity', 'critical');
  await expect(cards.nth(1).locator('.mlnb-card-title')).toHaveText('Missing activation after dense_1');
  for (let i = 0; i < 3; i++) {
    await expect(cards.nth(i)).not.toHaveAttribute('open', '');
  }
  await expect(widget.locator('.mlnb-chip')).toHaveText(['1 critical', '1 error', '1 warning']);
  await widget.screenshot({ path: shotPath('findings-widget.png') });

  // Expanding a card shows why, detection, observed values, the fix and links; NaN survives the trip.
  await cards.nth(0).locator('summary').click();
  await expect(cards.nth(0).locator('h4')).toHaveText(['Why it matters', 'How mlnb detects it', 'Observed', 'How to fix']);
  await expect(cards.nth(0).locator('.mlnb-card-context')).toContainText('NaN');
  await expect(cards.nth(0).locator('.mlnb-card-snippet')).not.toBeEmpty();

  // The severity filter hides and shows cards.
  await widget.locator('.mlnb-chip', { hasText: 'warning' }).click();
  await expect(cards.nth(2)).toBeHidden();
  await widget.locator('.mlnb-chip', { hasText: 'warning' }).click();
  await expect(cards.nth(2)).toBeVisible();
  await widget.screenshot({ path: shotPath('findings-widget-expanded.png') });

  // "Go to code" jumps to the cell and line the finding points at (cell 1, line 2), as the sidebar does.
  await expect(cards.nth(1).locator('.mlnb-card-where')).toHaveText(/cell \[\d+\], line 2/);
  await cards.nth(1).locator('.mlnb-card-where').click();
  await expect.poll(async () => (await activeCell(page)).id).toBe('widgets-cell-1');
  expect((await activeCell(page)).cursorLine).toBe(1);
  await expect(cards.nth(1)).not.toHaveAttribute('open', ''); // the click did not toggle the card

  // Cell 4: `%umlaut show NAME` displays a recorded session's dashboard with its finding.
  const shown = page.locator('.jp-Cell').nth(4).locator('.mlnb-ud-card[data-key="high-dropout"]');
  await expect(shown).toHaveCount(1, { timeout: 30_000 });
  await expect(shown.locator('.mlnb-card-title')).toHaveText('Dropout rate 0.8 in dropout_1');

  // Cell 5: an mlnb chart renders offline (JupyterLab's own Vega), not "Error loading script".
  const chart = page.locator('.jp-Cell').nth(5).locator('.jp-OutputArea-output');
  await expect(chart.locator('svg, canvas').first()).toBeVisible({ timeout: 30_000 });
  await expect(page.locator('.jp-RenderedVega5').first()).toBeVisible(); // interactive, not only the SVG
  await expect(page.locator('.jp-Notebook')).not.toContainText('Error loading script');
  await chart.first().screenshot({ path: shotPath('offline-chart.png') });

  // Dark theme: the tokens follow JupyterLab's theme.
  await page.theme.setDarkTheme();
  await expect(page.locator('body')).toHaveAttribute('data-jp-theme-light', 'false');
  await widget.scrollIntoViewIfNeeded();
  const background = await cards.nth(0).evaluate(el => getComputedStyle(el).backgroundColor);
  expect(background).not.toBe('rgb(255, 255, 255)');
  await widget.screenshot({ path: shotPath('findings-widget-dark.png') });
  await page.theme.setLightTheme();
});
