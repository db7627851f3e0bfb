// Whole-system smoke test: the real platform binary, its database and the
// built front end, driven through a real Chromium.
//
// Needs LCP_BIN (the platform binary) and a built frontend/dist.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { launchChromium, watchPageErrors } from '../support/browser.mjs';
import { artifactsDir, startPlatform } from '../support/platform.mjs';

const UI_TIMEOUT_MS = 30_000;

describe('platform smoke test', { timeout: 600_000 }, () => {
  /** @type {Awaited<ReturnType<typeof startPlatform>> | undefined} */
  let platform;
  /** @type {import('playwright-core').Browser | undefined} */
  let browser;
  let stopped = false;

  before(async () => {
    platform = await startPlatform();
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    if (platform && !stopped) await platform.kill();
  });

  /** Opens a fresh page at the given viewport and records its errors. */
  async function openPage(viewport) {
    assert.ok(browser && platform, 'the platform and the browser are running');
    const context = await browser.newContext({ viewport });
    const page = await context.newPage();
    page.setDefaultTimeout(UI_TIMEOUT_MS);
    const errors = watchPageErrors(page);
    return { context, page, errors };
  }

  /** The text of the State cell in the status panel row headed `component`. */
  async function stateOf(panel, component) {
    const row = panel.getByRole('row').filter({
      has: panel.page().getByRole('rowheader', { name: component, exact: true }),
    });
    return (await row.getByRole('cell').innerText()).trim();
  }

  test('the home page shows the platform as ready', async () => {
    const { context, page, errors } = await openPage({ width: 1280, height: 900 });
    try {
      const health = await (await fetch(`${platform.baseUrl}/healthz`)).json();

      await page.goto(platform.baseUrl);

      const heading = page.getByRole('heading', { level: 1, name: 'Letter of Credit Platform' });
      await heading.waitFor({ state: 'visible' });
      assert.equal(await page.title(), 'Letter of Credit Platform');
      assert.equal(await page.getByRole('main').count(), 1);
      assert.equal(await page.getByRole('banner').count(), 1);

      const panel = page.getByRole('region', { name: 'Platform status' });
      await panel.getByRole('status').filter({ hasText: 'The platform is ready.' }).waitFor();

      assert.equal(await stateOf(panel, 'Database'), 'ok');
      assert.equal(await stateOf(panel, 'Migrations'), 'ok');
      assert.equal(await stateOf(panel, 'Readiness'), 'ready');
      assert.equal(await stateOf(panel, 'Version'), health.version);
      assert.equal(await panel.getByRole('alert').count(), 0, 'no error notice is shown');

      const reference = page.getByRole('link', { name: 'API reference' });
      assert.equal(await reference.getAttribute('href'), '/api/docs/');
      const openapiLink = page.getByRole('link', { name: 'OpenAPI document' });
      assert.equal(await openapiLink.getAttribute('href'), '/api/openapi.json');

      // Keyboard: the first Tab reaches the skip link, which moves to main.
      await page.keyboard.press('Tab');
      const focused = await page.evaluate(() => document.activeElement?.textContent ?? '');
      assert.equal(focused, 'Skip to main content');
      await page.keyboard.press('Enter');
      assert.equal(await page.evaluate(() => document.activeElement?.id), 'main');

      // "Check again" re-runs the checks from the keyboard.
      await panel.getByRole('button', { name: 'Check again' }).focus();
      await page.keyboard.press('Enter');
      await panel.getByRole('status').filter({ hasText: 'The platform is ready.' }).waitFor();

      await page.screenshot({ path: join(artifactsDir, 'home.png'), fullPage: true });
      assert.deepEqual(errors, [], 'no console errors or page errors');
    } finally {
      await context.close();
    }
  });

  test('the home page fits a tablet screen', async () => {
    const { context, page, errors } = await openPage({ width: 768, height: 1024 });
    try {
      await page.goto(platform.baseUrl);
      await page
        .getByRole('region', { name: 'Platform status' })
        .getByRole('status')
        .filter({ hasText: 'The platform is ready.' })
        .waitFor();
      const overflow = await page.evaluate(
        () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
      );
      assert.ok(overflow <= 0, `no horizontal scrolling at 768 px (overflow ${String(overflow)} px)`);
      await page.screenshot({ path: join(artifactsDir, 'home-tablet.png'), fullPage: true });
      assert.deepEqual(errors, [], 'no console errors or page errors');
    } finally {
      await context.close();
    }
  });

  test('the API reference renders', async () => {
    const { context, page, errors } = await openPage({ width: 1280, height: 900 });
    try {
      const response = await page.goto(`${platform.baseUrl}/api/docs/`);
      assert.equal(response?.status(), 200);
      await page.getByText('Letter of Credit Platform API').first().waitFor({ state: 'visible' });
      await page.screenshot({ path: join(artifactsDir, 'api-docs.png'), fullPage: true });
      assert.deepEqual(errors, [], 'no console errors or page errors');
    } finally {
      await context.close();
    }
  });

  test('the OpenAPI document describes the probes', async () => {
    const response = await fetch(`${platform.baseUrl}/api/openapi.json`);
    assert.equal(response.status, 200);
    const spec = await response.json();
    assert.equal(spec.info.title, 'Letter of Credit Platform API');
    assert.ok(spec.paths['/healthz']?.get, 'documents GET /healthz');
    assert.ok(spec.paths['/readyz']?.get, 'documents GET /readyz');
  });

  test('the platform shuts down gracefully on SIGTERM', async () => {
    assert.ok(platform);
    stopped = true;
    const outcome = await platform.stop();
    assert.deepEqual(outcome, { code: 0, signal: null });
  });
});
