import type { ApiClient, Health, Readiness } from './client';
import {
  failureFromException,
  failureFromResponse,
  invalidBody,
  isRecord,
  type ApiFailure,
} from './failure';

/** Why a status probe could not give a usable answer. */
export type ProbeFailure = ApiFailure;

export type ProbeOutcome<T> = { ok: true; data: T } | { ok: false; failure: ProbeFailure };

export interface PlatformStatus {
  health: ProbeOutcome<Health>;
  readiness: ProbeOutcome<Readiness>;
  checkedAt: Date;
}

function isHealth(value: unknown): value is Health {
  return isRecord(value) && typeof value.status === 'string' && typeof value.version === 'string';
}

function isReadiness(value: unknown): value is Readiness {
  return (
    isRecord(value) &&
    typeof value.status === 'string' &&
    isRecord(value.checks) &&
    typeof value.checks.database === 'string' &&
    typeof value.checks.migrations === 'string'
  );
}

export async function checkHealth(
  client: ApiClient,
  signal?: AbortSignal,
): Promise<ProbeOutcome<Health>> {
  try {
    const { data, error, response } = await client.GET('/healthz', {
      cache: 'no-store',
      ...(signal ? { signal } : {}),
    });
    if (response.ok) {
      return isHealth(data) ? { ok: true, data } : { ok: false, failure: invalidBody };
    }
    return { ok: false, failure: failureFromResponse(error, response) };
  } catch (error) {
    return { ok: false, failure: failureFromException(error) };
  }
}

export async function checkReadiness(
  client: ApiClient,
  signal?: AbortSignal,
): Promise<ProbeOutcome<Readiness>> {
  try {
    const { data, error, response } = await client.GET('/readyz', {
      cache: 'no-store',
      ...(signal ? { signal } : {}),
    });
    if (response.ok) {
      return isReadiness(data) ? { ok: true, data } : { ok: false, failure: invalidBody };
    }
    return { ok: false, failure: failureFromResponse(error, response) };
  } catch (error) {
    return { ok: false, failure: failureFromException(error) };
  }
}

/** Asks the platform whether it is alive and ready; never rejects. */
export async function loadPlatformStatus(
  client: ApiClient,
  signal?: AbortSignal,
): Promise<PlatformStatus> {
  const [health, readiness] = await Promise.all([
    checkHealth(client, signal),
    checkReadiness(client, signal),
  ]);
  return { health, readiness, checkedAt: new Date() };
}
