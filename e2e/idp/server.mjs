#!/usr/bin/env node
// Runs the demo and test OpenID Connect provider.
//
//   node idp/server.mjs --config <file.json> [--exit-with-parent]
//
// Prints exactly one line to stdout, `IDP_READY <issuer>`, once it listens;
// everything else goes to stderr as JSON lines. Exits on SIGTERM or SIGINT,
// and with --exit-with-parent also when the process that started it ends
// (so a script may `exec` the platform after starting the provider).

import { parseArgs } from 'node:util';

/** One JSON log line on stderr. Callers must never pass secrets. */
function log(level, msg, fields = {}) {
  const entry = { time: new Date().toISOString(), level, component: 'idp', msg };
  for (const [key, value] of Object.entries(fields)) if (value !== undefined) entry[key] = value;
  process.stderr.write(`${JSON.stringify(entry)}\n`);
}

// Library notices would otherwise reach stdout; keep stdout for IDP_READY.
for (const method of ['log', 'info', 'debug']) {
  console[method] = (...args) => log('info', args.map(String).join(' '));
}
console.warn = (...args) => log('warn', args.map(String).join(' '));
console.error = (...args) => log('error', args.map(String).join(' '));

const USAGE = 'usage: node idp/server.mjs --config <file.json> [--exit-with-parent]';

function usage(message) {
  process.stderr.write(`${message}\n${USAGE}\n`);
  process.exit(2);
}

let args;
try {
  args = parseArgs({
    options: {
      config: { type: 'string' },
      'exit-with-parent': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  }).values;
} catch (error) {
  usage(error.message);
}
if (args.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
if (!args.config) usage('missing --config');

const { ConfigError, loadConfig } = await import('./config.mjs');
let config;
try {
  config = await loadConfig(args.config);
} catch (error) {
  process.stderr.write(`${error instanceof ConfigError ? error.message : `cannot load the configuration: ${error.message}`}\n`);
  process.exit(1);
}

const { createIdentityProvider } = await import('./provider.mjs');
let server;
try {
  ({ server } = createIdentityProvider(config, { log }));
} catch (error) {
  process.stderr.write(`cannot set up the identity provider: ${error.message}\n`);
  process.exit(1);
}

const sockets = new Set();
server.on('connection', (socket) => {
  sockets.add(socket);
  socket.once('close', () => sockets.delete(socket));
});

let stopping = false;
function stop(signal) {
  if (stopping) return;
  stopping = true;
  log('info', 'stopping', { signal });
  server.close(() => process.exit(0));
  server.closeIdleConnections();
  // Requests in flight get a moment; then the connections are cut.
  setTimeout(() => {
    for (const socket of sockets) socket.destroy();
  }, 2_000).unref();
  setTimeout(() => process.exit(0), 5_000).unref();
}
process.once('SIGTERM', () => stop('SIGTERM'));
process.once('SIGINT', () => stop('SIGINT'));

if (args['exit-with-parent']) {
  // When the parent ends, this process is handed to another one.
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) stop('parent exited');
  }, 500).unref();
}

server.once('error', (error) => {
  process.stderr.write(`cannot listen on ${config.host}:${String(config.port)}: ${error.message}\n`);
  process.exit(1);
});
server.listen(config.port, config.host, () => {
  log('info', 'listening', {
    issuer: config.issuer,
    address: `${config.host}:${String(config.port)}`,
    clients: config.clients.map((c) => c.client_id),
    accounts: config.accounts.length,
  });
  process.stdout.write(`IDP_READY ${config.issuer}\n`);
});
