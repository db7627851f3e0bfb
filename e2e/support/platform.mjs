// Starts and stops the real platform for whole-system tests.
//
// The platform binary is taken from LCP_BIN and run as `$LCP_BIN demo` with a
// fresh data directory, a free loopback port and the built front end. By
// default it runs with sign-in: the demo OpenID Connect provider (idp/) is
// configured from `$LCP_BIN demo-people` and started first.

import { spawn } from 'node:child_process';
import { createWriteStream, existsSync } from 'node:fs';
import { access, chmod, constants, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import { run, runDemoConfig, startIdp } from './idp.mjs';
import { artifactsDir, e2eDir, frontendDist } from './paths.mjs';

export { artifactsDir, e2eDir, frontendDist };

/** The audience of the API's access tokens, shared by the platform and the identity provider. */
export const API_AUDIENCE = 'lcp-api';

/** Variables through which the platform learns about sign-in; cleared when running without it. */
const SIGN_IN_VARIABLES = [
  'LCP_PUBLIC_URL',
  'LCP_OIDC_ISSUER',
  'LCP_OIDC_CLIENT_ID',
  'LCP_OIDC_CLIENT_SECRET',
  'LCP_API_AUDIENCE',
  'LCP_DEMO_PASSWORD',
];

const READY_TIMEOUT_MS = 180_000;
const STOP_TIMEOUT_MS = 60_000;
const LOG_TAIL_LINES = 60;
const LOG_KEEP_BYTES = 256 * 1024;

/** Finds a free TCP port on the loopback interface. */
export async function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        server.close();
        reject(new Error('could not determine a free port'));
        return;
      }
      server.close(() => resolvePort(address.port));
    });
  });
}

async function requirePlatformBinary() {
  const bin = process.env.LCP_BIN;
  if (!bin) {
    throw new Error(
      'LCP_BIN is not set. Build the platform and point LCP_BIN at its binary, e.g.\n' +
        '  LCP_BIN=/path/to/target/debug/lcp npm test',
    );
  }
  const path = resolve(bin);
  try {
    await access(path, constants.X_OK);
  } catch {
    throw new Error(`LCP_BIN=${bin} does not name an executable file (resolved to ${path}).`);
  }
  return path;
}

