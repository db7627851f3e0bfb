// Reads and validates the identity provider's configuration file.
//
// Every problem is reported at once, with the path of the offending entry,
// and never with the value of a secret.

import { readFile } from 'node:fs/promises';

export const GRANT_TYPES = new Set(['authorization_code', 'client_credentials']);

/** Claims the provider sets itself; an account's extra claims may not replace them. */
export const RESERVED_CLAIMS = new Set([
  'sub', 'email', 'email_verified', 'name',
  'iss', 'aud', 'azp', 'exp', 'iat', 'nbf', 'jti', 'auth_time', 'nonce', 'acr', 'amr',
  'at_hash', 'c_hash', 's_hash', 'sid', 'client_id', 'scope', 'cnf',
]);

const TOP_LEVEL_KEYS = new Set([
  'issuer', 'port', 'host', 'api_audience', 'access_token_ttl_seconds', 'clients', 'accounts',
]);
const CLIENT_KEYS = new Set([
  'client_id', 'client_name', 'client_secret', 'redirect_uris', 'post_logout_redirect_uris',
  'grant_types', 'token_endpoint_auth_method',
]);
const ACCOUNT_KEYS = new Set(['email', 'name', 'password', 'claims']);

const MAX_TTL_SECONDS = 24 * 60 * 60;

