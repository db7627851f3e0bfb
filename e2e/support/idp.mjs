// Starts and stops the demo OpenID Connect provider (idp/server.mjs) for
// tests, and drives it over plain HTTP.

import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';

import { artifactsDir, e2eDir } from './paths.mjs';

export const idpServerScript = join(e2eDir, 'idp', 'server.mjs');
export const demoConfigScript = join(e2eDir, 'idp', 'demo-config.mjs');

const READY_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 15_000;
const LOG_KEEP_BYTES = 64 * 1024;

/**
 * Runs idp/demo-config.mjs and returns what it prints: the issuer, the web
 * client's id and secret, the demo password and the ERP clients' secrets.
 *
 * @param {{ peoplePath: string, publicUrl: string, port: number, outPath: string }} options
 * @returns {Promise<{ issuer: string, web_client_id: string, web_client_secret: string,
 *   demo_password: string, erp_clients: { client_id: string, client_secret: string }[] }>}
 */
export async function runDemoConfig({ peoplePath, publicUrl, port, outPath }) {
  const { code, stdout, stderr } = await run(process.execPath, [
    demoConfigScript,
    '--people', peoplePath,
    '--public-url', publicUrl,
    '--port', String(port),
    '--out', outPath,
  ]);
  if (code !== 0) throw new Error(`idp/demo-config.mjs failed with code ${String(code)}:\n${stderr}`);
  return JSON.parse(stdout);
}

/** Runs a command to completion and collects its output. */
export function run(command, args, options = {}) {
  return new Promise((resolveRun, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.once('error', reject);
    child.once('close', (code, signal) => resolveRun({ code, signal, stdout, stderr }));
  });
}

/**
 * Starts idp/server.mjs with the given configuration file and waits for its
 * `IDP_READY <issuer>` line.
 *
 * @param {{ configPath: string, logName?: string }} options
 * @returns {Promise<{ issuer: string, logPath: string, logTail: () => string, stdout: () => string,
 *   stop: () => Promise<{ code: number | null, signal: string | null }>, kill: () => Promise<void> }>}
 */
export async function startIdp({ configPath, logName = 'idp.log' }) {
  await mkdir(artifactsDir, { recursive: true });
  const logPath = join(artifactsDir, logName);
  const log = createWriteStream(logPath, { flags: 'w' });
  let recent = '';
  let out = '';
  const record = (chunk) => {
    log.write(chunk);
    recent = (recent + chunk.toString('utf8')).slice(-LOG_KEEP_BYTES);
  };
  const logTail = () => recent.split('\n').slice(-40).join('\n');

  const child = spawn(process.execPath, [idpServerScript, '--config', configPath, '--exit-with-parent'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stderr.on('data', record);

  let exitStatus = null;
  const exited = new Promise((r) => {
    child.once('exit', (code, signal) => {
      exitStatus = { code, signal };
      r(exitStatus);
    });
  });
  const killOnExit = () => {
    if (exitStatus === null) child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);

  const cleanup = async () => {
    process.removeListener('exit', killOnExit);
    await new Promise((r) => log.end(r));
  };
  const kill = async () => {
    if (exitStatus === null) {
      child.kill('SIGKILL');
      await exited;
    }
    await cleanup();
  };

  const issuer = await new Promise((resolveReady, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`the identity provider did not report IDP_READY within ${String(READY_TIMEOUT_MS / 1000)} s`));
    }, READY_TIMEOUT_MS);
    child.stdout.on('data', (chunk) => {
      out += chunk.toString('utf8');
      const match = /^IDP_READY (\S+)$/m.exec(out);
      if (match) {
        clearTimeout(timer);
        resolveReady(match[1]);
      }
    });
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    exited.then((status) => {
      clearTimeout(timer);
      reject(new Error(`the identity provider exited early with ${JSON.stringify(status)}`));
    });
  }).catch(async (error) => {
    await kill();
    throw new Error(`${error.message}\n--- ${logPath} ---\n${logTail()}`);
  });

  /** Sends SIGTERM and requires exit code 0. */
  const stop = async () => {
    if (exitStatus !== null) {
      await cleanup();
      throw new Error(`the identity provider had already exited with ${JSON.stringify(exitStatus)}\n${logTail()}`);
    }
    child.kill('SIGTERM');
    let timer;
    const outcome = await Promise.race([
      exited,
      new Promise((r) => {
        timer = setTimeout(() => r(null), STOP_TIMEOUT_MS);
      }),
    ]);
    clearTimeout(timer);
    if (outcome === null) {
      await kill();
      throw new Error(`the identity provider did not exit within ${String(STOP_TIMEOUT_MS / 1000)} s of SIGTERM`);
    }
    await cleanup();
    if (outcome.code !== 0) {
      throw new Error(`the identity provider exited with ${JSON.stringify(outcome)}, expected code 0\n${logTail()}`);
    }
    return outcome;
  };

  return { issuer, logPath, logTail, stdout: () => out, stop, kill };
}

