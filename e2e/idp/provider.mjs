// An OpenID Connect provider for demos and tests, built on oidc-provider.
//
// - authorization code flow, PKCE (S256) required for every client;
// - ID tokens (RS256) with sub, email, email_verified, name, nonce and the
//   account's extra claims;
// - client credentials issuing JWT access tokens (typ at+jwt) for the API
//   audience, also when the request names no resource;
// - RP-initiated logout that confirms itself;
// - its own sign-in page, automatic consent for the configured clients.

import { createHash, generateKeyPairSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';

import Provider, { errors as oidcErrors } from 'oidc-provider';

import { createMemoryAdapter } from './adapter.mjs';
import {
  PAGE_HEADERS,
  WRONG_CREDENTIALS,
  errorPage,
  signInPage,
  signOutPage,
  signedOutPage,
} from './pages.mjs';

/** The scope JWT access tokens for the API carry. */
export const API_SCOPE = 'api';

/**
 * The resource indicator (RFC 8707) that names the API. Indicators must be
 * absolute URIs; an audience such as `lcp-api` is named `urn:lcp-api`.
 */
export function apiResourceIndicator(audience) {
  return URL.parse(audience) ? audience : `urn:${audience}`;
}

const ID_TOKEN_TTL_SECONDS = 10 * 60;
const SESSION_TTL_SECONDS = 8 * 60 * 60;
const INTERACTION_TTL_SECONDS = 30 * 60;
const MAX_FORM_BYTES = 16 * 1024;

const b64url = (buf) => Buffer.from(buf).toString('base64url');

/** A fresh RSA signing key as a private JWK whose kid is its RFC 7638 thumbprint. */
function signingKey() {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = privateKey.export({ format: 'jwk' });
  const thumbprint = createHash('sha256')
    .update(JSON.stringify({ e: jwk.e, kty: jwk.kty, n: jwk.n }))
    .digest();
  return { ...jwk, kid: b64url(thumbprint), alg: 'RS256', use: 'sig' };
}

/** Compares two strings in time independent of where they differ. */
function sameSecret(a, b) {
  const ha = createHash('sha256').update(a, 'utf8').digest();
  const hb = createHash('sha256').update(b, 'utf8').digest();
  return timingSafeEqual(ha, hb);
}

function readForm(req) {
  return new Promise((resolve, reject) => {
    const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    if (type !== 'application/x-www-form-urlencoded') {
      reject(Object.assign(new Error('expected a form submission'), { status: 415 }));
      req.resume();
      return;
    }
    let size = 0;
    const chunks = [];
    req.on('data', (chunk) => {
      size += chunk.length;
      if (size > MAX_FORM_BYTES) {
        reject(Object.assign(new Error('form too large'), { status: 413 }));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(new URLSearchParams(Buffer.concat(chunks).toString('utf8'))));
    req.on('error', reject);
  });
}

function sendHtml(res, status, html) {
  res.writeHead(status, { ...PAGE_HEADERS, 'Content-Length': Buffer.byteLength(html) });
  res.end(html);
}

function sendJson(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Cache-Control': 'no-store',
    'Content-Length': Buffer.byteLength(text),
  });
  res.end(text);
}

/**
 * Builds the provider and an HTTP server for it (not yet listening).
 *
 * @param {ReturnType<typeof import('./config.mjs').validateConfig>} config
 * @param {{ log?: (level: string, msg: string, fields?: object) => void }} [options]
 */
export function createIdentityProvider(config, { log = () => {} } = {}) {
  const accounts = new Map(config.accounts.map((a) => [a.id, a]));
  const extraClaimNames = [...new Set(config.accounts.flatMap((a) => Object.keys(a.claims)))];
  const firstPartyClients = new Set(config.clients.map((c) => c.client_id));
  const clientNames = new Map(config.clients.map((c) => [c.client_id, c.client_name ?? c.client_id]));

  const clients = config.clients.map((c) => {
    const authCode = c.grant_types.includes('authorization_code');
    return {
      client_id: c.client_id,
      client_secret: c.client_secret,
      ...(c.client_name ? { client_name: c.client_name } : {}),
      grant_types: c.grant_types,
      response_types: authCode ? ['code'] : [],
      redirect_uris: c.redirect_uris,
      post_logout_redirect_uris: c.post_logout_redirect_uris,
      token_endpoint_auth_method: c.token_endpoint_auth_method,
      id_token_signed_response_alg: 'RS256',
      application_type: 'web',
    };
  });

  const apiResource = apiResourceIndicator(config.api_audience);
  const apiResourceServer = {
    scope: API_SCOPE,
    audience: config.api_audience,
    accessTokenFormat: 'jwt',
    accessTokenTTL: config.access_token_ttl_seconds,
    jwt: { sign: { alg: 'RS256' } },
  };

  const provider = new Provider(config.issuer, {
    adapter: createMemoryAdapter(),
    clients,
    jwks: { keys: [signingKey()] },
    cookies: {
      names: {
        session: 'idp_session',
        interaction: 'idp_interaction',
        resume: 'idp_interaction_resume',
      },
      long: { httpOnly: true, sameSite: 'lax' },
      short: { httpOnly: true, sameSite: 'lax' },
      keys: [b64url(randomBytes(32))],
    },
    claims: {
      // Extra account claims (such as groups) come with the openid scope.
      openid: ['sub', ...extraClaimNames],
      email: ['email', 'email_verified'],
      profile: ['name'],
    },
    // Put every granted claim into the ID token, not only into userinfo.
    conformIdTokenClaims: false,
    clientDefaults: {
      grant_types: ['authorization_code'],
      response_types: ['code'],
      id_token_signed_response_alg: 'RS256',
      token_endpoint_auth_method: 'client_secret_basic',
    },
    responseTypes: ['code'],
    pkce: { required: () => true },
    clientAuthMethods: ['client_secret_basic', 'client_secret_post'],
    clientBasedCORS: () => false,
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      introspection: { enabled: false },
      dPoP: { enabled: false },
      pushedAuthorizationRequests: { enabled: false },
      revocation: { enabled: false },
      userinfo: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: async (ctx, form) => {
          ctx.set(PAGE_HEADERS);
          ctx.body = signOutPage(form);
        },
        postLogoutSuccessSource: async (ctx) => {
          ctx.set(PAGE_HEADERS);
          ctx.body = signedOutPage();
        },
      },
      resourceIndicators: {
        enabled: true,
        // The client credentials grant always yields a token for the API,
        // also when the request names no resource. Sign-in keeps the
        // ordinary access token for the userinfo endpoint.
        defaultResource: async (ctx, _client, oneOf) => {
          if (oneOf) return oneOf;
          if (ctx.oidc.route === 'token' && ctx.oidc.params?.grant_type === 'client_credentials') {
            return apiResource;
          }
          return undefined;
        },
        useGrantedResource: async () => false,
        getResourceServerInfo: async (_ctx, resourceIndicator) => {
          if (resourceIndicator === apiResource) return apiResourceServer;
          throw new oidcErrors.InvalidTarget();
        },
      },
    },
    formats: {
      customizers: {
        jwt: async (_ctx, token, jwt) => {
          jwt.payload.nbf = jwt.payload.iat;
          // A token request without a scope still yields the API scope.
          if (token.resourceServer && !jwt.payload.scope) jwt.payload.scope = token.resourceServer.scope;
        },
      },
    },
    ttl: {
      AccessToken: (_ctx, token) => token.resourceServer?.accessTokenTTL ?? config.access_token_ttl_seconds,
      AuthorizationCode: 60,
      ClientCredentials: (_ctx, token) =>
        token.resourceServer?.accessTokenTTL ?? config.access_token_ttl_seconds,
      IdToken: ID_TOKEN_TTL_SECONDS,
      Interaction: INTERACTION_TTL_SECONDS,
      Session: SESSION_TTL_SECONDS,
      Grant: SESSION_TTL_SECONDS,
      RefreshToken: SESSION_TTL_SECONDS,
    },
    interactions: {
      url: (_ctx, interaction) => `/interaction/${interaction.uid}`,
    },
    findAccount: async (_ctx, sub) => {
      const account = accounts.get(sub);
      if (!account) return undefined;
      return {
        accountId: account.id,
        claims: async () => ({
          ...account.claims,
          sub: account.id,
          email: account.email,
          email_verified: true,
          name: account.name,
        }),
      };
    },
    renderError: async (ctx, out) => {
      ctx.set(PAGE_HEADERS);
      ctx.body = errorPage(out);
    },
  });

  // Log outcomes, never credentials or tokens.
  const logError = (event) => (ctx, error) => {
    log('warn', event, {
      error: error?.error ?? error?.name,
      error_description: error?.error_description ?? error?.message,
      error_detail: error?.error_detail,
      client_id: ctx?.oidc?.client?.clientId,
    });
  };
  for (const event of [
    'authorization.error',
    'grant.error',
    'end_session.error',
    'userinfo.error',
    'discovery.error',
    'jwks.error',
    'backchannel.error',
  ]) {
    provider.on(event, logError(event));
  }
  provider.on('server_error', (_ctx, error) => log('error', 'server_error', { error: error?.stack ?? String(error) }));
  provider.on('grant.success', (ctx) => {
    log('info', 'token issued', { client_id: ctx.oidc.client?.clientId, grant_type: ctx.oidc.params?.grant_type });
  });

  const providerCallback = provider.callback();

  async function interaction(req, res, uid, action) {
    let details;
    try {
      details = await provider.interactionDetails(req, res);
    } catch {
      sendHtml(res, 400, errorPage({
        error: 'invalid_request',
        error_description: 'The sign-in has expired or was started in another browser. Start again from the application.',
      }));
      return;
    }
    if (details.uid !== uid) {
      sendHtml(res, 400, errorPage({ error: 'invalid_request', error_description: 'Unknown sign-in.' }));
      return;
    }
    const { prompt, params } = details;
    const clientName = clientNames.get(params.client_id) ?? String(params.client_id);

    if (action === 'abort') {
      if (req.method !== 'POST') return sendHtml(res, 405, errorPage({ error: 'method_not_allowed' }));
      await provider.interactionFinished(
        req,
        res,
        { error: 'access_denied', error_description: 'The user cancelled the sign-in.' },
        { mergeWithLastSubmission: false },
      );
      return;
    }

    if (action === 'login') {
      if (req.method !== 'POST') return sendHtml(res, 405, errorPage({ error: 'method_not_allowed' }));
      if (prompt.name !== 'login') {
        res.writeHead(303, { Location: `/interaction/${encodeURIComponent(uid)}`, 'Content-Length': '0' });
        res.end();
        return;
      }
      const form = await readForm(req);
      const email = (form.get('email') ?? '').trim();
      const password = form.get('password') ?? '';
      const account = accounts.get(email.toLowerCase());
      // Compare against something even for unknown accounts.
      const ok = sameSecret(password, account?.password ?? randomBytes(16).toString('hex')) && account !== undefined;
      if (!ok) {
        log('info', 'sign-in refused', { client_id: params.client_id });
        sendHtml(res, 200, signInPage({ uid, clientName, email, error: WRONG_CREDENTIALS }));
        return;
      }
      log('info', 'signed in', { client_id: params.client_id, sub: account.id });
      await provider.interactionFinished(req, res, { login: { accountId: account.id } }, { mergeWithLastSubmission: false });
      return;
    }

    // GET /interaction/:uid
    if (req.method !== 'GET') return sendHtml(res, 405, errorPage({ error: 'method_not_allowed' }));
    if (prompt.name === 'login') {
      sendHtml(res, 200, signInPage({ uid, clientName, email: typeof params.login_hint === 'string' ? params.login_hint : '' }));
      return;
    }
    if (prompt.name === 'consent') {
      if (!firstPartyClients.has(params.client_id)) {
        await provider.interactionFinished(
          req,
          res,
          { error: 'access_denied', error_description: 'This client is not allowed to sign users in.' },
          { mergeWithLastSubmission: false },
        );
        return;
      }
      // Configured clients are first-party: grant what they ask for.
      const { grantId, session } = details;
      const grant = grantId
        ? await provider.Grant.find(grantId)
        : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
      const missing = prompt.details;
      if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
      if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
      if (missing.missingResourceScopes) {
        for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes)) {
          grant.addResourceScope(indicator, scopes.join(' '));
        }
      }
      const savedGrantId = await grant.save();
      await provider.interactionFinished(
        req,
        res,
        { consent: { grantId: savedGrantId } },
        { mergeWithLastSubmission: true },
      );
      return;
    }
    sendHtml(res, 400, errorPage({ error: 'invalid_request', error_description: `Unsupported prompt ${prompt.name}.` }));
  }

  const server = createServer((req, res) => {
    const { pathname } = new URL(req.url ?? '/', 'http://idp.invalid');
    const match = /^\/interaction\/([A-Za-z0-9_-]+)(?:\/(login|abort))?\/?$/.exec(pathname);
    if (match) {
      interaction(req, res, match[1], match[2]).catch((error) => {
        log('error', 'interaction failed', { error: error?.message });
        if (!res.headersSent) {
          sendHtml(res, error?.status ?? 500, errorPage({ error: 'server_error', error_description: 'The sign-in failed.' }));
        } else {
          res.end();
        }
      });
      return;
    }
    if (pathname === '/favicon.ico') {
      // Browsers ask for it; there is no icon, and that is not an error.
      res.writeHead(204, { 'Cache-Control': 'max-age=86400' });
      res.end();
      return;
    }
    if (pathname === '/healthz') {
      sendJson(res, 200, { status: 'ok' });
      return;
    }
    providerCallback(req, res);
  });
  server.keepAliveTimeout = 5_000;

  return { provider, server };
}
