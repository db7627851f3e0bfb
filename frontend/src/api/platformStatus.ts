import type { ApiClient, Health, Problem, Readiness } from './client';

/** Why a status probe could not give a usable answer. */
export interface ProbeFailure {
  /** `problem`: the server answered with RFC 9457 problem details. */
  kind: 'problem' | 'http' | 'network' | 'invalid';
  title: string;
  detail?: string;
  /** HTTP status code, when the server answered at all. */
  status?: number;
}

export type ProbeOutcome<T> = { ok: true; data: T } | { ok: false; failure: ProbeFailure };

export interface PlatformStatus {
  health: ProbeOutcome<Health>;
  readiness: ProbeOutcome<Readiness>;
  checkedAt: Date;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function isProblem(value: unknown): value is Problem {
  return (
    isRecord(value) &&
    typeof value.type === 'string' &&
    typeof value.title === 'string' &&
    typeof value.status === 'number'
  );
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

function failureFromResponse(body: unknown, response: Response): ProbeFailure {
  if (isProblem(body)) {
    const failure: ProbeFailure = { kind: 'problem', title: body.title, status: body.status };
    if (typeof body.detail === 'string' && body.detail !== '') {
      failure.detail = body.detail;
    }
    return failure;
  }
  const statusText = response.statusText ? ` ${response.statusText}` : '';
  return {
    kind: 'http',
    title: `Unexpected response: HTTP ${String(response.status)}${statusText}`,
    detail: 'The platform answered without problem details.',
    status: response.status,
  };
}

function failureFromException(error: unknown): ProbeFailure {
  if (error instanceof SyntaxError) {
    return {
      kind: 'invalid',
      title: 'Unreadable response',
      detail: 'The platform answered with something other than JSON.',
    };
  }
  const reason = error instanceof Error && error.message ? ` (${error.message})` : '';
  return {
    kind: 'network',
    title: 'Platform unreachable',
    detail: `The request did not reach the platform${reason}. Check the network connection and try again.`,
  };
}

const invalidBody: ProbeFailure = {
  kind: 'invalid',
  title: 'Unexpected response',
  detail: 'The platform answered with a body that does not match the API description.',
};

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