/** A random PKCE verifier and its S256 challenge. */
export function pkcePair() {
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  return { verifier, challenge };
}

/** HTTP Basic credentials for a client, form-encoded as RFC 6749 asks. */
export function basicAuth(clientId, clientSecret) {
  const enc = (s) => encodeURIComponent(s).replaceAll('%20', '+');
  return `Basic ${Buffer.from(`${enc(clientId)}:${enc(clientSecret)}`).toString('base64')}`;
}

/** Requests a client credentials token; returns the HTTP status and JSON body. */
export async function clientCredentialsToken(issuer, clientId, clientSecret, extra = {}) {
  const response = await fetch(`${issuer}/token`, {
    method: 'POST',
    headers: {
      Authorization: basicAuth(clientId, clientSecret),
      'Content-Type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({ grant_type: 'client_credentials', ...extra }),
  });
  return { status: response.status, body: await response.json() };
}

/** Decodes the header and payload of a JWT without verifying it. */
export function decodeJwt(token) {
  const [header, payload] = token.split('.').slice(0, 2).map((part) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8')));
  return { header, payload };
}

/**
 * A small cookie jar for driving browser flows with fetch: keeps cookies by
 * name and path, sends the ones whose path matches. Single host only.
 */
export class CookieJar {
  /** @type {Map<string, { name: string, value: string, path: string }>} */
  #cookies = new Map();

  /** Stores the Set-Cookie headers of a response. */
  store(response) {
    for (const header of response.headers.getSetCookie()) {
      const [pair, ...attributes] = header.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      let path = '/';
      let expired = false;
      for (const attribute of attributes) {
        const [key, ...rest] = attribute.trim().split('=');
        const val = rest.join('=');
        if (key.toLowerCase() === 'path') path = val || '/';
        if (key.toLowerCase() === 'expires' && Date.parse(val) <= Date.now()) expired = true;
        if (key.toLowerCase() === 'max-age' && Number(val) <= 0) expired = true;
      }
      const key = `${name}\u0000${path}`;
      if (expired || value === '') this.#cookies.delete(key);
      else this.#cookies.set(key, { name, value, path });
    }
  }

  /** The Cookie header for a URL. */
  header(url) {
    const { pathname } = new URL(url);
    return [...this.#cookies.values()]
      .filter((c) => pathname === c.path || pathname.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`))
      .sort((a, b) => b.path.length - a.path.length)
      .map((c) => `${c.name}=${c.value}`)
      .join('; ');
  }

  /** fetch with this jar's cookies, never following redirects. */
  async fetch(url, init = {}) {
    const headers = new Headers(init.headers);
    const cookie = this.header(url);
    if (cookie) headers.set('Cookie', cookie);
    const response = await fetch(url, { ...init, headers, redirect: 'manual' });
    this.store(response);
    return response;
  }
}
