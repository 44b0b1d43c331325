/**
 * The ACUMEN explorer in a real JupyterLab: `%acumen` on a small corpus shows the WebGL scatter and the
 * paged table; a lasso selects files (table and `explorer.selection` follow); a label is added and the
 * scatter coloured by it; a "does not contain" search filters and re-projects; undo restores the same layout;
 * the code preview shows a file containing `<script>` as text.
 */
import { expect, galata, IJupyterLabPageFixture, test } from '@jupyterlab/galata';
import type { Locator } from '@playwright/test';
import * as path from 'path';

// autoGoto off: galata's goto waits for the file browser to list the test's folder, which timed out on a
// loaded machine; this test opens its notebook through JupyterLab's command instead.
test.use({
  autoGoto: false,
  mockSettings: { ...galata.DEFAULT_SETTINGS },
  waitForApplication: async ({}, use) => {
    await use(async page => {
      await page.locator('#jupyterlab-splash').waitFor({ state: 'detached', timeout: 180_000 });
      await page.locator('#jp-main-dock-panel').waitFor({ timeout: 180_000 });
    });
  }
});
test.setTimeout(300_000);

const DOCS = path.join(__dirname, '..', '..', 'docs');

async function output(page: IJupyterLabPageFixture, cell: number): Promise<string> {
  return ((await page.notebook.getCellTextOutput(cell)) || []).join('');
}

async function lasso(page: IJupyterLabPageFixture, target: Locator,
  frac: [number, number][], modifier?: 'Shift' | 'Alt', screenshot?: string) {
  await target.scrollIntoViewIfNeeded();
  const box = (await target.boundingBox())!;
  const pts = frac.map(([fx, fy]) => [box.x + fx * box.width, box.y + fy * box.height]);
  pts.push(pts[0]);
  if (modifier) await page.keyboard.down(modifier);
  await page.mouse.move(pts[0][0], pts[0][1]);
  await page.mouse.down();
  // The lasso samples the pointer every few milliseconds: move slowly so every corner is recorded.
  for (let i = 1; i < pts.length; i++) {
    for (let k = 1; k <= 8; k++) {
      const t = k / 8;
      await page.mouse.move(pts[i - 1][0] + (pts[i][0] - pts[i - 1][0]) * t, pts[i - 1][1] + (pts[i][1] - pts[i - 1][1]) * t);
      await page.waitForTimeout(15);
    }
    if (i === pts.length - 2 && screenshot) await page.screenshot({ path: screenshot });
  }
  await page.mouse.up();
  if (modifier) await page.keyboard.up(modifier);
}

