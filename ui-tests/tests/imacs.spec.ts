/**
 * The IMACS viewer in a real JupyterLab: `%imacs` on the offline watermark experiment (two CNNs
 * trained in the notebook; model B learned "watermark → circle") shows each view with the
 * watermark cluster first; hovering a segment shows its source image with the segment outlined and
 * both models' predictions; filtering to false positives works; re-clustering with another k
 * updates the view. No request leaves localhost. Prints render and hover times (benchmark figures,
 * not assertions); screenshots go to docs/ with MLNB_DOCS_SCREENSHOTS=1.
 */
import { expect, galata, openNotebook, shotPath, test } from './offline';

test.use({ autoGoto: true, mockSettings: { ...galata.DEFAULT_SETTINGS }, viewport: { width: 1500, height: 1300 } });

/** Screenshot of the viewer's top part (the notebook scrolls; a clip of the page shows what is drawn). */
async function shot(page: any, viewer: any, name: string, maxHeight = 1150) {
  await viewer.evaluate((el: HTMLElement) => el.scrollIntoView({ block: 'start' }));
  const box = (await viewer.boundingBox())!;
  await page.screenshot({ path: shotPath(name),
    clip: { x: box.x, y: Math.max(0, box.y), width: box.width, height: Math.min(maxHeight, box.height, 1300 - Math.max(0, box.y)) } });
}

