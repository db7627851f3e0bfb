import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Me } from '../api/client';
import { SessionProvider } from '../session/SessionProvider';
import { json, stubFetch } from '../test/fetchStub';
import { bankOfficer, clearCookies, internalError, unauthenticated } from '../test/session';
import { AppHeader } from './AppHeader';

function renderHeader(navigate: (url: string) => void = vi.fn()) {
  return render(
    <SessionProvider navigate={navigate}>
      <AppHeader />
    </SessionProvider>,
  );
}

function accountArea(): HTMLElement {
  return screen.getByRole('region', { name: 'Your account' });
}

function requestsTo(fetchMock: ReturnType<typeof stubFetch>, path: string): Request[] {
  return fetchMock.mock.calls
    .map(([request]) => request as Request)
    .filter((request) => new URL(request.url).pathname === path);
}

afterEach(() => {
  clearCookies();
  window.history.replaceState(null, '', '/');
});

describe('AppHeader', () => {
  it('says it is checking the sign-in while /api/v1/me is loading', () => {
    stubFetch({ '/api/v1/me': () => new Promise<Response>(() => undefined) });

    renderHeader();

    expect(within(accountArea()).getByRole('status')).toHaveTextContent('Checking sign-in');
    expect(screen.queryByRole('link', { name: 'Sign in' })).not.toBeInTheDocument();
  });

  it('shows the signed-in user, organisation and role labels, and Sign out', async () => {
    const fetchMock = stubFetch({ '/api/v1/me': () => json(bankOfficer) });

    renderHeader();

    const area = accountArea();
    expect(await within(area).findByText('Jordan Officer')).toBeInTheDocument();
    expect(area).toHaveTextContent('Example Trade Bank plc');
    expect(area).toHaveTextContent('(Bank)');
    const roles = within(area).getByRole('list', { name: 'Roles' });
    expect(
      within(roles)
        .getAllByRole('listitem')
        .map((item) => item.textContent),
    ).toEqual(['Bank maker', 'Bank checker']);
    expect(area).not.toHaveTextContent('bank_maker');
    expect(within(area).getByRole('button', { name: 'Sign out' })).toBeInTheDocument();
    expect(within(area).queryByRole('link', { name: 'Sign in' })).not.toBeInTheDocument();
    expect(requestsTo(fetchMock, '/api/v1/me')).toHaveLength(1);
  });

  it('labels every role of the platform', async () => {
    const everyRole: Me = {
      ...bankOfficer,
      roles: [
        'applicant_maker',
        'applicant_checker',
        'beneficiary_user',
        'corporate_administrator',
        'bank_administrator',
        'regulator',
        'operator',
      ],
    };
    stubFetch({ '/api/v1/me': () => json(everyRole) });

    renderHeader();

    const roles = await within(accountArea()).findByRole('list', { name: 'Roles' });
    expect(
      within(roles)
        .getAllByRole('listitem')
        .map((item) => item.textContent),
    ).toEqual([
      'Applicant maker',
      'Applicant checker',
      'Beneficiary',
      'Corporate administrator',
      'Bank administrator',
      'Regulator (read-only)',
      'Platform operator',
    ]);
  });

  it('offers Sign in with the current path and query as return_to when signed out', async () => {
    window.history.replaceState(null, '', '/credits/LC-42?tab=documents&q=a b');
    stubFetch({
      '/api/v1/me': () => json(unauthenticated, 401, 'application/problem+json'),
    });

    renderHeader();

    const link = await within(accountArea()).findByRole('link', { name: 'Sign in' });
    expect(link).toHaveAttribute(
      'href',
      '/auth/login?return_to=%2Fcredits%2FLC-42%3Ftab%3Ddocuments%26q%3Da%2520b',
    );
    expect(screen.queryByRole('button', { name: 'Sign out' })).not.toBeInTheDocument();
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  });

  it('signs out with the CSRF header, then goes to the identity provider', async () => {
    document.cookie = 'lcp_csrf=token-from-cookie; path=/';
    const logoutUrl = 'https://id.example.test/logout?post_logout_redirect_uri=x';
    const fetchMock = stubFetch({
      '/api/v1/me': () => json(bankOfficer),
      '/auth/logout': () => json({ logout_url: logoutUrl }),
    });
    const navigate = vi.fn();
    const user = userEvent.setup();

    renderHeader(navigate);
    const button = await within(accountArea()).findByRole('button', { name: 'Sign out' });
    button.focus();
    await user.keyboard('{Enter}');

    await vi.waitFor(() => {
      expect(navigate).toHaveBeenCalledWith(logoutUrl);
    });
    const [logout] = requestsTo(fetchMock, '/auth/logout');
    expect(logout?.method).toBe('POST');
    expect(logout?.headers.get('X-CSRF-Token')).toBe('token-from-cookie');
    expect(navigate).toHaveBeenCalledTimes(1);
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  });

  it('shows why sign-out failed and stays on the page', async () => {
    stubFetch({
      '/api/v1/me': () => json(bankOfficer),
      '/auth/logout': () =>
        json(
          { type: '/problems/csrf', title: 'Missing anti-forgery token', status: 403 },
          403,
          'application/problem+json',
        ),
    });
    const navigate = vi.fn();
    const user = userEvent.setup();

    renderHeader(navigate);
    await user.click(await screen.findByRole('button', { name: 'Sign out' }));

    const alert = await within(accountArea()).findByRole('alert');
    expect(alert).toHaveTextContent('Sign-out failed');
    expect(alert).toHaveTextContent('Missing anti-forgery token');
    expect(navigate).not.toHaveBeenCalled();
    expect(screen.getByRole('button', { name: 'Sign out' })).not.toHaveAttribute(
      'aria-disabled',
      'true',
    );
  });

  it('refuses a logout URL that is not a web address', async () => {
    stubFetch({
      '/api/v1/me': () => json(bankOfficer),
      '/auth/logout': () => json({ logout_url: 'javascript:alert(1)' }),
    });
    const navigate = vi.fn();
    const user = userEvent.setup();

    renderHeader(navigate);
    await user.click(await screen.findByRole('button', { name: 'Sign out' }));

    expect(await screen.findByRole('alert')).toHaveTextContent('Sign-out failed');
    expect(navigate).not.toHaveBeenCalled();
  });

  it('shows an error, not the signed-out view, when /api/v1/me answers 500', async () => {
    stubFetch({
      '/api/v1/me': () => json(internalError, 500, 'application/problem+json'),
    });

    renderHeader();

    const alert = await within(accountArea()).findByRole('alert');
    expect(alert).toHaveTextContent('Could not check whether you are signed in');
    expect(alert).toHaveTextContent('Internal server error');
    expect(screen.queryByRole('link', { name: 'Sign in' })).not.toBeInTheDocument();
    expect(screen.queryByText('You are not signed in.')).not.toBeInTheDocument();
  });

  it('asks again when the user chooses Try again', async () => {
    let calls = 0;
    stubFetch({
      '/api/v1/me': () => {
        calls += 1;
        return calls === 1 ? Promise.reject(new TypeError('Failed to fetch')) : json(bankOfficer);
      },
    });
    const user = userEvent.setup();

    renderHeader();
    expect(await screen.findByRole('alert')).toHaveTextContent('Platform unreachable');
    await user.click(screen.getByRole('button', { name: 'Try again' }));

    expect(await within(accountArea()).findByText('Jordan Officer')).toBeInTheDocument();
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  });

  it('names an API client and offers no Sign out when called with a bearer token', async () => {
    const serviceAccount: Me = {
      ...bankOfficer,
      user: null,
      client_id: 'treasury-connector',
      authenticated_by: 'bearer',
    };
    stubFetch({ '/api/v1/me': () => json(serviceAccount) });

    renderHeader();

    expect(
      await within(accountArea()).findByText('API client treasury-connector'),
    ).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Sign out' })).not.toBeInTheDocument();
  });
});
