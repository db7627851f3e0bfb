import { render, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { App } from './App';
import { json, stubFetch } from './test/fetchStub';
import { unauthenticated } from './test/session';

describe('App shell', () => {
  it('has the product heading, a main region and links to the API description', async () => {
    stubFetch({
      '/healthz': () => json({ status: 'ok', version: '1.2.3' }),
      '/readyz': () => json({ status: 'ready', checks: { database: 'ok', migrations: 'ok' } }),
      '/api/v1/me': () => json(unauthenticated, 401, 'application/problem+json'),
    });

    render(<App />);

    expect(
      screen.getByRole('heading', { level: 1, name: 'Letter of Credit Platform' }),
    ).toBeInTheDocument();
    expect(screen.getByRole('banner')).toBeInTheDocument();
    expect(screen.getByRole('main')).toBeInTheDocument();
    expect(screen.getByRole('region', { name: 'Platform status' })).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'API reference' })).toHaveAttribute(
      'href',
      '/api/docs/',
    );
    expect(screen.getByRole('link', { name: 'OpenAPI document' })).toHaveAttribute(
      'href',
      '/api/openapi.json',
    );
    expect(screen.getByRole('link', { name: 'Skip to main content' })).toHaveAttribute(
      'href',
      '#main',
    );

    expect(await screen.findByText('The platform is ready.')).toBeInTheDocument();
    const account = within(screen.getByRole('banner')).getByRole('region', {
      name: 'Your account',
    });
    expect(await within(account).findByRole('link', { name: 'Sign in' })).toHaveAttribute(
      'href',
      '/auth/login?return_to=%2F',
    );
    expect(screen.getByRole('region', { name: 'Welcome' })).toBeInTheDocument();
  });
});
