import createClient from 'openapi-fetch';
import type { components, paths } from './schema.gen';

/** Schemas of the platform API, generated from the OpenAPI document. */
export type Health = components['schemas']['Health'];
export type Readiness = components['schemas']['Readiness'];
export type ReadinessChecks = Readiness['checks'];
export type Problem = components['schemas']['Problem'];

export type ApiClient = ReturnType<typeof createApiClient>;

/**
 * Creates a typed client for the platform API.
 *
 * The back end serves this app and its API from one origin, so the default
 * base URL is the page's own origin. `fetch` is looked up on every call (not
 * captured once) so that tests and instrumentation can replace it.
 */
export function createApiClient(baseUrl: string = globalThis.location.origin) {
  return createClient<paths>({
    baseUrl,
    fetch: (request: Request) => globalThis.fetch(request),
  });
}

/** The client shared by the app. */
export const api: ApiClient = createApiClient();
