// Sign-in through the demo OpenID Connect provider: a person in a real
// Chromium, and an ERP system with a client credentials token.
//
// Needs LCP_BIN (the platform binary, with `demo-people`) and a built
// frontend/dist.

import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { launchChromium, watchPageErrors } from '../support/browser.mjs';
import { clientCredentialsToken } from '../support/idp.mjs';
import { artifactsDir, startPlatform } from '../support/platform.mjs';

const UI_TIMEOUT_MS = 30_000;
const ANNA = 'anna.maker@rhein-valley.example';
const ERP_CLIENT = 'erp-rhein-valley';

describe('sign-in', { timeout: 600_000 }, () => {
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

  const idp = () => {
    assert.ok(platform?.idp, 'the platform runs with the demo identity provider');
    return platform.idp;
  };

  async function openPage() {
    assert.ok(browser && platform, 'the platform and the browser are running');
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    page.setDefaultTimeout(UI_TIMEOUT_MS);
    page.setDefaultNavigationTimeout(UI_TIMEOUT_MS);
    const errors = watchPageErrors(page);
    return { context, page, errors };
  }

  /** From the app's home page, follows "Sign in" to the identity provider's form. */
  async function goToSignInForm(page) {
    await page.goto(platform.baseUrl);
    const signIn = page.getByRole('banner').getByRole('link', { name: 'Sign in', exact: true });
    await signIn.waitFor({ state: 'visible' });
    await signIn.click();
    await page.waitForURL((url) => url.href.startsWith(`${idp().issuer}/interaction/`));
    await page
      .getByRole('heading', { level: 1, name: 'Sign in to the demo identity provider' })
      .waitFor({ state: 'visible' });
  }

  async function submitSignIn(page, email, password) {
    await page.getByLabel('Email', { exact: true }).fill(email);
    await page.getByLabel('Password', { exact: true }).fill(password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  }

  const onApp = (url) => url.origin === new URL(platform.baseUrl).origin;

  test('the demo people include the applicant maker and an ERP client', () => {
    const anna = idp().people.find((p) => p.email === ANNA);
    assert.ok(anna, `${ANNA} is a demo person`);
    assert.equal(anna.display_name, 'Anna Maker');
    assert.equal(anna.organisation, 'Rhein Valley Instruments GmbH');
    assert.ok(anna.roles.includes('applicant_maker'));
    assert.ok(idp().erpClients.some((c) => c.client_id === ERP_CLIENT), `${ERP_CLIENT} has a secret`);
  });

  test('a person signs in through the identity provider and signs out again', async () => {
    const { context, page, errors } = await openPage();
    try {
      await goToSignInForm(page);
      await submitSignIn(page, ANNA, idp().demoPassword);

      // Back on the app, signed in.
      await page.waitForURL(onApp);
      const header = page.getByRole('banner');
      await header.getByText('Anna Maker', { exact: true }).waitFor({ state: 'visible' });
      await header.getByText('Rhein Valley Instruments GmbH').waitFor({ state: 'visible' });
      await header.getByText('Applicant maker', { exact: true }).waitFor({ state: 'visible' });
      const signOut = header.getByRole('button', { name: 'Sign out' });
      await signOut.waitFor({ state: 'visible' });
      assert.equal(await header.getByRole('link', { name: 'Sign in', exact: true }).count(), 0);

      const cookies = await context.cookies(platform.baseUrl);
      const session = cookies.find((c) => c.name === 'lcp_session');
      const csrf = cookies.find((c) => c.name === 'lcp_csrf');
      assert.ok(session, 'the lcp_session cookie is set');
      assert.equal(session.httpOnly, true, 'lcp_session is HttpOnly');
      assert.ok(csrf, 'the lcp_csrf cookie is set');
      assert.equal(csrf.httpOnly, false, 'lcp_csrf is readable by the page');

      const me = await context.request.get(`${platform.baseUrl}/api/v1/me`);
      assert.equal(me.status(), 200);
      const body = await me.json();
      assert.equal(body.user.email, ANNA);
      assert.equal(body.user.display_name, 'Anna Maker');
      assert.equal(body.organisation.legal_name, 'Rhein Valley Instruments GmbH');
      assert.ok(body.roles.includes('applicant_maker'));
      assert.equal(body.authenticated_by, 'session');
      assert.ok(!Number.isNaN(Date.parse(body.expires_at)), 'expires_at is a timestamp');

      await page.screenshot({ path: join(artifactsDir, 'signed-in.png'), fullPage: true });

      // Sign out: through the identity provider and back to the app.
      const visited = [];
      page.on('framenavigated', (frame) => {
        if (frame === page.mainFrame()) visited.push(frame.url());
      });
      const leftForIdp = page.waitForURL((url) => url.href.startsWith(`${idp().issuer}/session/end`), {
        waitUntil: 'commit',
      });
      await signOut.click();
      await leftForIdp;
      await header.getByRole('link', { name: 'Sign in', exact: true }).waitFor({ state: 'visible' });
      assert.ok(onApp(new URL(page.url())), `back on the app: ${page.url()}`);
      assert.ok(
        visited.some((url) => url.startsWith(`${idp().issuer}/session/end`)),
        `the sign-out went through the identity provider: ${visited.join(' -> ')}`,
      );
      assert.equal(await header.getByText('Anna Maker', { exact: true }).count(), 0);

      const afterSignOut = await context.request.get(`${platform.baseUrl}/api/v1/me`);
      assert.equal(afterSignOut.status(), 401);
      const remaining = (await context.cookies(platform.baseUrl)).map((c) => c.name);
      assert.ok(!remaining.includes('lcp_session'), 'the session cookie is gone');

      // The identity provider's session ended too: signing in asks for the password again.
      await goToSignInForm(page);
      await page.screenshot({ path: join(artifactsDir, 'idp-sign-in.png'), fullPage: true });

      assert.deepEqual(errors, [], 'no console errors or page errors');
    } finally {
      await context.close();
    }
  });

  test('a wrong password stays on the identity provider with an error', async () => {
    const { context, page, errors } = await openPage();
    try {
      await goToSignInForm(page);
      await submitSignIn(page, ANNA, `${idp().demoPassword}-wrong`);

      await page.getByRole('alert').filter({ hasText: 'Wrong email or password' }).waitFor({ state: 'visible' });
      assert.ok(page.url().startsWith(`${idp().issuer}/interaction/`), `still on the identity provider: ${page.url()}`);
      assert.equal(await page.getByLabel('Email', { exact: true }).inputValue(), ANNA);
      assert.equal(await page.getByLabel('Password', { exact: true }).inputValue(), '');
      await page.screenshot({ path: join(artifactsDir, 'sign-in-wrong-password.png'), fullPage: true });

      const cookies = (await context.cookies(platform.baseUrl)).map((c) => c.name);
      assert.ok(!cookies.includes('lcp_session'), 'no platform session');
      const me = await context.request.get(`${platform.baseUrl}/api/v1/me`);
      assert.equal(me.status(), 401);
      assert.deepEqual(errors, [], 'no console errors or page errors');
    } finally {
      await context.close();
    }
  });

  test('an ERP system calls the API with a client credentials token', async () => {
    const erp = idp().erpClients.find((c) => c.client_id === ERP_CLIENT);
    assert.ok(erp);
    const token = await clientCredentialsToken(idp().issuer, erp.client_id, erp.client_secret);
    assert.equal(token.status, 200, JSON.stringify(token.body));

    const response = await fetch(`${platform.baseUrl}/api/v1/me`, {
      headers: { Authorization: `Bearer ${token.body.access_token}` },
    });
    assert.equal(response.status, 200, await response.clone().text());
    const me = await response.json();
    assert.equal(me.authenticated_by, 'bearer');
    const expected = idp().erpClientDetails.find((c) => c.client_id === ERP_CLIENT);
    assert.ok(expected, `${ERP_CLIENT} is listed by demo-people`);
    assert.equal(me.organisation.legal_name, expected.organisation);
    for (const role of expected.roles ?? []) assert.ok(me.roles.includes(role), `has role ${role}`);
    if (me.client_id !== undefined && me.client_id !== null) assert.equal(me.client_id, ERP_CLIENT);

    // Not a token at all, and a token whose signature was tampered with.
    const garbage = await fetch(`${platform.baseUrl}/api/v1/me`, {
      headers: { Authorization: 'Bearer not-a-token' },
    });
    assert.equal(garbage.status, 401);
    const [h, p, sig] = token.body.access_token.split('.');
    const flipped = `${sig.slice(0, 10)}${sig[10] === 'A' ? 'B' : 'A'}${sig.slice(11)}`;
    const tampered = await fetch(`${platform.baseUrl}/api/v1/me`, {
      headers: { Authorization: `Bearer ${h}.${p}.${flipped}` },
    });
    assert.equal(tampered.status, 401);
  });

  test('the platform and the identity provider shut down gracefully', async () => {
    assert.ok(platform);
    stopped = true;
    const { demoPassword, webClientSecret, erpClients, logPath } = idp();
    assert.deepEqual(await platform.stop(), { code: 0, signal: null });

    const idpLog = await readFile(logPath, 'utf8');
    for (const secret of [demoPassword, webClientSecret, ...erpClients.map((c) => c.client_secret)]) {
      assert.ok(!idpLog.includes(secret), 'the identity provider logs no passwords or secrets');
    }
  });
});
