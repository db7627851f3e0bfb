// The demo OpenID Connect provider (idp/), over real HTTP against a spawned
// server. No browser and no platform binary needed.

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { createLocalJWKSet, jwtVerify } from 'jose';

import {
  CookieJar,
  basicAuth,
  clientCredentialsToken,
  decodeJwt,
  idpServerScript,
  pkcePair,
  run,
  runDemoConfig,
  startIdp,
} from '../support/idp.mjs';
import { freePort } from '../support/platform.mjs';

const secret = () => randomBytes(24).toString('base64url');

const APP = 'http://127.0.0.1:9/app';
const REDIRECT_URI = `${APP}/auth/callback`;
const POST_LOGOUT_URI = `${APP}/`;
const ANNA = {
  email: 'anna.maker@rhein-valley.example',
  name: 'Anna Maker',
  password: secret(),
  claims: { groups: ['applicant-makers', 'rhein-valley'] },
};

describe('demo identity provider', { timeout: 120_000 }, () => {
  let dir;
  let idp;
  let issuer;
  let config;
  let discovery;
  let stopped = false;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lcp-idp-test-'));
    const port = await freePort();
    issuer = `http://127.0.0.1:${String(port)}`;
    config = {
      issuer,
      port,
      api_audience: 'lcp-api',
      access_token_ttl_seconds: 300,
      clients: [
        {
          client_id: 'lcp-web',
          client_secret: secret(),
          redirect_uris: [REDIRECT_URI],
          post_logout_redirect_uris: [POST_LOGOUT_URI],
          grant_types: ['authorization_code'],
        },
        { client_id: 'erp-rhein-valley', client_secret: secret(), grant_types: ['client_credentials'] },
      ],
      accounts: [ANNA, { email: 'Bob.Checker@Rhein-Valley.example', name: 'Bob Checker', password: secret() }],
    };
    const configPath = join(dir, 'idp.json');
    await writeFile(configPath, JSON.stringify(config), { mode: 0o600 });
    idp = await startIdp({ configPath, logName: 'idp-test.log' });
  });

  after(async () => {
    if (idp && !stopped) await idp.kill();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const web = () => config.clients[0];
  const erp = () => config.clients[1];

  async function getDiscovery() {
    discovery ??= await (await fetch(`${issuer}/.well-known/openid-configuration`)).json();
    return discovery;
  }

  async function jwks() {
    const response = await fetch((await getDiscovery()).jwks_uri);
    assert.equal(response.status, 200);
    return response.json();
  }

  function authorizeUrl(params) {
    const url = new URL(`${issuer}/auth`);
    for (const [key, value] of Object.entries(params)) if (value !== undefined) url.searchParams.set(key, value);
    return url.href;
  }

  /**
   * Follows redirects by hand from `url`, submitting the sign-in form with
   * `credentials` when it appears, until the app's redirect URI is reached or
   * a page is shown.
   */
  async function drive(jar, url, credentials) {
    let next = url;
    let submitted = false;
    for (let hop = 0; hop < 15; hop++) {
      if (next.startsWith(APP)) return { arrivedAt: new URL(next) };
      const response = await jar.fetch(next);
      if (response.status >= 300 && response.status < 400) {
        next = new URL(response.headers.get('location'), next).href;
        await response.arrayBuffer();
        continue;
      }
      const html = await response.text();
      const action = /<form method="post" action="([^"]+\/login)"/.exec(html)?.[1];
      if (response.status !== 200 || !action || submitted || !credentials) {
        return { page: { status: response.status, html, url: next } };
      }
      submitted = true;
      const posted = await jar.fetch(new URL(action, next).href, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(credentials),
      });
      if (posted.status === 200) return { page: { status: 200, html: await posted.text(), url: next } };
      assert.equal(posted.status, 303, 'a good sign-in redirects');
      next = new URL(posted.headers.get('location'), next).href;
      await posted.arrayBuffer();
    }
    throw new Error('too many redirects');
  }

  async function exchangeCode(code, verifier, auth = 'basic') {
    const body = new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI });
    if (verifier !== undefined) body.set('code_verifier', verifier);
    const headers = { 'Content-Type': 'application/x-www-form-urlencoded' };
    if (auth === 'basic') headers.Authorization = basicAuth(web().client_id, web().client_secret);
    else {
      body.set('client_id', web().client_id);
      body.set('client_secret', web().client_secret);
    }
    const response = await fetch(`${issuer}/token`, { method: 'POST', headers, body });
    return { status: response.status, body: await response.json() };
  }

  /** Signs Anna in with the code flow and returns the token response. */
  async function signIn(jar, { auth = 'basic' } = {}) {
    const { verifier, challenge } = pkcePair();
    const state = secret();
    const nonce = secret();
    const { arrivedAt, page } = await drive(
      jar,
      authorizeUrl({
        client_id: web().client_id,
        redirect_uri: REDIRECT_URI,
        response_type: 'code',
        scope: 'openid email profile',
        state,
        nonce,
        code_challenge: challenge,
        code_challenge_method: 'S256',
      }),
      { email: ANNA.email, password: ANNA.password },
    );
    assert.equal(page, undefined, `expected a redirect to the app, got a page: ${page?.html.slice(0, 300)}`);
    assert.equal(arrivedAt.origin + arrivedAt.pathname, REDIRECT_URI);
    assert.equal(arrivedAt.searchParams.get('state'), state);
    assert.equal(arrivedAt.searchParams.get('iss'), issuer);
    assert.equal(arrivedAt.searchParams.get('error'), null);
    const code = arrivedAt.searchParams.get('code');
    assert.ok(code, 'the redirect carries a code');
    const tokens = await exchangeCode(code, verifier, auth);
    assert.equal(tokens.status, 200, JSON.stringify(tokens.body));
    return { tokens: tokens.body, nonce, code, verifier };
  }

  test('publishes its discovery document and keys', async () => {
    const d = await getDiscovery();
    assert.equal(d.issuer, issuer);
    assert.equal(d.authorization_endpoint, `${issuer}/auth`);
    assert.equal(d.token_endpoint, `${issuer}/token`);
    assert.ok(d.jwks_uri.startsWith(issuer));
    assert.ok(d.end_session_endpoint.startsWith(issuer), 'RP-initiated logout is enabled');
    assert.deepEqual(d.code_challenge_methods_supported, ['S256']);
    assert.deepEqual(d.response_types_supported, ['code']);
    assert.ok(d.grant_types_supported.includes('authorization_code'));
    assert.ok(d.grant_types_supported.includes('client_credentials'));
    assert.ok(d.id_token_signing_alg_values_supported.includes('RS256'));
    assert.deepEqual(
      [...d.token_endpoint_auth_methods_supported].sort(),
      ['client_secret_basic', 'client_secret_post'],
    );
    for (const claim of ['sub', 'email', 'email_verified', 'name', 'groups']) {
      assert.ok(d.claims_supported.includes(claim), `claims_supported lists ${claim}`);
    }
    const keys = await jwks();
    assert.ok(keys.keys.length >= 1);
    for (const key of keys.keys) {
      assert.equal(key.d, undefined, 'no private key material is published');
      assert.ok(key.kid);
    }
    const health = await fetch(`${issuer}/healthz`);
    assert.equal(health.status, 200);
  });

  test('client credentials yield a signed JWT access token for the API', async () => {
    const before = Math.floor(Date.now() / 1000);
    const { status, body } = await clientCredentialsToken(issuer, erp().client_id, erp().client_secret);
    assert.equal(status, 200, JSON.stringify(body));
    assert.equal(body.token_type, 'Bearer');
    assert.equal(body.expires_in, 300);

    const { header } = decodeJwt(body.access_token);
    assert.equal(header.typ, 'at+jwt');
    assert.equal(header.alg, 'RS256');
    const keys = await jwks();
    assert.ok(keys.keys.some((k) => k.kid === header.kid), 'the header kid is in the JWKS');

    const { payload, protectedHeader } = await jwtVerify(body.access_token, createLocalJWKSet(keys), {
      issuer,
      audience: 'lcp-api',
      typ: 'at+jwt',
      algorithms: ['RS256'],
    });
    assert.equal(protectedHeader.kid, header.kid);
    assert.equal(payload.aud, 'lcp-api');
    assert.equal(payload.client_id, 'erp-rhein-valley');
    assert.equal(payload.sub, 'erp-rhein-valley');
    assert.equal(payload.scope, 'api');
    assert.ok(typeof payload.jti === 'string' && payload.jti.length > 10);
    assert.ok(payload.iat >= before - 5 && payload.iat <= before + 60);
    assert.equal(payload.exp - payload.iat, 300);
    assert.equal(payload.nbf, payload.iat);
  });

  test('client credentials also work with client_secret_post and an explicit resource', async () => {
    const response = await fetch(`${issuer}/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: erp().client_id,
        client_secret: erp().client_secret,
        resource: 'urn:lcp-api',
        scope: 'api',
      }),
    });
    const body = await response.json();
    assert.equal(response.status, 200, JSON.stringify(body));
    assert.equal(body.scope, 'api');
    const { payload } = await jwtVerify(body.access_token, createLocalJWKSet(await jwks()), {
      issuer,
      audience: 'lcp-api',
    });
    assert.equal(payload.client_id, 'erp-rhein-valley');
  });

  test('a wrong or unknown client secret is refused', async () => {
    const wrong = await clientCredentialsToken(issuer, erp().client_id, `${erp().client_secret}x`);
    assert.equal(wrong.status, 401);
    assert.equal(wrong.body.error, 'invalid_client');
    assert.equal(wrong.body.access_token, undefined);

    const unknown = await clientCredentialsToken(issuer, 'erp-nobody', erp().client_secret);
    assert.equal(unknown.status, 401);
    assert.equal(unknown.body.error, 'invalid_client');

    // The web client may not use the client credentials grant.
    const web_ = await clientCredentialsToken(issuer, web().client_id, web().client_secret);
    assert.equal(web_.status, 400);
    assert.ok(['invalid_request', 'unauthorized_client'].includes(web_.body.error), web_.body.error);
    assert.equal(web_.body.access_token, undefined);
  });

  test('the authorization code flow with PKCE signs a user in', async () => {
    const jar = new CookieJar();
    const { verifier, challenge } = pkcePair();
    const url = authorizeUrl({
      client_id: web().client_id,
      redirect_uri: REDIRECT_URI,
      response_type: 'code',
      scope: 'openid email profile',
      state: 'st-1',
      nonce: 'n-0S6_WzA2Mj',
      code_challenge: challenge,
      code_challenge_method: 'S256',
    });

    // The sign-in page, reached through the provider's redirect.
    const first = await jar.fetch(url);
    assert.equal(first.status, 303);
    const interactionUrl = new URL(first.headers.get('location'), url).href;
    assert.match(interactionUrl, /\/interaction\/[\w-]+$/);
    const page = await jar.fetch(interactionUrl);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type'), /^text\/html/);
    assert.ok(page.headers.get('content-security-policy'));
    const html = await page.text();
    assert.match(html, /<h1>Sign in to the demo identity provider<\/h1>/);
    assert.match(html, /<label for="email">Email<\/label>\s*<input id="email" name="email"/);
    assert.match(html, /<label for="password">Password<\/label>\s*<input id="password" name="password" type="password"/);
    assert.match(html, /<button type="submit">Sign in<\/button>/);
    assert.doesNotMatch(html, /https?:\/\/(?!127\.0\.0\.1)/, 'no external assets');

    const { arrivedAt } = await drive(jar, interactionUrl, { email: 'ANNA.maker@rhein-valley.example', password: ANNA.password });
    assert.ok(arrivedAt, 'the browser comes back to the app');
    assert.equal(arrivedAt.searchParams.get('state'), 'st-1');
    const code = arrivedAt.searchParams.get('code');

    // Without the verifier, or with a wrong one, the code is useless...
    const noVerifier = await exchangeCode(code, undefined);
    assert.equal(noVerifier.status, 400);
    assert.equal(noVerifier.body.error, 'invalid_grant');

    // ...and a code can only be used once, so start again for the real exchange.
    const { tokens, nonce } = await signIn(jar);
    assert.equal(tokens.token_type, 'Bearer');
    assert.ok(tokens.access_token);
    assert.equal(tokens.refresh_token, undefined);

    const { header } = decodeJwt(tokens.id_token);
    assert.equal(header.alg, 'RS256');
    const { payload } = await jwtVerify(tokens.id_token, createLocalJWKSet(await jwks()), {
      issuer,
      audience: 'lcp-web',
      algorithms: ['RS256'],
    });
    assert.equal(payload.sub, 'anna.maker@rhein-valley.example');
    assert.equal(payload.email, 'anna.maker@rhein-valley.example');
    assert.equal(payload.email_verified, true);
    assert.equal(payload.name, 'Anna Maker');
    assert.equal(payload.nonce, nonce);
    assert.deepEqual(payload.groups, ['applicant-makers', 'rhein-valley']);
    assert.ok(payload.exp > payload.iat);

    // The provider's session is reused: a second sign-in needs no password.
    const again = await drive(
      jar,
      authorizeUrl({
        client_id: web().client_id,
        redirect_uri: REDIRECT_URI,
        response_type: 'code',
        scope: 'openid email profile',
        state: 'st-2',
        code_challenge: challenge,
        code_challenge_method: 'S256',
      }),
      undefined,
    );
    assert.ok(again.arrivedAt?.searchParams.get('code'), 'single sign-on without a form');
    const exchanged = await exchangeCode(again.arrivedAt.searchParams.get('code'), verifier, 'post');
    assert.equal(exchanged.status, 200, 'client_secret_post works for the web client too');
  });

  test('the userinfo endpoint answers for the sign-in access token', async () => {
    const { tokens } = await signIn(new CookieJar());
    const response = await fetch(`${issuer}/me`, { headers: { Authorization: `Bearer ${tokens.access_token}` } });
    assert.equal(response.status, 200);
    const info = await response.json();
    assert.equal(info.email, ANNA.email);
    assert.equal(info.name, 'Anna Maker');
  });

  test('a wrong password does not sign in', async () => {
    const jar = new CookieJar();
    const { challenge } = pkcePair();
    const { arrivedAt, page } = await drive(
      jar,
      authorizeUrl({
        client_id: web().client_id,
        redirect_uri: REDIRECT_URI,
        response_type: 'code',
        scope: 'openid email profile',
        state: 'st-3',
        code_challenge: challenge,
        code_challenge_method: 'S256',
      }),
      { email: ANNA.email, password: `${ANNA.password}-wrong` },
    );
    assert.equal(arrivedAt, undefined);
    assert.equal(page.status, 200);
    assert.match(page.html, /Wrong email or password/);
    assert.match(page.html, /role="alert"/);
    assert.match(page.html, /value="anna\.maker@rhein-valley\.example"/, 'the email is kept');
    assert.ok(!page.html.includes(ANNA.password), 'the password is not echoed');

    // An unknown account gets the same answer.
    const other = await drive(new CookieJar(), authorizeUrl({
      client_id: web().client_id,
      redirect_uri: REDIRECT_URI,
      response_type: 'code',
      scope: 'openid',
      code_challenge: challenge,
      code_challenge_method: 'S256',
    }), { email: 'nobody@rhein-valley.example', password: ANNA.password });
    assert.match(other.page.html, /Wrong email or password/);

    const log = await readFile(idp.logPath, 'utf8');
    assert.ok(!log.includes(ANNA.password), 'passwords are never logged');
    for (const client of config.clients) assert.ok(!log.includes(client.client_secret), 'secrets are never logged');
  });

  test('an authorization request without PKCE is refused', async () => {
    const base = {
      client_id: web().client_id,
      redirect_uri: REDIRECT_URI,
      response_type: 'code',
      scope: 'openid email profile',
      state: 'st-4',
    };
    for (const params of [base, { ...base, code_challenge: pkcePair().challenge, code_challenge_method: 'plain' }]) {
      const response = await fetch(authorizeUrl(params), { redirect: 'manual' });
      await response.arrayBuffer();
      assert.equal(response.status, 303);
      const location = new URL(response.headers.get('location'));
      assert.equal(location.origin + location.pathname, REDIRECT_URI);
      assert.equal(location.searchParams.get('error'), 'invalid_request');
      assert.equal(location.searchParams.get('code'), null);
      assert.equal(location.searchParams.get('state'), 'st-4');
    }

    // An unregistered redirect URI is never redirected to.
    const evil = await fetch(
      authorizeUrl({ ...base, redirect_uri: 'http://127.0.0.1:9/evil', code_challenge: pkcePair().challenge, code_challenge_method: 'S256' }),
      { redirect: 'manual' },
    );
    assert.equal(evil.status, 400);
    assert.match(await evil.text(), /redirect_uri/);
  });

  test('RP-initiated logout ends the session and returns to the app', async () => {
    const jar = new CookieJar();
    const { tokens } = await signIn(jar);
    const d = await getDiscovery();
    const url = new URL(d.end_session_endpoint);
    url.searchParams.set('id_token_hint', tokens.id_token);
    url.searchParams.set('post_logout_redirect_uri', POST_LOGOUT_URI);
    url.searchParams.set('state', 'bye-1');

    const page = await jar.fetch(url.href);
    assert.equal(page.status, 200);
    const html = await page.text();
    // One form that submits itself (and has a button for browsers without scripts).
    const action = /<form id="autosubmit" method="post" action="([^"]+)"/.exec(html)?.[1];
    assert.ok(action, 'the confirmation form is there');
    const fields = Object.fromEntries(
      [...html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)].map((m) => [m[1], m[2]]),
    );
    assert.equal(fields.logout, 'yes');
    assert.ok(fields.xsrf);
    assert.match(html, /<button type="submit">Sign out<\/button>/);

    const confirm = await jar.fetch(new URL(action, url).href, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields),
    });
    assert.equal(confirm.status, 303);
    const back = new URL(confirm.headers.get('location'));
    assert.equal(back.origin + back.pathname, POST_LOGOUT_URI);
    assert.equal(back.searchParams.get('state'), 'bye-1');

    // Signed out at the provider: the next authorization asks for the password again.
    const { page: signInAgain } = await drive(
      jar,
      authorizeUrl({
        client_id: web().client_id,
        redirect_uri: REDIRECT_URI,
        response_type: 'code',
        scope: 'openid',
        code_challenge: pkcePair().challenge,
        code_challenge_method: 'S256',
      }),
      undefined,
    );
    assert.match(signInAgain.html, /Sign in to the demo identity provider/);
  });

  test('it exits cleanly on SIGTERM', async () => {
    stopped = true;
    assert.deepEqual(await idp.stop(), { code: 0, signal: null });
    assert.equal(idp.stdout(), `IDP_READY ${issuer}\n`, 'stdout holds exactly the ready line');
  });
});

describe('identity provider configuration', { timeout: 60_000 }, () => {
  let dir;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lcp-idp-config-'));
  });
  after(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('a bad configuration fails fast with a clear message', async () => {
    const path = join(dir, 'bad.json');
    const leaked = secret();
    await writeFile(
      path,
      JSON.stringify({
        issuer: 'ftp://127.0.0.1',
        port: 0,
        api_audience: '',
        access_token_ttl_seconds: 300,
        clients: [{ client_id: 'web', client_secret: leaked, grant_types: ['authorization_code', 'implicit'] }],
        accounts: [{ email: 'not-an-email', name: 'X', password: leaked, claims: { sub: 'x' } }],
        extra: true,
      }),
    );
    const { code, stdout, stderr } = await run(process.execPath, [idpServerScript, '--config', path]);
    assert.equal(code, 1);
    assert.equal(stdout, '');
    for (const expected of ['"issuer"', '"port"', '"api_audience"', 'unknown key "extra"', '"redirect_uris" is required',
      '"implicit" is not supported', 'accounts[0].email', 'claim "sub"']) {
      assert.ok(stderr.includes(expected), `mentions ${expected}:\n${stderr}`);
    }
    assert.ok(!stderr.includes(leaked), 'no secret in the message');

    const missing = await run(process.execPath, [idpServerScript, '--config', join(dir, 'nope.json')]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /cannot read the file: ENOENT/);

    const noArgs = await run(process.execPath, [idpServerScript]);
    assert.equal(noArgs.code, 2);
    assert.match(noArgs.stderr, /missing --config/);
  });

  test('with --exit-with-parent it stops when the process that started it ends', async () => {
    const port = await freePort();
    const path = join(dir, 'orphan.json');
    await writeFile(path, JSON.stringify({
      issuer: `http://127.0.0.1:${String(port)}`,
      port,
      api_audience: 'lcp-api',
      access_token_ttl_seconds: 60,
      clients: [{ client_id: 'erp', client_secret: secret(), grant_types: ['client_credentials'] }],
      accounts: [],
    }));
    const ready = join(dir, 'orphan.ready');
    // A shell starts the provider in the background, waits until it is ready and ends.
    const script = `"$0" "$1" --config "$2" --exit-with-parent >"$3" 2>/dev/null &
echo $!
for _ in $(seq 100); do grep -q IDP_READY "$3" 2>/dev/null && exit 0; sleep 0.1; done
exit 1`;
    const shell = await run('bash', ['-c', script, process.execPath, idpServerScript, path, ready]);
    assert.equal(shell.code, 0, 'the provider became ready');
    const pid = Number(shell.stdout.trim());
    assert.ok(pid > 0);
    const alive = () => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    const deadline = Date.now() + 10_000;
    while (alive() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    if (alive()) process.kill(pid, 'SIGKILL');
    assert.equal(alive(), false, 'the provider ended with its parent');
  });

  test('demo-config builds a private configuration from the demo people', async () => {
    const peoplePath = join(dir, 'people.json');
    await writeFile(
      peoplePath,
      JSON.stringify({
        people: [
          { email: 'anna.maker@rhein-valley.example', display_name: 'Anna Maker', organisation: 'Rhein Valley Instruments GmbH', roles: ['applicant_maker'] },
          { email: 'carl.checker@rhein-valley.example', display_name: 'Carl Checker', organisation: 'Rhein Valley Instruments GmbH', roles: ['applicant_checker'] },
        ],
        erp_clients: [{ client_id: 'erp-rhein-valley', organisation: 'Rhein Valley Instruments GmbH', roles: ['applicant_maker'] }],
      }),
    );
    const outPath = join(dir, 'idp.json');
    const printed = await runDemoConfig({ peoplePath, publicUrl: 'http://127.0.0.1:8080/', port: 8081, outPath });
    assert.equal(printed.issuer, 'http://127.0.0.1:8081');
    assert.equal(printed.web_client_id, 'lcp-web');
    assert.ok(Buffer.from(printed.web_client_secret, 'base64url').length >= 24);
    assert.ok(Buffer.from(printed.demo_password, 'base64url').length >= 24);
    assert.equal(printed.erp_clients.length, 1);
    assert.equal(printed.erp_clients[0].client_id, 'erp-rhein-valley');
    assert.ok(Buffer.from(printed.erp_clients[0].client_secret, 'base64url').length >= 24);

    assert.equal((await stat(outPath)).mode & 0o777, 0o600);
    const written = JSON.parse(await readFile(outPath, 'utf8'));
    assert.equal(written.issuer, 'http://127.0.0.1:8081');
    assert.equal(written.port, 8081);
    assert.equal(written.api_audience, 'lcp-api');
    const webClient = written.clients.find((c) => c.client_id === 'lcp-web');
    assert.deepEqual(webClient.redirect_uris, ['http://127.0.0.1:8080/auth/callback']);
    assert.ok(webClient.post_logout_redirect_uris.includes('http://127.0.0.1:8080/'));
    assert.equal(webClient.client_secret, printed.web_client_secret);
    const erpClient = written.clients.find((c) => c.client_id === 'erp-rhein-valley');
    assert.deepEqual(erpClient.grant_types, ['client_credentials']);
    assert.equal(erpClient.client_secret, printed.erp_clients[0].client_secret);
    assert.deepEqual(
      written.accounts.map((a) => [a.email, a.name, a.password === printed.demo_password]),
      [
        ['anna.maker@rhein-valley.example', 'Anna Maker', true],
        ['carl.checker@rhein-valley.example', 'Carl Checker', true],
      ],
    );

    // Each run makes new secrets.
    const second = await runDemoConfig({ peoplePath, publicUrl: 'http://127.0.0.1:8080', port: 8081, outPath });
    assert.notEqual(second.demo_password, printed.demo_password);
    assert.notEqual(second.web_client_secret, printed.web_client_secret);
    assert.equal((await stat(outPath)).mode & 0o777, 0o600);
  });
});
