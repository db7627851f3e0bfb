#!/usr/bin/env node
// Builds the identity provider's configuration for the demo.
//
//   node idp/demo-config.mjs --people <people.json> --public-url <http://127.0.0.1:8080> \
//     --port <8081> --out <config.json> [--issuer <url>] [--api-audience lcp-api] \
//     [--access-token-ttl 300] [--web-client-id lcp-web]
//
// <people.json> is what `lcp demo-people` prints:
//   {"people": [{"email", "display_name", "organisation", "roles"}, ...],
//    "erp_clients": [{"client_id", "organisation", "roles"}, ...]}
//
// Generates a random secret for the web client, one random password shared by
// all demo accounts and a random secret per ERP client; writes the
// configuration (mode 0600) and prints one JSON object with the issuer,
// the client ids and the generated secrets on stdout.

import { randomBytes } from 'node:crypto';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

import { ConfigError, validateConfig } from './config.mjs';

const USAGE =
  'usage: node idp/demo-config.mjs --people <people.json> --public-url <url> --port <port> --out <config.json>\n' +
  '         [--issuer <url>] [--api-audience lcp-api] [--access-token-ttl 300] [--web-client-id lcp-web]';

const secret = () => randomBytes(32).toString('base64url');

function fail(message) {
  process.stderr.write(`demo-config: ${message}\n`);
  process.exit(1);
}

function parse() {
  try {
    return parseArgs({
      options: {
        people: { type: 'string' },
        'public-url': { type: 'string' },
        port: { type: 'string' },
        out: { type: 'string' },
        issuer: { type: 'string' },
        'api-audience': { type: 'string', default: 'lcp-api' },
        'access-token-ttl': { type: 'string', default: '300' },
        'web-client-id': { type: 'string', default: 'lcp-web' },
        help: { type: 'boolean', short: 'h' },
      },
    }).values;
  } catch (error) {
    process.stderr.write(`demo-config: ${error.message}\n${USAGE}\n`);
    process.exit(2);
  }
}

/** Reads `lcp demo-people` output: an object with people and erp_clients (or a bare array of people). */
async function readPeople(path) {
  let raw;
  try {
    raw = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    fail(`cannot read the people file ${path}: ${error.code ?? 'not valid JSON'}`);
  }
  const doc = Array.isArray(raw) ? { people: raw, erp_clients: [] } : raw;
  if (doc === null || typeof doc !== 'object' || !Array.isArray(doc.people)) {
    fail(`${path} must be an object with a "people" array (the output of \`lcp demo-people\`)`);
  }
  const erpClients = doc.erp_clients ?? [];
  if (!Array.isArray(erpClients)) fail(`${path}: "erp_clients" must be an array`);
  const problems = [];
  doc.people.forEach((p, i) => {
    if (typeof p?.email !== 'string' || !p.email.includes('@')) problems.push(`people[${String(i)}].email is missing`);
    if (typeof p?.display_name !== 'string' || !p.display_name.trim()) {
      problems.push(`people[${String(i)}].display_name is missing`);
    }
  });
  erpClients.forEach((c, i) => {
    if (typeof c?.client_id !== 'string' || !c.client_id.trim()) {
      problems.push(`erp_clients[${String(i)}].client_id is missing`);
    }
  });
  if (problems.length) fail(`${path}:\n  - ${problems.join('\n  - ')}`);
  return { people: doc.people, erpClients };
}

const args = parse();
if (args.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
for (const required of ['people', 'public-url', 'port', 'out']) {
  if (!args[required]) {
    process.stderr.write(`demo-config: missing --${required}\n${USAGE}\n`);
    process.exit(2);
  }
}

const port = Number(args.port);
if (!Number.isInteger(port) || port < 1 || port > 65535) fail('--port must be a TCP port number');
const ttl = Number(args['access-token-ttl']);
if (!Number.isInteger(ttl) || ttl < 1) fail('--access-token-ttl must be a positive number of seconds');

const publicUrl = URL.parse(args['public-url']);
if (!publicUrl || !['http:', 'https:'].includes(publicUrl.protocol) || publicUrl.search || publicUrl.hash) {
  fail('--public-url must be an http:// or https:// URL without query or fragment');
}
const appBase = publicUrl.href.replace(/\/+$/, '');
const issuer = (args.issuer ?? `http://127.0.0.1:${String(port)}`).replace(/\/+$/, '');

const { people, erpClients } = await readPeople(args.people);

const webClientId = args['web-client-id'];
const webClientSecret = secret();
const demoPassword = secret();
const erpSecrets = erpClients.map((c) => ({ client_id: c.client_id, client_secret: secret() }));

const config = {
  issuer,
  port,
  api_audience: args['api-audience'],
  access_token_ttl_seconds: ttl,
  clients: [
    {
      client_id: webClientId,
      client_name: 'Letter of Credit Platform',
      client_secret: webClientSecret,
      redirect_uris: [`${appBase}/auth/callback`],
      post_logout_redirect_uris: [...new Set([`${appBase}/`, appBase])],
      grant_types: ['authorization_code'],
    },
    ...erpClients.map((c, i) => ({
      client_id: c.client_id,
      ...(typeof c.organisation === 'string' && c.organisation.trim() ? { client_name: c.organisation } : {}),
      client_secret: erpSecrets[i].client_secret,
      grant_types: ['client_credentials'],
    })),
  ],
  accounts: people.map((p) => ({
    email: p.email,
    name: p.display_name,
    password: demoPassword,
  })),
};

try {
  validateConfig(config, 'the generated configuration');
} catch (error) {
  fail(error instanceof ConfigError ? error.message : String(error));
}

// Write next to the target with owner-only permissions, then move into place,
// so that the secrets are never readable by others, not even briefly.
const out = resolve(args.out);
const temporary = join(dirname(out), `.${basename(out)}.${randomBytes(6).toString('hex')}.tmp`);
try {
  await writeFile(temporary, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  await rename(temporary, out);
} catch (error) {
  await rm(temporary, { force: true });
  fail(`cannot write ${out}: ${error.code ?? error.message}`);
}

process.stdout.write(
  `${JSON.stringify({
    issuer,
    web_client_id: webClientId,
    web_client_secret: webClientSecret,
    demo_password: demoPassword,
    erp_clients: erpSecrets,
  })}\n`,
);
