import type { ApiClient, Me } from '../api/client';
import {
  failureFromException,
  failureFromResponse,
  invalidBody,
  isRecord,
  type ApiFailure,
} from '../api/failure';

/** Who is using the app, as far as the platform says. */
export type SessionState =
  | { status: 'loading' }
  | { status: 'signed-in'; me: Me }
  | { status: 'signed-out' }
  /** The platform could not say: not the same as signed out. */
  | { status: 'error'; failure: ApiFailure };

export type LoadedSession = Exclude<SessionState, { status: 'loading' }>;

export type LogoutOutcome = { ok: true; logoutUrl: string } | { ok: false; failure: ApiFailure };

function isOptionalString(value: unknown): boolean {
  return value === undefined || value === null || typeof value === 'string';
}

function isMe(value: unknown): value is Me {
  if (!isRecord(value) || !isRecord(value.organisation)) {
    return false;
  }
  const { user, organisation, roles } = value;
  const userOk =
    user === undefined ||
    user === null ||
    (isRecord(user) && typeof user.display_name === 'string' && typeof user.email === 'string');
  return (
    userOk &&
    isOptionalString(value.client_id) &&
    typeof organisation.legal_name === 'string' &&
    typeof organisation.kind === 'string' &&
    Array.isArray(roles) &&
    roles.every((role) => typeof role === 'string') &&
    typeof value.authenticated_by === 'string'
  );
}

/**
 * Asks the platform who is signed in. `401` means nobody: signed out. Any
 * other failure is an error, so that a broken platform is not mistaken for
 * a signed-out user. Never rejects.
 */
export async function loadSession(client: ApiClient, signal?: AbortSignal): Promise<LoadedSession> {
  try {
    const { data, error, response } = await client.GET('/api/v1/me', {
      cache: 'no-store',
      ...(signal ? { signal } : {}),
    });
    if (response.ok) {
      return isMe(data)
        ? { status: 'signed-in', me: data }
        : { status: 'error', failure: invalidBody };
    }
    if (response.status === 401) {
      return { status: 'signed-out' };
    }
    return { status: 'error', failure: failureFromResponse(error, response) };
  } catch (error) {
    return { status: 'error', failure: failureFromException(error) };
  }
}

function isSafeNavigationTarget(url: string): boolean {
  try {
    const { protocol } = new URL(url, globalThis.location.href);
    return protocol === 'https:' || protocol === 'http:';
  } catch {
    return false;
  }
}

/**
 * Ends the session on the platform and learns where the identity provider
 * ends its own. The client adds the anti-forgery header. Never rejects.
 */
export async function requestLogout(client: ApiClient): Promise<LogoutOutcome> {
  try {
    const { data, error, response } = await client.POST('/auth/logout', { cache: 'no-store' });
    if (response.ok) {
      const url: unknown = isRecord(data) ? data.logout_url : undefined;
      return typeof url === 'string' && isSafeNavigationTarget(url)
        ? { ok: true, logoutUrl: url }
        : { ok: false, failure: invalidBody };
    }
    return { ok: false, failure: failureFromResponse(error, response) };
  } catch (error) {
    return { ok: false, failure: failureFromException(error) };
  }
}

/** Where sign-in starts; the platform brings the user back to `path + search` afterwards. */
export function signInHref(
  location: Pick<Location, 'pathname' | 'search'> = globalThis.location,
): string {
  return `/auth/login?return_to=${encodeURIComponent(location.pathname + location.search)}`;
}

/** A signed-in caller's name: the person's, or the API client's for a service account. */
export function displayNameOf(me: Me): string {
  if (me.user) {
    return me.user.display_name;
  }
  if (me.client_id) {
    return `API client ${me.client_id}`;
  }
  return 'Unknown user';
}
