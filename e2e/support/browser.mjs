// Launches the system's Chromium through playwright-core (no browser download).

import { chromium } from 'playwright-core';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

export async function launchChromium() {
  const executablePath = process.env.CHROMIUM_BIN ?? '/usr/bin/chromium';
  return chromium.launch({ executablePath, args: CHROMIUM_ARGS });
}

/**
 * Whether a console error is the browser reporting an expected answer: the
 * web UI asks GET /api/v1/me whether someone is signed in, and 401 means
 * "nobody", which the browser logs as a failed resource load.
 */
function isExpectedSignedOutProbe(message) {
  const { url } = message.location();
  if (!url) return false;
  let pathname;
  try {
    ({ pathname } = new URL(url));
  } catch {
    return false;
  }
  return pathname === '/api/v1/me' && /status of 401\b/.test(message.text());
}

/**
 * Records console errors and uncaught page errors of a page, so that a test
 * can assert that there were none. The signed-out answer of /api/v1/me is
 * not an error.
 */
export function watchPageErrors(page) {
  const errors = [];
  page.on('console', (message) => {
    if (message.type() === 'error' && !isExpectedSignedOutProbe(message)) {
      const { url, lineNumber } = message.location();
      errors.push(`console.error: ${message.text()}${url ? ` (${url}:${String(lineNumber)})` : ''}`);
    }
  });
  page.on('pageerror', (error) => {
    errors.push(`pageerror: ${error.message}`);
  });
  return errors;
}
