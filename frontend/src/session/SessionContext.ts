import { createContext, useContext } from 'react';
import type { ApiFailure } from '../api/failure';
import type { SessionState } from './session';

export interface SessionContextValue {
  state: SessionState;
  /** Asks the platform again who is signed in. */
  reload: () => void;
  /**
   * Signs out: ends the platform session, then leaves for the identity
   * provider's end-session page. Resolves to why it failed, if it did.
   */
  signOut: () => Promise<ApiFailure | undefined>;
}

export const SessionContext = createContext<SessionContextValue | null>(null);

/** The session of the app; use inside `SessionProvider`. */
export function useSession(): SessionContextValue {
  const value = useContext(SessionContext);
  if (!value) {
    throw new Error('useSession must be used inside a SessionProvider.');
  }
  return value;
}