test('lasso, label, colour, "does not contain", undo and a safe code preview', async ({ page }) => {
  page.on('pageerror', e => console.log('PAGEERROR', e.message));
  await page.setViewportSize({ width: 1500, height: 1000 });
  await page.goto();
  await page.evaluate(() => (window as any).jupyterapp.commands.execute('docmanager:open', { path: 'acumen.ipynb' }));
  await page.locator('.jp-NotebookPanel').first().waitFor({ timeout: 120_000 });
  await page.notebook.activate('acumen.ipynb');
  for (let i = 0; i < 4; i++) {
    expect(await page.notebook.runCell(i)).toBe(true);
  }

  const widget = page.locator('[data-testid="acumen-explorer"]');
  await expect(widget).toBeVisible({ timeout: 120_000 });
  const scatter = widget.locator('[data-testid="acumen-scatter"]');
  await expect(scatter).toHaveAttribute('data-method', 'umap', { timeout: 120_000 });
  await expect(widget.locator('[data-testid="acumen-table"] .mlnb-ax-tr').first()).toBeVisible();
  await widget.scrollIntoViewIfNeeded();

  // Lasso the whole left half of the scatter: the table shows the selection, Python has it.
  await lasso(page, scatter, [[0.01, 0.01], [0.55, 0.01], [0.55, 0.99], [0.01, 0.99]], undefined, path.join(DOCS, 'acumen-lasso.png'));
  await expect(widget).not.toHaveAttribute('data-selected', '0');
  const selected = Number(await widget.getAttribute('data-selected'));
  expect(selected).toBeGreaterThan(0);
  await expect(widget.locator('.mlnb-ax-tableinfo')).toContainText(`${selected} files (the selection)`);
  expect(await page.notebook.runCell(4)).toBe(true);
  expect(await output(page, 4)).toContain(`selection ${selected} `);

  // Shift-lasso adds the right part, alt-lasso of the same region removes it again: real mouse and keyboard
  // events inside the notebook (the notebook's own shift-click cell selection must not swallow the drag).
  const pySet = async () => {
    expect(await page.notebook.runCell(6)).toBe(true);
    const text = await output(page, 6);
    return new Set((text.split('selection-set ')[1] || '').trim().split(',').filter(Boolean).map(Number));
  };
  const half = await pySet();
  expect(half.size).toBe(selected);
  const right: [number, number][] = [[0.6, 0.01], [0.99, 0.01], [0.99, 0.99], [0.6, 0.99]];
  await lasso(page, scatter, right, 'Shift', path.join(DOCS, 'acumen-lasso-add.png'));
  await expect(widget).not.toHaveAttribute('data-selected', String(selected));
  const added = Number(await widget.getAttribute('data-selected'));
  expect(added).toBeGreaterThan(selected);
  const union = await pySet();
  expect(union.size).toBe(added);
  for (const i of half) expect(union.has(i)).toBe(true);
  await lasso(page, scatter, right, 'Alt', path.join(DOCS, 'acumen-lasso-remove.png'));
  await expect(widget).toHaveAttribute('data-selected', String(selected));
  expect([...(await pySet())].sort()).toEqual([...half].sort());

  // Label the selection and colour by the label.
  await widget.locator('[data-testid="acumen-label-name"]').fill('picked');
  await widget.locator('[data-testid="acumen-label-value"]').fill('yes');
  await widget.locator('[data-testid="acumen-label-apply"]').click();
  await expect(widget.locator('[data-testid="acumen-color"] option[value="picked"]')).toHaveCount(1);
  await widget.locator('[data-testid="acumen-color"]').selectOption('picked');
  await expect(widget.locator('[data-testid="acumen-legend"]')).toContainText('yes');
  await expect(widget.locator('[data-testid="acumen-legend"]')).toContainText(String(selected));
  expect(await page.notebook.runCell(4)).toBe(true);
  expect(await output(page, 4)).toContain(`'picked': ${selected}`);
  expect(await output(page, 4)).toContain('color picked');

  // Hover a point: a tooltip with its row, never under the pointer.
  await widget.locator('.mlnb-ax-btn', { hasText: 'Pan' }).click();
  await scatter.scrollIntoViewIfNeeded();
  const box = (await scatter.boundingBox())!;
  let tooltipShown = false;
  for (let gy = 0.1; gy < 0.95 && !tooltipShown; gy += 0.04) {
    for (let gx = 0.05; gx < 0.95 && !tooltipShown; gx += 0.04) {
      const x = box.x + gx * box.width, y = box.y + gy * box.height;
      await page.mouse.move(x, y);
      const tip = widget.locator('[data-testid="acumen-tooltip"]');
      if (await tip.isVisible()) {
        await expect(tip).toContainText('path:');
        const tb = (await tip.boundingBox())!;
        expect(x >= tb.x && x <= tb.x + tb.width && y >= tb.y && y <= tb.y + tb.height).toBe(false);
        await page.screenshot({ path: path.join(DOCS, 'acumen-hover.png') });
        tooltipShown = true;
      }
    }
  }
  expect(tooltipShown).toBe(true);
  await widget.locator('.mlnb-ax-btn', { hasText: 'Lasso' }).click();

  // "does not contain" on path re-projects; undo brings back the very same layout.
  await widget.locator('.mlnb-ax-btn', { hasText: 'Clear selection' }).click();
  await expect(widget).toHaveAttribute('data-selected', '0');
  await widget.locator('[data-testid="acumen-op-path"]').selectOption('excludes');
  const search = widget.locator('[data-testid="acumen-search-path"]');
  await search.fill('test');
  await search.press('Enter');
  await expect(widget.locator('.mlnb-ax-crumb')).toHaveCount(2);
  await expect(widget.locator('.mlnb-ax-crumb.current')).toHaveText("path does not contain 'test'");
  await expect(scatter).toHaveAttribute('data-method', 'umap-subset', { timeout: 120_000 });
  await expect(widget.locator('.mlnb-ax-tableinfo')).toContainText('37 files');
  await expect(widget.locator('[data-testid="acumen-table"]')).not.toContainText('tests/');
  await widget.locator('.mlnb-ax-btn', { hasText: 'Undo' }).click();
  await expect(scatter).toHaveAttribute('data-method', 'umap');
  await expect(widget.locator('.mlnb-ax-crumb.undone')).toHaveCount(1);
  expect(await page.notebook.runCell(5)).toBe(true);
  expect(await output(page, 5)).toContain('same-layout True 1');

  // The code preview of a file with <script> in it shows text, never markup.
  await widget.locator('[data-testid="acumen-sort-path"]').click();
  const row = widget.locator('.mlnb-ax-tr', { hasText: 'a_page.py' });
  await row.click();
  const preview = widget.locator('[data-testid="acumen-preview"]');
  await expect(preview).toBeVisible();
  await expect(preview.locator('[data-testid="acumen-preview-path"]')).toHaveText('sk-proj/a_page.py');
  await expect(preview.locator('[data-testid="acumen-code"]')).toContainText('<script>alert(1)</script><b>bold</b>');
  expect(await preview.locator('script, b:not([data-testid]):has-text("bold")').count()).toBe(0);
  await expect(preview.locator('a', { hasText: 'open in JupyterLab' })).toHaveAttribute('href', /lab\/tree\/acumen-projects\/sk-proj\/a_page\.py$/);
  await expect(row).toHaveClass(/focused/);
  await preview.scrollIntoViewIfNeeded();
  await page.screenshot({ path: path.join(DOCS, 'acumen-explorer.png') });

  // Dark theme.
  await page.theme.setDarkTheme();
  await widget.scrollIntoViewIfNeeded();
  await page.screenshot({ path: path.join(DOCS, 'acumen-dark.png') });
});