function requireFrontendBuild() {
  if (!existsSync(join(frontendDist, 'index.html'))) {
    throw new Error(
      `The front end is not built: ${join(frontendDist, 'index.html')} is missing.\n` +
        'Build it first: (cd frontend && npm ci && npm run build)',
    );
  }
  return frontendDist;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Writes `$LCP_BIN demo-people` to a file, configures the demo identity
 * provider for the platform at `baseUrl` and starts it.
 */
async function startIdentityProvider(bin, baseUrl, secretsDir) {
  const people = await run(bin, ['demo-people'], { timeout: 60_000 });
  if (people.code !== 0) {
    throw new Error(
      `\`${bin} demo-people\` failed with ${JSON.stringify({ code: people.code, signal: people.signal })}; ` +
        `the platform needs it to run with sign-in.\n${people.stderr.slice(-2000)}`,
    );
  }
  const peoplePath = join(secretsDir, 'people.json');
  await writeFile(peoplePath, people.stdout, { mode: 0o600 });
  const configPath = join(secretsDir, 'idp.json');
  const generated = await runDemoConfig({ peoplePath, publicUrl: baseUrl, port: await freePort(), outPath: configPath });
  const idp = await startIdp({ configPath });
  const demoPeople = JSON.parse(await readFile(peoplePath, 'utf8'));
  return {
    idp,
    info: {
      issuer: idp.issuer,
      webClientId: generated.web_client_id,
      webClientSecret: generated.web_client_secret,
      demoPassword: generated.demo_password,
      erpClients: generated.erp_clients,
      people: Array.isArray(demoPeople) ? demoPeople : (demoPeople.people ?? []),
      erpClientDetails: Array.isArray(demoPeople) ? [] : (demoPeople.erp_clients ?? []),
      logPath: idp.logPath,
    },
  };
}

/**
 * @typedef {object} IdentityProviderInfo
 * @property {string} issuer
 * @property {string} webClientId
 * @property {string} webClientSecret
 * @property {string} demoPassword the password of every demo account
 * @property {{ client_id: string, client_secret: string }[]} erpClients
 * @property {{ email: string, display_name: string, organisation: string, roles: string[] }[]} people
 *   what `lcp demo-people` lists
 * @property {{ client_id: string, organisation: string, roles: string[] }[]} erpClientDetails
 * @property {string} logPath
 */

/**
 * Starts `$LCP_BIN demo` and waits until GET /readyz answers 200. With
 * `signIn` (the default) the demo identity provider is started first and the
 * platform is pointed at it.
 *
 * @param {{ signIn?: boolean }} [options]
 * @returns {Promise<{ baseUrl: string, dataDir: string, logPath: string,
 *   idp: IdentityProviderInfo | undefined,
 *   logTail: () => string, stop: () => Promise<{ code: number | null, signal: string | null }>,
 *   kill: () => Promise<void> }>}
 */
export async function startPlatform({ signIn = true } = {}) {
  const bin = await requirePlatformBinary();
  const frontendDir = requireFrontendBuild();

  await mkdir(artifactsDir, { recursive: true });
  const logPath = join(artifactsDir, 'platform.log');

  // The platform may run its database server as an unprivileged user, which
  // must be able to reach the data directory.
  const dataDir = await mkdtemp(join(tmpdir(), 'lcp-e2e-'));
  await chmod(dataDir, 0o755);

  const port = await freePort();
  const listen = `127.0.0.1:${String(port)}`;
  const baseUrl = `http://${listen}`;

  // Secrets (the identity provider's configuration) stay in a private directory.
  const secretsDir = await mkdtemp(join(tmpdir(), 'lcp-e2e-idp-'));
  await chmod(secretsDir, 0o700);

  const env = { ...process.env, LCP_DATA_DIR: dataDir, LCP_LISTEN: listen, LCP_FRONTEND_DIR: frontendDir };
  for (const name of SIGN_IN_VARIABLES) delete env[name];

  /** @type {Awaited<ReturnType<typeof startIdp>> | undefined} */
  let idp;
  /** @type {IdentityProviderInfo | undefined} */
  let idpInfo;
  if (signIn) {
    try {
      ({ idp, info: idpInfo } = await startIdentityProvider(bin, baseUrl, secretsDir));
    } catch (error) {
      await rm(secretsDir, { recursive: true, force: true });
      await rm(dataDir, { recursive: true, force: true, maxRetries: 3 });
      throw error;
    }
    Object.assign(env, {
      LCP_PUBLIC_URL: baseUrl,
      LCP_OIDC_ISSUER: idpInfo.issuer,
      LCP_OIDC_CLIENT_ID: idpInfo.webClientId,
      LCP_OIDC_CLIENT_SECRET: idpInfo.webClientSecret,
      LCP_API_AUDIENCE: API_AUDIENCE,
      LCP_DEMO_PASSWORD: idpInfo.demoPassword,
    });
  }

  const log = createWriteStream(logPath, { flags: 'w' });

  let recent = '';
  const record = (chunk) => {
    log.write(chunk);
    recent = (recent + chunk.toString('utf8')).slice(-LOG_KEEP_BYTES);
  };
  const logTail = () => recent.split('\n').slice(-LOG_TAIL_LINES).join('\n');

  record(`# ${bin} demo\n# LCP_LISTEN=${listen}\n# LCP_DATA_DIR=${dataDir}\n`);
  if (idpInfo) record(`# LCP_OIDC_ISSUER=${idpInfo.issuer}\n# LCP_PUBLIC_URL=${baseUrl}\n`);
  const child = spawn(bin, ['demo'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.on('data', record);
  child.stderr.on('data', record);

  /** @type {{ code: number | null, signal: string | null } | null} */
  let exitStatus = null;
  const exited = new Promise((resolveExit) => {
    child.once('exit', (code, signal) => {
      exitStatus = { code, signal };
      resolveExit(exitStatus);
    });
  });
  let spawnError = null;
  child.once('error', (error) => {
    spawnError = error;
  });

  // Never leave the platform running if this process dies unexpectedly.
  const killOnExit = () => {
    if (exitStatus === null) child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);

  const cleanup = async () => {
    process.removeListener('exit', killOnExit);
    await new Promise((r) => log.end(r));
    await rm(dataDir, { recursive: true, force: true, maxRetries: 3 });
    await rm(secretsDir, { recursive: true, force: true });
  };

  const kill = async () => {
    if (exitStatus === null) {
      child.kill('SIGKILL');
      await exited;
    }
    await idp?.kill();
    await cleanup();
  };

  const deadline = Date.now() + READY_TIMEOUT_MS;
  let lastProblem = 'no answer yet';
  for (;;) {
    if (spawnError !== null || exitStatus !== null) {
      await sleep(200); // let the last output arrive
      const why = spawnError ? `could not start: ${spawnError.message}` : `exited early with ${JSON.stringify(exitStatus)}`;
      await kill();
      throw new Error(`The platform ${why}.\n--- last lines of ${logPath} ---\n${logTail()}`);
    }
    if (Date.now() > deadline) {
      await kill();
      throw new Error(
        `The platform was not ready within ${String(READY_TIMEOUT_MS / 1000)} s (last: ${lastProblem}).\n` +
          `--- last lines of ${logPath} ---\n${logTail()}`,
      );
    }
    try {
      const response = await fetch(`${baseUrl}/readyz`, { signal: AbortSignal.timeout(5_000) });
      await response.arrayBuffer();
      if (response.status === 200) break;
      lastProblem = `GET /readyz answered ${String(response.status)}`;
    } catch (error) {
      lastProblem = `GET /readyz failed: ${error instanceof Error ? error.message : String(error)}`;
    }
    await sleep(500);
  }

  /**
   * Sends SIGTERM and waits for the platform, then the identity provider, to
   * exit. Rejects unless both exit by themselves with code 0 within the time
   * limit.
   */
  const stop = async () => {
    const outcome = await stopPlatform();
    if (idp) await idp.stop();
    return outcome;
  };

  const stopPlatform = async () => {
    if (exitStatus !== null) {
      await idp?.kill();
      await cleanup();
      throw new Error(`The platform had already exited with ${JSON.stringify(exitStatus)}.\n${logTail()}`);
    }
    child.kill('SIGTERM');
    let timer;
    const timedOut = new Promise((r) => {
      timer = setTimeout(() => r(null), STOP_TIMEOUT_MS);
    });
    const outcome = await Promise.race([exited, timedOut]);
    clearTimeout(timer);
    if (outcome === null) {
      await kill();
      throw new Error(
        `The platform did not exit within ${String(STOP_TIMEOUT_MS / 1000)} s of SIGTERM.\n` +
          `--- last lines of ${logPath} ---\n${logTail()}`,
      );
    }
    await cleanup();
    if (outcome.code !== 0) {
      await idp?.kill();
      throw new Error(
        `The platform exited with ${JSON.stringify(outcome)} after SIGTERM, expected code 0.\n` +
          `--- last lines of ${logPath} ---\n${logTail()}`,
      );
    }
    return outcome;
  };

  return { baseUrl, dataDir, logPath, idp: idpInfo, logTail, stop, kill };
}
