// Starts and stops the real platform for whole-system tests.
//
// The platform binary is taken from LCP_BIN and run as `$LCP_BIN demo` with a
// fresh data directory, a free loopback port and the built front end.

import { spawn } from 'node:child_process';
import { createWriteStream, existsSync } from 'node:fs';
import { access, chmod, constants, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

export const e2eDir = resolve(here, '..');
export const artifactsDir = join(e2eDir, 'artifacts');
export const frontendDist = resolve(e2eDir, '..', 'frontend', 'dist');

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
 * Starts `$LCP_BIN demo` and waits until GET /readyz answers 200.
 *
 * @returns {Promise<{ baseUrl: string, dataDir: string, logPath: string,
 *   logTail: () => string, stop: () => Promise<{ code: number | null, signal: string | null }>,
 *   kill: () => Promise<void> }>}
 */
export async function startPlatform() {
  const bin = await requirePlatformBinary();
  const frontendDir = requireFrontendBuild();

  await mkdir(artifactsDir, { recursive: true });
  const logPath = join(artifactsDir, 'platform.log');
  const log = createWriteStream(logPath, { flags: 'w' });

  // The platform may run its database server as an unprivileged user, which
  // must be able to reach the data directory.
  const dataDir = await mkdtemp(join(tmpdir(), 'lcp-e2e-'));
  await chmod(dataDir, 0o755);

  const port = await freePort();
  const listen = `127.0.0.1:${String(port)}`;
  const baseUrl = `http://${listen}`;

  let recent = '';
  const record = (chunk) => {
    log.write(chunk);
    recent = (recent + chunk.toString('utf8')).slice(-LOG_KEEP_BYTES);
  };
  const logTail = () => recent.split('\n').slice(-LOG_TAIL_LINES).join('\n');

  record(`# ${bin} demo\n# LCP_LISTEN=${listen}\n# LCP_DATA_DIR=${dataDir}\n`);
  const child = spawn(bin, ['demo'], {
    env: {
      ...process.env,
      LCP_DATA_DIR: dataDir,
      LCP_LISTEN: listen,
      LCP_FRONTEND_DIR: frontendDir,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
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
  };

  const kill = async () => {
    if (exitStatus === null) {
      child.kill('SIGKILL');
      await exited;
    }
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
   * Sends SIGTERM and waits for the platform to exit. Rejects unless it
   * exits by itself with code 0 within the time limit.
   */
  const stop = async () => {
    if (exitStatus !== null) {
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
      throw new Error(
        `The platform exited with ${JSON.stringify(outcome)} after SIGTERM, expected code 0.\n` +
          `--- last lines of ${logPath} ---\n${logTail()}`,
      );
    }
    return outcome;
  };

  return { baseUrl, dataDir, logPath, logTail, stop, kill };
}
