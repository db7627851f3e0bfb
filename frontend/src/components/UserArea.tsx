import { useCallback, useId, useState } from 'react';
import type { Me } from '../api/client';
import type { ApiFailure } from '../api/failure';
import { organisationKindLabel, roleLabel } from '../session/roles';
import { useSession } from '../session/SessionContext';
import { displayNameOf, signInHref } from '../session/session';

function FailureText({ failure }: { failure: ApiFailure }) {
  return (
    <>
      <strong>{failure.title}</strong>
      {failure.status !== undefined && failure.status > 0 ? (
        <span> (HTTP {failure.status})</span>
      ) : null}
      {failure.detail ? <span className="user-area__detail"> {failure.detail}</span> : null}
    </>
  );
}

function SignedIn({ me }: { me: Me }) {
  const { signOut } = useSession();
  const rolesId = useId();
  const [pending, setPending] = useState(false);
  const [failure, setFailure] = useState<ApiFailure | undefined>(undefined);

  const onSignOut = useCallback(async () => {
    if (pending) {
      return;
    }
    setPending(true);
    setFailure(undefined);
    const outcome = await signOut();
    if (outcome) {
      setFailure(outcome);
      setPending(false);
    }
    // On success the page is leaving for the identity provider: stay pending.
  }, [pending, signOut]);

  return (
    <>
      <dl className="user-area__details">
        <div className="user-area__item">
          <dt className="visually-hidden">Signed in as</dt>
          <dd className="user-area__name">{displayNameOf(me)}</dd>
        </div>
        <div className="user-area__item">
          <dt className="visually-hidden">Organisation</dt>
          <dd className="user-area__organisation">
            {me.organisation.legal_name}{' '}
            <span className="user-area__kind">({organisationKindLabel(me.organisation.kind)})</span>
          </dd>
        </div>
        <div className="user-area__item">
          <dt className="visually-hidden" id={rolesId}>
            Roles
          </dt>
          <dd>
            {me.roles.length > 0 ? (
              <ul className="role-list" aria-labelledby={rolesId}>
                {me.roles.map((role) => (
                  <li key={role} className="role-list__role">
                    {roleLabel(role)}
                  </li>
                ))}
              </ul>
            ) : (
              <span className="user-area__muted">No roles</span>
            )}
          </dd>
        </div>
      </dl>
      {me.authenticated_by === 'session' ? (
        <button
          type="button"
          className="button button--on-brand"
          aria-disabled={pending}
          onClick={() => void onSignOut()}
        >
          {pending ? 'Signing out…' : 'Sign out'}
        </button>
      ) : null}
      {failure ? (
        <p className="user-area__error" role="alert">
          Sign-out failed: <FailureText failure={failure} />
        </p>
      ) : null}
    </>
  );
}

/** Who is signed in, with Sign in or Sign out: the account area of the header. */
export function UserArea() {
  const { state, reload } = useSession();

  return (
    <section
      className="user-area"
      aria-label="Your account"
      aria-busy={state.status === 'loading'}
      data-state={state.status}
    >
      {state.status === 'loading' ? (
        <p className="user-area__muted" role="status">
          Checking sign-in…
        </p>
      ) : null}

      {state.status === 'signed-out' ? (
        <>
          <p className="user-area__muted">You are not signed in.</p>
          <a className="button button--on-brand" href={signInHref()}>
            Sign in
          </a>
        </>
      ) : null}

      {state.status === 'signed-in' ? <SignedIn me={state.me} /> : null}

      {state.status === 'error' ? (
        <>
          <p className="user-area__error" role="alert">
            Could not check whether you are signed in: <FailureText failure={state.failure} />
          </p>
          <button type="button" className="button button--on-brand" onClick={reload}>
            Try again
          </button>
        </>
      ) : null}
    </section>
  );
}
