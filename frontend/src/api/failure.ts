import type { Problem } from './client';

/** Why a call to the platform could not give a usable answer. */
export interface ApiFailure {
  /** `problem`: the server answered with RFC 9457 problem details. */
  kind: 'problem' | 'http' | 'network' | 'invalid';
  title: string;
  detail?: string;
  /** HTTP status code, when the server answered at all. */
  status?: number;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
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

/** Describes an error response: by its problem details, else by its HTTP status. */
export function failureFromResponse(body: unknown, response: Response): ApiFailure {
  if (isProblem(body)) {
    const failure: ApiFailure = { kind: 'problem', title: body.title, status: body.status };
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

/** Describes a call that threw: an unreadable body or a request that never arrived. */
export function failureFromException(error: unknown): ApiFailure {
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

/** A success response whose body does not match the API description. */
export const invalidBody: ApiFailure = {
  kind: 'invalid',
  title: 'Unexpected response',
  detail: 'The platform answered with a body that does not match the API description.',
};
