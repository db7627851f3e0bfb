import { useCallback, useEffect, useId, useState } from 'react';
import { api, type ApiClient } from '../api/client';
import { loadPlatformStatus, type PlatformStatus, type ProbeFailure } from '../api/platformStatus';

type PanelState = { phase: 'loading' } | ({ phase: 'done' } & PlatformStatus);

const HEALTHY_VALUES = new Set(['ok', 'ready']);

function StateBadge({ value }: { value: string }) {
  const healthy = HEALTHY_VALUES.has(value.toLowerCase());
  return <span className={`badge ${healthy ? 'badge--good' : 'badge--bad'}`}>{value}</span>;
}

function FailureNotice({ heading, failure }: { heading: string; failure: ProbeFailure }) {
  return (
    <div className="notice notice--error" role="alert">
      <p className="notice__heading">
        {heading}: <strong>{failure.title}</strong>
        {failure.status !== undefined && failure.status > 0 ? (
          <span className="notice__code"> (HTTP {failure.status})</span>
        ) : null}
      </p>
      {failure.detail ? <p className="notice__detail">{failure.detail}</p> : null}
    </div>
  );
}

function summary(state: PanelState): string {
  if (state.phase === 'loading') {
    return 'Checking platform status…';
  }
  if (state.readiness.ok && state.readiness.data.status === 'ready') {
    return 'The platform is ready.';
  }
  return 'The platform is not ready.';
}

export interface StatusPanelProps {
  /** API client to use; the shared same-origin client by default. */
  client?: ApiClient;
}

/** Shows whether the platform process is alive and its dependencies are ready. */
export function StatusPanel({ client = api }: StatusPanelProps) {
  const headingId = useId();
  const [attempt, setAttempt] = useState(0);
  const [state, setState] = useState<PanelState>({ phase: 'loading' });

  useEffect(() => {
    const controller = new AbortController();
    void loadPlatformStatus(client, controller.signal).then((status) => {
      if (!controller.signal.aborted) {
        setState({ phase: 'done', ...status });
      }
    });
    return () => {
      controller.abort();
    };
  }, [client, attempt]);

  const recheck = useCallback(() => {
    setState({ phase: 'loading' });
    setAttempt((n) => n + 1);
  }, []);

  const loading = state.phase === 'loading';
  const checks = state.phase === 'done' && state.readiness.ok ? state.readiness.data.checks : null;

  return (
    <section
      className="panel"
      aria-labelledby={headingId}
      aria-busy={loading}
      data-state={state.phase}
    >
      <div className="panel__header">
        <h2 id={headingId}>Platform status</h2>
        <button type="button" className="button" onClick={recheck}>
          Check again
        </button>
      </div>

      <p role="status" className="panel__summary">
        {summary(state)}
      </p>

      {state.phase === 'done' ? (
        <>
          {state.health.ok ? null : (
            <FailureNotice heading="Liveness check failed" failure={state.health.failure} />
          )}
          {state.readiness.ok ? null : (
            <FailureNotice heading="Readiness check failed" failure={state.readiness.failure} />
          )}

          <table className="status-table">
            <caption className="visually-hidden">Platform components and their state</caption>
            <thead>
              <tr>
                <th scope="col">Component</th>
                <th scope="col">State</th>
              </tr>
            </thead>
            <tbody>
              <tr>
                <th scope="row">Version</th>
                <td>{state.health.ok ? state.health.data.version : 'unknown'}</td>
              </tr>
              <tr>
                <th scope="row">Readiness</th>
                <td>
                  {state.readiness.ok ? (
                    <StateBadge value={state.readiness.data.status} />
                  ) : (
                    <StateBadge value="not ready" />
                  )}
                </td>
              </tr>
              <tr>
                <th scope="row">Database</th>
                <td>{checks ? <StateBadge value={checks.database} /> : 'unknown'}</td>
              </tr>
              <tr>
                <th scope="row">Migrations</th>
                <td>{checks ? <StateBadge value={checks.migrations} /> : 'unknown'}</td>
              </tr>
            </tbody>
          </table>

          <p className="panel__footnote">
            Last checked at{' '}
            <time dateTime={state.checkedAt.toISOString()}>
              {state.checkedAt.toLocaleTimeString()}
            </time>
            .
          </p>
        </>
      ) : null}
    </section>
  );
}
