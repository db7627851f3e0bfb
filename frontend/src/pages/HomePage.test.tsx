import { render, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { AppHeader } from '../components/AppHeader';
import { SessionProvider } from '../session/SessionProvider';
import { json, stubFetch } from '../test/fetchStub';
import { bankOfficer, internalError, unauthenticated } from '../test/session';
import { HomePage } from './HomePage';

const publicProbes = {
  '/healthz': () => json({ status: 'ok', version: '1.2.3' }),
  '/readyz': () => json({ status: 'ready', checks: { database: 'ok', migrations: 'ok' } }),
};

function renderHome() {
  render(
    <SessionProvider>
      <AppHeader />
      <HomePage />
    </SessionProvider>,
  );
}

describe('HomePage', () => {
  it('welcomes a signed-out visitor and explains how to sign in', async () => {
    stubFetch({
      ...publicProbes,
      '/api/v1/me': () => json(unauthenticated, 401, 'application/problem+json'),
    });

    renderHome();

    const welcome = await screen.findByRole('region', { name: 'Welcome' });
    expect(welcome).toHaveTextContent(
      "Bank officers and corporate users sign in with their own organisation's identity provider",
    );
    expect(screen.getByRole('link', { name: 'Sign in with your organisation' })).toHaveAttribute(
      'href',
      '/auth/login?return_to=%2F',
    );
    expect(screen.getByRole('region', { name: 'Platform status' })).toBeInTheDocument();
    expect(await screen.findByText('The platform is ready.')).toBeInTheDocument();
  });

  it('does not show the welcome to a signed-in user', async () => {
    stubFetch({ ...publicProbes, '/api/v1/me': () => json(bankOfficer) });

    renderHome();

    const account = screen.getByRole('region', { name: 'Your account' });
    expect(await within(account).findByText('Jordan Officer')).toBeInTheDocument();
    expect(await screen.findByText('The platform is ready.')).toBeInTheDocument();
    expect(screen.queryByRole('region', { name: 'Welcome' })).not.toBeInTheDocument();
  });

  it('does not take a failing sign-in check for a signed-out visitor', async () => {
    stubFetch({
      ...publicProbes,
      '/api/v1/me': () => json(internalError, 500, 'application/problem+json'),
    });

    renderHome();

    const account = screen.getByRole('region', { name: 'Your account' });
    expect(await within(account).findByRole('alert')).toHaveTextContent('Internal server error');
    expect(await screen.findByText('The platform is ready.')).toBeInTheDocument();
    expect(screen.queryByRole('region', { name: 'Welcome' })).not.toBeInTheDocument();
  });
});
