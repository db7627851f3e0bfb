import { useCallback, useEffect, useMemo, useState, type ReactNode } from 'react';
import { api, type ApiClient } from '../api/client';
import { SessionContext, type SessionContextValue } from './SessionContext';
import { loadSession, requestLogout, type SessionState } from './session';

function assignLocation(url: string): void {
  window.location.assign(url);
}

export interface SessionProviderProps {
  /** API client to use; the shared same-origin client by default. */
  client?: ApiClient;
  /** Full-page navigation to another site; `window.location.assign` by default. */
  navigate?: (url: string) => void;
  children: ReactNode;
}

/** Loads who is signed in once, when the app starts, and shares it with the app. */
export function SessionProvider({
  client = api,
  navigate = assignLocation,
  children,
}: SessionProviderProps) {
  const [attempt, setAttempt] = useState(0);
  const [state, setState] = useState<SessionState>({ status: 'loading' });

  useEffect(() => {
    const controller = new AbortController();
    void loadSession(client, controller.signal).then((session) => {
      if (!controller.signal.aborted) {
        setState(session);
      }
    });
    return () => {
      controller.abort();
    };
  }, [client, attempt]);

  const reload = useCallback(() => {
    setState({ status: 'loading' });
    setAttempt((n) => n + 1);
  }, []);

  const signOut = useCallback(async () => {
    const outcome = await requestLogout(client);
    if (!outcome.ok) {
      return outcome.failure;
    }
    navigate(outcome.logoutUrl);
    return undefined;
  }, [client, navigate]);

  const value = useMemo<SessionContextValue>(
    () => ({ state, reload, signOut }),
    [state, reload, signOut],
  );

  return <SessionContext value={value}>{children}</SessionContext>;
}
