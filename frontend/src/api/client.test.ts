import createClient from 'openapi-fetch';
import { afterEach, describe, expect, it } from 'vitest';
import { clearCookies } from '../test/session';
import { json, stubFetch } from '../test/fetchStub';
import { createApiClient, csrfMiddleware, readCookie } from './client';

/** An operation that answers 204; enough to drive every method through a client. */
interface NoContent {
  parameters: { query?: never; header?: never; path?: never; cookie?: never };
  requestBody?: never;
  responses: { 204: { headers: Record<string, unknown>; content?: never } };
}

interface TestPaths {
  '/things': {
    parameters: { query?: never; header?: never; path?: never; cookie?: never };
    get: NoContent;
    put: NoContent;
    post: NoContent;
    delete: NoContent;
    patch: NoContent;
    options?: never;
    head?: never;
    trace?: never;
  };
}

function sentRequests(fetchMock: ReturnType<typeof stubFetch>): Request[] {
  return fetchMock.mock.calls.map(([request]) => request as Request);
}

afterEach(() => {
  clearCookies();
});

describe('readCookie', () => {
  it('finds a cookie among others and decodes its value', () => {
    const cookies = 'theme=dark; lcp_csrf=a%2Bb%3D; other=1';
    expect(readCookie('lcp_csrf', cookies)).toBe('a+b=');
    expect(readCookie('theme', cookies)).toBe('dark');
  });

  it('does not match a cookie whose name merely ends the same way', () => {
    expect(readCookie('lcp_csrf', 'x_lcp_csrf=wrong')).toBeUndefined();
    expect(readCookie('lcp_csrf', '')).toBeUndefined();
  });
});

describe('the API client', () => {
  it('sends the lcp_csrf cookie as X-CSRF-Token on a POST, read at request time', async () => {
    const fetchMock = stubFetch({ '/auth/logout': () => json({ logout_url: '/' }) });
    const client = createApiClient();

    document.cookie = 'lcp_csrf=first-token; path=/';
    await client.POST('/auth/logout');
    document.cookie = 'lcp_csrf=rotated-token; path=/';
    await client.POST('/auth/logout');

    const [first, second] = sentRequests(fetchMock);
    expect(first?.method).toBe('POST');
    expect(first?.headers.get('X-CSRF-Token')).toBe('first-token');
    expect(second?.headers.get('X-CSRF-Token')).toBe('rotated-token');
  });

  it('sends the header on the POST and DELETE operations of the API', async () => {
    document.cookie = 'lcp_csrf=admin-token; path=/';
    const org = '0b7c2f3e-8a51-4c4e-9d3a-2f1e6b7a9c10';
    const mapping = '5d0e4c1a-7b62-4f39-8e15-3c2b1a0f9e87';
    const fetchMock = stubFetch({
      [`/api/v1/organisations/${org}/members`]: () => new Response(null, { status: 201 }),
      [`/api/v1/organisations/${org}/role-mappings/${mapping}`]: () =>
        new Response(null, { status: 204 }),
    });
    const client = createApiClient();

    await client.POST('/api/v1/organisations/{id}/members', {
      params: { path: { id: org } },
      body: { email: 'lena@example.test', display_name: 'Lena', role: 'bank_checker' },
    });
    await client.DELETE('/api/v1/organisations/{id}/role-mappings/{mapping_id}', {
      params: { path: { id: org, mapping_id: mapping } },
    });

    const requests = sentRequests(fetchMock);
    expect(requests.map((request) => request.method)).toEqual(['POST', 'DELETE']);
    for (const request of requests) {
      expect(request.headers.get('X-CSRF-Token')).toBe('admin-token');
    }
  });

  it('does not send the header on a read', async () => {
    document.cookie = 'lcp_csrf=some-token; path=/';
    const fetchMock = stubFetch({ '/healthz': () => json({ status: 'ok', version: '1' }) });

    await createApiClient().GET('/healthz');

    expect(sentRequests(fetchMock)[0]?.headers.has('X-CSRF-Token')).toBe(false);
  });

  it('sends no empty header when there is no token cookie', async () => {
    const fetchMock = stubFetch({ '/auth/logout': () => json({ logout_url: '/' }) });

    await createApiClient().POST('/auth/logout');

    expect(sentRequests(fetchMock)[0]?.headers.has('X-CSRF-Token')).toBe(false);
  });
});

describe('csrfMiddleware', () => {
  it.each(['post', 'put', 'patch', 'delete'] as const)('adds the header to %s', async (method) => {
    document.cookie = 'lcp_csrf=method-token; path=/';
    const fetchMock = stubFetch({ '/things': () => new Response(null, { status: 204 }) });
    const client = createClient<TestPaths>({
      baseUrl: globalThis.location.origin,
      fetch: (request: Request) => globalThis.fetch(request),
    });
    client.use(csrfMiddleware);

    await client.request(method, '/things');

    const [request] = sentRequests(fetchMock);
    expect(request?.method).toBe(method.toUpperCase());
    expect(request?.headers.get('X-CSRF-Token')).toBe('method-token');
  });
});
