import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { Health, Problem, Readiness } from '../api/client';
import { json, stubFetch } from '../test/fetchStub';
import { StatusPanel } from './StatusPanel';

const health: Health = { status: 'ok', version: '0.1.0-test' };
const ready: Readiness = { status: 'ready', checks: { database: 'ok', migrations: 'ok' } };
const notReady: Problem = {
  type: 'about:blank',
  title: 'Service not ready',
  status: 503,
  detail: 'database: connection refused',
};

function stateOf(component: string): HTMLElement {
  const panel = screen.getByRole('region', { name: 'Platform status' });
  const header = within(panel).getByRole('rowheader', { name: component });
  const row = header.closest('tr');
  if (!row) throw new Error(`no row for ${component}`);
  return within(row).getByRole('cell');
}

describe('StatusPanel', () => {
  it('shows a loading state, then version, database and migrations when ready', async () => {
    const fetchMock = stubFetch({ '/healthz': () => json(health), '/readyz': () => json(ready) });

    render(<StatusPanel />);

    expect(screen.getByRole('status')).toHaveTextContent('Checking platform status');
    expect(await screen.findByText('The platform is ready.')).toBeInTheDocument();
    expect(stateOf('Version')).toHaveTextContent('0.1.0-test');
    expect(stateOf('Readiness')).toHaveTextContent('ready');
    expect(stateOf('Database')).toHaveTextContent('ok');
    expect(stateOf('Migrations')).toHaveTextContent('ok');
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();

    const paths = fetchMock.mock.calls.map(
      ([request]) => new URL((request as Request).url).pathname,
    );
    expect(paths.sort()).toEqual(['/healthz', '/readyz']);
  });

  it('shows each check in its own row', async () => {
    stubFetch({
      '/healthz': () => json(health),
      '/readyz': () => json({ status: 'ready', checks: { database: 'ok', migrations: 'pending' } }),
    });

    render(<StatusPanel />);

    await screen.findByText('The platform is ready.');
    expect(stateOf('Database')).toHaveTextContent(/^ok$/);
    expect(stateOf('Migrations')).toHaveTextContent(/^pending$/);
  });

  it('shows the problem title and detail when readiness answers 503 problem+json', async () => {
    stubFetch({
      '/healthz': () => json(health),
      '/readyz': () => json(notReady, 503, 'application/problem+json'),
    });

    render(<StatusPanel />);

    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Readiness check failed');
    expect(alert).toHaveTextContent('Service not ready');
    expect(alert).toHaveTextContent('database: connection refused');
    expect(alert).toHaveTextContent('HTTP 503');
    expect(screen.getByRole('status')).toHaveTextContent('The platform is not ready.');
    expect(stateOf('Version')).toHaveTextContent('0.1.0-test');
    expect(stateOf('Database')).toHaveTextContent('unknown');
  });

  it('shows a clear error when the network fails', async () => {
    stubFetch({
      '/healthz': () => Promise.reject(new TypeError('Failed to fetch')),
      '/readyz': () => Promise.reject(new TypeError('Failed to fetch')),
    });

    render(<StatusPanel />);

    const alerts = await screen.findAllByRole('alert');
    expect(alerts).toHaveLength(2);
    for (const alert of alerts) {
      expect(alert).toHaveTextContent('Platform unreachable');
    }
    expect(stateOf('Version')).toHaveTextContent('unknown');
  });

  it('reports a non-problem error response by its HTTP status', async () => {
    stubFetch({
      '/healthz': () => json(health),
      '/readyz': () => new Response('<html>bad gateway</html>', { status: 502 }),
    });

    render(<StatusPanel />);

    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('HTTP 502');
  });

  it('checks again when the officer asks for it', async () => {
    let readyCalls = 0;
    stubFetch({
      '/healthz': () => json(health),
      '/readyz': () => {
        readyCalls += 1;
        return readyCalls === 1 ? json(notReady, 503, 'application/problem+json') : json(ready);
      },
    });
    const user = userEvent.setup();

    render(<StatusPanel />);
    expect(await screen.findByRole('alert')).toHaveTextContent('Service not ready');

    await user.click(screen.getByRole('button', { name: 'Check again' }));

    expect(await screen.findByText('The platform is ready.')).toBeInTheDocument();
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
    expect(readyCalls).toBe(2);
  });
});