export class ConfigError extends Error {
  /** @param {string[]} problems */
  constructor(source, problems) {
    super(`invalid identity provider configuration${source ? ` in ${source}` : ''}:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
const isNonEmptyString = (v) => typeof v === 'string' && v.trim().length > 0;

function parseWebUrl(value) {
  if (typeof value !== 'string') return null;
  const url = URL.parse(value);
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) return null;
  return url;
}

/**
 * Validates a parsed configuration object and returns a normalised copy.
 *
 * @param {unknown} raw
 * @param {string} [source] where it came from, for messages
 */
export function validateConfig(raw, source) {
  const problems = [];
  const problem = (msg) => problems.push(msg);

  if (!isObject(raw)) throw new ConfigError(source, ['the configuration must be a JSON object']);

  for (const key of Object.keys(raw)) {
    if (!TOP_LEVEL_KEYS.has(key)) problem(`unknown key "${key}"`);
  }

  // issuer
  const issuerUrl = parseWebUrl(raw.issuer);
  if (!issuerUrl) {
    problem('"issuer" must be an http:// or https:// URL, e.g. "http://127.0.0.1:8081"');
  } else {
    if (issuerUrl.search || issuerUrl.hash || raw.issuer.includes('?') || raw.issuer.includes('#')) {
      problem('"issuer" must not have a query or a fragment');
    }
    if (issuerUrl.pathname !== '/') problem('"issuer" must not have a path (the provider is served at the root)');
    if (issuerUrl.username || issuerUrl.password) problem('"issuer" must not contain credentials');
    if (raw.issuer.endsWith('/')) problem('"issuer" must not end with "/"');
  }

  // port and host
  if (!Number.isInteger(raw.port) || raw.port < 1 || raw.port > 65535) {
    problem('"port" must be an integer between 1 and 65535');
  }
  if (raw.host !== undefined && !isNonEmptyString(raw.host)) problem('"host" must be a non-empty string');

  if (!isNonEmptyString(raw.api_audience)) problem('"api_audience" must be a non-empty string');

  if (
    !Number.isInteger(raw.access_token_ttl_seconds) ||
    raw.access_token_ttl_seconds < 1 ||
    raw.access_token_ttl_seconds > MAX_TTL_SECONDS
  ) {
    problem(`"access_token_ttl_seconds" must be an integer between 1 and ${String(MAX_TTL_SECONDS)}`);
  }

  // clients
  const clients = [];
  if (!Array.isArray(raw.clients) || raw.clients.length === 0) {
    problem('"clients" must be a non-empty array');
  } else {
    const seen = new Set();
    raw.clients.forEach((client, i) => {
      const at = `clients[${String(i)}]`;
      if (!isObject(client)) {
        problem(`${at} must be an object`);
        return;
      }
      for (const key of Object.keys(client)) {
        if (!CLIENT_KEYS.has(key)) problem(`${at}: unknown key "${key}"`);
      }
      const id = client.client_id;
      if (!isNonEmptyString(id) || /\s/.test(id)) {
        problem(`${at}.client_id must be a non-empty string without spaces`);
      } else if (seen.has(id)) {
        problem(`${at}.client_id "${id}" is used twice`);
      } else {
        seen.add(id);
      }
      const label = isNonEmptyString(id) ? `client "${id}"` : at;
      if (typeof client.client_secret !== 'string' || client.client_secret.length < 16) {
        problem(`${label}: "client_secret" must be a string of at least 16 characters`);
      }
      if (client.client_name !== undefined && !isNonEmptyString(client.client_name)) {
        problem(`${label}: "client_name" must be a non-empty string`);
      }
      const method = client.token_endpoint_auth_method ?? 'client_secret_basic';
      if (method !== 'client_secret_basic' && method !== 'client_secret_post') {
        problem(`${label}: "token_endpoint_auth_method" must be "client_secret_basic" or "client_secret_post"`);
      }

      const grants = client.grant_types;
      let grantTypes = [];
      if (!Array.isArray(grants) || grants.length === 0) {
        problem(`${label}: "grant_types" must be a non-empty array`);
      } else {
        for (const g of grants) {
          if (!GRANT_TYPES.has(g)) {
            problem(`${label}: grant type ${JSON.stringify(g)} is not supported (use ${[...GRANT_TYPES].join(' or ')})`);
          }
        }
        grantTypes = [...new Set(grants)];
      }
      const authCode = grantTypes.includes('authorization_code');

      const checkUris = (key, required) => {
        const uris = client[key];
        if (uris === undefined) {
          if (required) problem(`${label}: "${key}" is required for the authorization_code grant`);
          return [];
        }
        if (!Array.isArray(uris) || (required && uris.length === 0)) {
          problem(`${label}: "${key}" must be ${required ? 'a non-empty' : 'an'} array of URLs`);
          return [];
        }
        uris.forEach((uri, j) => {
          const url = parseWebUrl(uri);
          if (!url) problem(`${label}: ${key}[${String(j)}] must be an http:// or https:// URL`);
          else if (url.hash || uri.includes('#')) problem(`${label}: ${key}[${String(j)}] must not have a fragment`);
        });
        return uris;
      };

      let redirectUris = [];
      let postLogoutRedirectUris = [];
      if (authCode) {
        redirectUris = checkUris('redirect_uris', true);
        postLogoutRedirectUris = checkUris('post_logout_redirect_uris', false);
      } else {
        for (const key of ['redirect_uris', 'post_logout_redirect_uris']) {
          if (Array.isArray(client[key]) ? client[key].length > 0 : client[key] !== undefined) {
            problem(`${label}: "${key}" only applies to clients with the authorization_code grant`);
          }
        }
      }

      clients.push({
        client_id: id,
        client_name: client.client_name,
        client_secret: client.client_secret,
        grant_types: grantTypes,
        redirect_uris: redirectUris,
        post_logout_redirect_uris: postLogoutRedirectUris,
        token_endpoint_auth_method: method,
      });
    });
  }

  // accounts
  const accounts = [];
  if (!Array.isArray(raw.accounts)) {
    problem('"accounts" must be an array');
  } else {
    const seen = new Set();
    raw.accounts.forEach((account, i) => {
      const at = `accounts[${String(i)}]`;
      if (!isObject(account)) {
        problem(`${at} must be an object`);
        return;
      }
      for (const key of Object.keys(account)) {
        if (!ACCOUNT_KEYS.has(key)) problem(`${at}: unknown key "${key}"`);
      }
      const email = account.email;
      let id;
      if (typeof email !== 'string' || !/^[^\s@]+@[^\s@]+$/.test(email)) {
        problem(`${at}.email must be an e-mail address`);
      } else {
        id = email.toLowerCase();
        if (seen.has(id)) problem(`${at}.email "${email}" is used twice`);
        seen.add(id);
      }
      const label = id ? `account "${id}"` : at;
      if (!isNonEmptyString(account.name)) problem(`${label}: "name" must be a non-empty string`);
      if (typeof account.password !== 'string' || account.password.length === 0) {
        problem(`${label}: "password" must be a non-empty string`);
      }
      let claims = {};
      if (account.claims !== undefined) {
        if (!isObject(account.claims)) {
          problem(`${label}: "claims" must be an object`);
        } else {
          for (const name of Object.keys(account.claims)) {
            if (RESERVED_CLAIMS.has(name)) problem(`${label}: claim "${name}" is set by the provider and cannot be configured`);
            if (account.claims[name] === undefined || account.claims[name] === null) {
              problem(`${label}: claim "${name}" must have a value`);
            }
          }
          claims = { ...account.claims };
        }
      }
      accounts.push({ id, email, name: account.name, password: account.password, claims });
    });
  }

  if (problems.length > 0) throw new ConfigError(source, problems);

  return {
    issuer: raw.issuer,
    port: raw.port,
    host: raw.host ?? '127.0.0.1',
    api_audience: raw.api_audience,
    access_token_ttl_seconds: raw.access_token_ttl_seconds,
    clients,
    accounts,
  };
}

/** Reads, parses and validates a configuration file. */
export async function loadConfig(path) {
  let text;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ConfigError(path, [`cannot read the file: ${error.code ?? error.message}`]);
  }
  let raw;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    // The parser's message may quote the file, and the file holds secrets.
    const where = /position \d+(?: \(line \d+ column \d+\))?/.exec(String(error.message));
    throw new ConfigError(path, [`not valid JSON${where ? ` (at ${where[0]})` : ''}`]);
  }
  return validateConfig(raw, path);
}
