/**
 * Browser tests: a real JupyterLab server (with mlnb's server and lab extensions) driven by
 * Playwright/Galata in Debian's Chromium.
 *
 *   PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npx playwright test -c ui-tests/playwright.config.ts
 *
 * Environment: MLNB_PYTHON (the Python whose JupyterLab and mlnb are tested; default `python3`
 * from PATH), CHROMIUM (default /usr/bin/chromium), MLNB_UI_PORT (8899), MLNB_UI_TOKEN.
 */
import { defineConfig } from '@playwright/test';
import * as path from 'path';

const baseConfig = require('@jupyterlab/galata/lib/playwright-config');

const python = process.env.MLNB_PYTHON || 'python3';
const port = process.env.MLNB_UI_PORT || '8899';
const token = process.env.MLNB_UI_TOKEN || 'mlnb-ui-test-token';
process.env.MLNB_UI_PORT = port;
process.env.MLNB_UI_TOKEN = token;

export default defineConfig({
  ...baseConfig,
  testDir: path.join(__dirname, 'tests'),
  outputDir: path.join(__dirname, 'test-results'),
  reporter: [['list']],
  // One server, one store. The sidebar's tests start from the empty store, so they run first;
  // every other spec (which may record runs) depends on them.
  projects: [
    { name: 'sidebar', testMatch: /sidebar\.spec\.ts$/ },
    { name: 'views', testIgnore: /sidebar\.spec\.ts$/, dependencies: ['sidebar'] }
  ],
  workers: 1,
  fullyParallel: false,
  retries: 0,
  timeout: 120_000,
  expect: { timeout: 15_000 },
  use: {
    ...baseConfig.use,
    baseURL: `http://127.0.0.1:${port}`,
    // Every request of the page (and of Galata's API helpers) carries the server's token.
    extraHTTPHeaders: { Authorization: `token ${token}` },
    video: 'off', // recording needs a downloaded ffmpeg
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-dev-shm-usage',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run'
      ]
    }
  },
  webServer: {
    command: `"${python}" -m jupyterlab --config "${path.join(__dirname, 'jupyter_server_test_config.py')}" --no-browser`,
    url: `http://127.0.0.1:${port}/api/status?token=${token}`,
    reuseExistingServer: false,
    timeout: 120_000,
    stdout: 'pipe',
    stderr: 'pipe'
  }
});
