import type { Me, Problem } from '../api/client';

/** Forgets every cookie the test set on the document. */
export function clearCookies(): void {
  for (const pair of document.cookie.split(';')) {
    const name = pair.split('=')[0]?.trim();
    if (name) {
      document.cookie = `${name}=; expires=Thu, 01 Jan 1970 00:00:00 GMT; path=/`;
    }
  }
}

export const bankOfficer: Me = {
  user: { id: 'u-7', email: 'officer@example.test', display_name: 'Jordan Officer' },
  client_id: null,
  organisation: { id: 'org-1', legal_name: 'Example Trade Bank plc', kind: 'bank' },
  roles: ['bank_maker', 'bank_checker'],
  authenticated_by: 'session',
  expires_at: '2030-01-01T12:00:00Z',
};

export const unauthenticated: Problem = {
  type: '/problems/unauthenticated',
  title: 'Not signed in',
  status: 401,
};

export const internalError: Problem = {
  type: 'about:blank',
  title: 'Internal server error',
  status: 500,
  detail: 'The session store did not answer.',
};