test('IMACS viewer on the watermark experiment', async ({ page }) => {
  test.setTimeout(600_000);
  await openNotebook(page, 'imacs_watermark.ipynb');
  // Training and the IMACS run take a minute or two on a loaded 2-core machine.
  // Run all cells through the command (galata's run() waits with a 15 s limit per step, too short here).
  await page.evaluate(() => (window as any).jupyterapp.commands.execute('notebook:run-all-cells'));
  const viewer = page.locator('.mlnb-imacs');
  // Progress shows while the run goes (a stage name in the status line).
  await expect(viewer.locator('.mlnb-status, .mlnb-imacs-header')).not.toHaveCount(0, { timeout: 300_000 });
  await expect(viewer.locator('[data-view="histograms"].mlnb-imacs-view .mlnb-imacs-cluster').first())
    .toBeVisible({ timeout: 400_000 });
  await expect(viewer.locator('.mlnb-imacs-k')).toHaveValue('5');
  const times: Record<string, number> = {};

  // ---- cluster histograms: watermark cluster first --------------------------------------------
  const hist = viewer.locator('[data-view="histograms"].mlnb-imacs-view');
  await expect(hist.locator('.mlnb-imacs-cluster')).toHaveCount(5);
  const first = hist.locator('.mlnb-imacs-cluster').first();
  await expect(first.locator('.mlnb-imacs-changed')).toContainText('B relies on this concept, A does not');
  await expect(first.locator('.mlnb-imacs-changed')).toContainText('top-left corner');
  expect(await first.locator('[data-model="B"] .mlnb-imacs-thumb').count()).toBeGreaterThan(3);
  times.histograms_ms = Number(await hist.getAttribute('data-render-ms'));
  await expect(viewer.locator('.mlnb-imacs-title')).toHaveText('IMACS: model A vs model B on class “circle”');
  await shot(page, viewer, 'imacs-histograms.png');

  // ---- hover: the source image with the segment outlined, both models' predictions ---------------
  const tip = viewer.locator('.mlnb-imacs-tip');
  await first.locator('[data-model="B"] .mlnb-imacs-thumb').first().hover();
  await expect(tip).toBeVisible();
  await expect(tip).toContainText('A predicts');
  await expect(tip).toContainText('B predicts');
  const outline = await tip.evaluate((el: HTMLElement) => {
    const canvas = el.querySelector('canvas') as HTMLCanvasElement;
    const [x, y, , h] = (el.dataset.outline || '').split(',').map(Number);
    const px = canvas.getContext('2d')!.getImageData(Math.round(x + 1), Math.round(y + h / 2), 1, 1).data;
    return { x, y, h, px: Array.from(px), width: canvas.width };
  });
  expect(outline.width).toBe(160);
  // The watermark segment sits in the top-left corner, outlined in yellow.
  expect(outline.x).toBe(0);
  expect(outline.y).toBe(0);
  expect(outline.px[0]).toBeGreaterThan(200);
  expect(outline.px[1]).toBeGreaterThan(200);
  expect(outline.px[2]).toBeLessThan(120);
  // The first hover in a cluster fetches that cluster's source images (one round trip to the kernel).
  times.hover_first_in_cluster_ms = Number(await tip.getAttribute('data-ms'));
  await page.mouse.move(0, 0);
  await expect(tip).toBeHidden();
  // Another segment of the same cluster, from another image: drawn from the cache.
  await first.locator('[data-model="A"] .mlnb-imacs-thumb').first().hover();
  await expect(tip).toBeVisible();
  await expect(tip).toHaveAttribute('data-row', /\d+/);
  times.hover_same_cluster_ms = Number(await tip.getAttribute('data-ms'));
  await first.locator('[data-model="B"] .mlnb-imacs-thumb').nth(2).hover();
  await expect(tip).toBeVisible();
  const tipBox = (await tip.boundingBox())!;
  const vbox = (await viewer.boundingBox())!;
  await page.screenshot({ path: shotPath('imacs-hover.png'),
    clip: { x: vbox.x, y: Math.max(0, tipBox.y - 260), width: vbox.width, height: Math.min(560, 1300 - Math.max(0, tipBox.y - 260)) } });
  await page.mouse.move(0, 0);

  // ---- concept clusters -----------------------------------------------------------------------
  await viewer.locator('button[data-view="concepts"]').click();
  const concepts = viewer.locator('[data-view="concepts"].mlnb-imacs-view');
  await expect(concepts).toBeVisible();
  await expect(concepts.locator('.mlnb-imacs-cluster')).toHaveCount(5);
  await expect(concepts.locator('.mlnb-imacs-cluster').first().locator('.mlnb-imacs-changed')).toContainText('B relies on this concept');
  await expect(concepts.locator('.mlnb-imacs-cluster').first().locator('[data-plot]')).toHaveCount(3);
  times.concepts_ms = Number(await concepts.getAttribute('data-render-ms'));
  await shot(page, viewer, 'imacs-concepts.png');

  // ---- filter to false positives --------------------------------------------------------------
  for (const o of ['TP', 'TN', 'FN']) await viewer.locator(`input[data-outcome="${o}"]`).uncheck();
  const thumbs = concepts.locator('.mlnb-imacs-thumb');
  await expect(thumbs.first()).toBeVisible();
  const classes = await thumbs.evaluateAll(els => els.map(e => e.className));
  expect(classes.length).toBeGreaterThan(0);
  expect(classes.every(c => c.includes('outcome-fp'))).toBe(true);
  times.concepts_fp_ms = Number(await concepts.getAttribute('data-render-ms'));
  for (const o of ['TP', 'TN', 'FN']) await viewer.locator(`input[data-outcome="${o}"]`).check();

  // ---- confusion matrices of the first cluster -----------------------------------------------
  await viewer.locator('button[data-view="confusion"]').click();
  const conf = viewer.locator('[data-view="confusion"].mlnb-imacs-view');
  await expect(conf).toBeVisible();
  await expect(conf.locator('.mlnb-imacs-matrix')).toHaveCount(2);
  // Model B's watermark segments: mostly false positives (top-right in the thesis's layout).
  const fpB = conf.locator('[data-model="B"] td[data-outcome="FP"] .mlnb-imacs-thumb');
  expect(await fpB.count()).toBeGreaterThan(3);
  times.confusion_ms = Number(await conf.getAttribute('data-render-ms'));
  await shot(page, viewer, 'imacs-confusion.png');

  // ---- re-cluster with another k ----------------------------------------------------------------
  await viewer.locator('button[data-view="histograms"]').click();
  await viewer.locator('input.mlnb-imacs-k').fill('3');
  await viewer.locator('button.mlnb-imacs-recluster').click();
  await expect(viewer.locator('.mlnb-imacs-message')).toContainText('k=3 in', { timeout: 30_000 });
  await expect(hist.locator('.mlnb-imacs-cluster')).toHaveCount(3);
  times.recluster_roundtrip_ms = Number((await viewer.locator('.mlnb-imacs-message').textContent())!.match(/in (\d+) ms/)![1]);
  times.histograms_k3_ms = Number(await hist.getAttribute('data-render-ms'));
  await shot(page, viewer, 'imacs-recluster-k3.png', 700);
  console.log('IMACS viewer timings (headless Chromium):', JSON.stringify(times));
});
