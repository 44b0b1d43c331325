/**
 * No user-controlled string runs script or becomes markup in anything mlnb shows: file paths,
 * file contents and project metadata (ACUMEN), class names (IMACS), session, layer and finding
 * names and context (UMLAUT), in widgets, static views and the sidebar. Every field holds
 * `</script><script>…</script><img src=x onerror=…>{{7*7}}` and `javascript:` links.
 */
import { expect, galata, openNotebook, test } from './offline';

// Every cell in the DOM (JupyterLab 4 virtualises off-screen cells by default).
test.use({
  autoGoto: true,
  mockSettings: { ...galata.DEFAULT_SETTINGS, '@jupyterlab/notebook-extension:tracker': { windowingMode: 'none' } }
});

const PAYLOAD = '</script><script>window.__mlnbPwned=1</script><img src=x onerror="window.__mlnbPwned=2">{{7*7}}';

test('payloads in every user-controlled field stay text', async ({ page }) => {
  test.setTimeout(360_000); // %acumen imports and embeds in a fresh kernel
  page.on('dialog', dialog => dialog.dismiss());
  await openNotebook(page, 'injection.ipynb');
  expect(await page.notebook.run()).toBe(true);
  const outputs = page.locator('.jp-OutputArea-output');

  // ACUMEN (cell 3): the file path and README description show as text.
  const acumen = page.locator('.jp-Cell').nth(3).locator('.jp-OutputArea');
  await expect(acumen).toContainText('window.__mlnbPwned=1', { timeout: 60_000 });
  // IMACS (cell 4): class names in the summary and the chart.
  await expect(page.locator('.jp-Cell').nth(4).locator('.jp-OutputArea')).toContainText('__mlnbPwned', { timeout: 60_000 });
  // UMLAUT (cells 6, 7): session name, layer name, context, location, links.
  const cards = page.locator('.jp-Cell').nth(6).locator('.mlnb-ud-card');
  await expect(cards).toHaveCount(1, { timeout: 30_000 });
  await expect(cards.first().locator('.mlnb-card-title')).toContainText(PAYLOAD);
  const custom = page.locator('.jp-Cell').nth(7).locator('details.mlnb-card');
  await custom.locator('summary').click();
  await expect(custom.locator('.mlnb-card-snippet')).toHaveText(PAYLOAD);
  await expect(custom.locator('a')).toHaveCount(0); // the javascript: link is dropped

  // The sidebar shows the run named by the payload, as text.
  await page.sidebar.openTab('mlnb-sidebar');
  const run = page.locator('#mlnb-sidebar .mlnb-run', { hasText: '__mlnbPwned' });
  await expect(run).toHaveCount(1, { timeout: 20_000 });
  await run.locator('.mlnb-run-toggle').click();
  await expect(run.locator('.mlnb-finding')).toContainText('Missing activation after');

  // Nothing ran, nothing was parsed as markup, the template syntax stayed literal.
  await page.waitForTimeout(1000);
  expect(await page.evaluate(() => (window as any).__mlnbPwned)).toBeUndefined();
  await expect(page.locator('img[src="x"]')).toHaveCount(0);
  await expect(page.locator('a[href^="javascript:" i]')).toHaveCount(0);
  await expect(outputs.filter({ hasText: '{{7*7}}' }).first()).toBeVisible();
  await expect(page.locator('body')).not.toContainText('window.__mlnbPwned=1</script>49');
});
