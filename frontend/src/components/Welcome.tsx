import { useId } from 'react';
import { signInHref } from '../session/session';

/** What a visitor who is not signed in sees first. */
export function Welcome() {
  const headingId = useId();
  return (
    <section className="panel welcome" aria-labelledby={headingId}>
      <h2 id={headingId}>Welcome</h2>
      <p>
        The Letter of Credit Platform is where applicants, beneficiaries and their banks work on
        documentary credits together.
      </p>
      <p>
        Bank officers and corporate users sign in with their own organisation&apos;s identity
        provider, using the account they already have at work. What you can see and do depends on
        the roles your organisation gives you.
      </p>
      <p>
        <a className="button" href={signInHref()}>
          Sign in with your organisation
        </a>
      </p>
    </section>
  );
}
