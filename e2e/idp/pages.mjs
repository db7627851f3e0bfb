// The identity provider's own HTML pages: sign-in, sign-out and errors.
// Self-contained: no external assets, inline styles and scripts are allowed
// by hash in the Content-Security-Policy.

import { createHash } from 'node:crypto';

export const SIGN_IN_HEADING = 'Sign in to the demo identity provider';
export const WRONG_CREDENTIALS = 'Wrong email or password';

const STYLE = `
:root { color-scheme: light; font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
body { margin: 0; background: #f3f4f6; color: #111827; }
main { max-width: 24rem; margin: 4rem auto; padding: 2rem; background: #fff; border-radius: 0.5rem;
  box-shadow: 0 1px 3px rgba(0, 0, 0, 0.15); }
h1 { font-size: 1.35rem; margin: 0 0 1rem; }
p { line-height: 1.4; }
label { display: block; font-weight: 600; margin: 1rem 0 0.25rem; }
input[type=email], input[type=password] { box-sizing: border-box; width: 100%; padding: 0.5rem;
  font: inherit; border: 1px solid #6b7280; border-radius: 0.25rem; }
input:focus-visible, button:focus-visible { outline: 3px solid #2563eb; outline-offset: 2px; }
button { margin-top: 1.5rem; padding: 0.55rem 1.2rem; font: inherit; font-weight: 600; color: #fff;
  background: #1d4ed8; border: 0; border-radius: 0.25rem; cursor: pointer; }
button.secondary { background: none; color: #1d4ed8; padding: 0.4rem 0; margin-top: 0.75rem; text-decoration: underline; }
.error { padding: 0.6rem 0.8rem; color: #7f1d1d; background: #fee2e2; border: 1px solid #b91c1c;
  border-radius: 0.25rem; }
.note { color: #4b5563; font-size: 0.9rem; }
`;

const AUTO_SUBMIT = `document.addEventListener('DOMContentLoaded', function () {
  var form = document.getElementById('autosubmit');
  if (form) form.submit();
});`;

const sha256 = (text) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;

const CSP = [
  "default-src 'none'",
  `style-src ${sha256(STYLE)}`,
  `script-src ${sha256(AUTO_SUBMIT)}`,
  "img-src 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Headers for every HTML page of the provider. */
export const PAGE_HEADERS = {
  'Content-Type': 'text/html; charset=utf-8',
  'Content-Security-Policy': CSP,
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
};

/** Escapes text for HTML element content and double-quoted attributes. */
export function escapeHtml(value) {
  return String(value)
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

function layout(title, body, { script = false } = {}) {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
${script ? `<script>${AUTO_SUBMIT}</script>` : ''}
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`;
}

/**
 * The sign-in form.
 *
 * @param {{ uid: string, clientName: string, email?: string, error?: string }} options
 */
export function signInPage({ uid, clientName, email = '', error }) {
  const action = `/interaction/${encodeURIComponent(uid)}`;
  return layout(
    error ? `Error: ${SIGN_IN_HEADING}` : SIGN_IN_HEADING,
    `<h1>${escapeHtml(SIGN_IN_HEADING)}</h1>
<p>to continue to <strong>${escapeHtml(clientName)}</strong>.</p>
${error ? `<p class="error" role="alert" id="signin-error">${escapeHtml(error)}</p>` : ''}
<form method="post" action="${action}/login" novalidate${error ? ' aria-describedby="signin-error"' : ''}>
<label for="email">Email</label>
<input id="email" name="email" type="email" autocomplete="username" required value="${escapeHtml(email)}"${email ? '' : ' autofocus'}>
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required${email ? ' autofocus' : ''}>
<button type="submit">Sign in</button>
</form>
<form method="post" action="${action}/abort">
<button type="submit" class="secondary">Cancel</button>
</form>
<p class="note">Demo identity provider: accounts and passwords come from its configuration file.</p>`,
  );
}

/**
 * The RP-initiated sign-out confirmation: submits itself, with a button for
 * browsers without scripts.
 *
 * @param {string} formHtml the provider's form (carries the XSRF token)
 */
export function signOutPage(formHtml) {
  // The provider's form is `<form id="op.logoutForm" ...><input .../></form>`;
  // it is reused with an id the script finds and a field that ends the
  // whole provider session.
  const form = formHtml
    .replace('id="op.logoutForm"', 'id="autosubmit"')
    .replace('</form>', '<input type="hidden" name="logout" value="yes"><button type="submit">Sign out</button></form>');
  return layout(
    'Signing out',
    `<h1>Signing out</h1>
<p>You are being signed out of the demo identity provider.</p>
${form}`,
    { script: true },
  );
}

/** Shown after a sign-out that has no redirect back to an application. */
export function signedOutPage() {
  return layout('Signed out', '<h1>Signed out</h1>\n<p>You have been signed out of the demo identity provider.</p>');
}

/** An error page; `out` holds the OAuth error and its description. */
export function errorPage(out) {
  const rows = Object.entries(out)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => `<dt>${escapeHtml(key)}</dt><dd>${escapeHtml(value)}</dd>`)
    .join('\n');
  return layout('Sign-in error', `<h1>Something went wrong</h1>\n<dl>\n${rows}\n</dl>`);
}
