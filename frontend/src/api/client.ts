import createClient, { type Middleware } from 'openapi-fetch';
import type { components, paths } from './schema.gen';

/** Schemas of the platform API, generated from the OpenAPI document. */
export type Health = components['schemas']['Health'];
export type Readiness = components['schemas']['Readiness'];
export type ReadinessChecks = Readiness['checks'];
export type Problem = components['schemas']['Problem'];
export type Me = components['schemas']['Me'];
export type Logout = components['schemas']['Logout'];

export type ApiClient = ReturnType<typeof createApiClient>;

/** The cookie holding the anti-forgery token; the back end sets it, readable by scripts. */
export const CSRF_COOKIE = 'lcp_csrf';
/** The header that must echo the anti-forgery token on every mutating request. */
export const CSRF_HEADER = 'X-CSRF-Token';

const MUTATING_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** The value of the cookie `name` in `cookies` (`document.cookie` by default), if set. */
export function readCookie(name: string, cookies: string = document.cookie): string | undefined {
  for (const pair of cookies.split(';')) {
    const separator = pair.indexOf('=');
    if (separator === -1 || pair.slice(0, separator).trim() !== name) {
      continue;
    }
    const value = pair.slice(separator + 1).trim();
    try {
      return decodeURIComponent(value);
    } catch {
      return value;
    }
  }
  return undefined;
}

/**
 * Echoes the anti-forgery cookie in the `X-CSRF-Token` header of every
 * mutating request. The cookie is read when the request is made, so a token
 * the back end rotates (for example at sign-in) is picked up at once.
 */
export const csrfMiddleware: Middleware = {
  onRequest({ request }) {
    if (!MUTATING_METHODS.has(request.method.toUpperCase())) {
      return undefined;
    }
    const token = readCookie(CSRF_COOKIE);
    if (token !== undefined && token !== '') {
      request.headers.set(CSRF_HEADER, token);
    }
    return request;
  },
};

/**
 * Creates a typed client for the platform API.
 *
 * The back end serves this app and its API from one origin, so the default
 * base URL is the page's own origin and the session cookie goes with every
 * request. `fetch` is looked up on every call (not captured once) so that
 * tests and instrumentation can replace it.
 */
export function createApiClient(baseUrl: string = globalThis.location.origin) {
  const client = createClient<paths>({
    baseUrl,
    fetch: (request: Request) => globalThis.fetch(request),
  });
  client.use(csrfMiddleware);
  return client;
}

/** The client shared by the app. */
export const api: ApiClient = createApiClient();
