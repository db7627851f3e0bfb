import { useId } from 'react';

/** Links to the machine-readable and human-readable API descriptions. */
export function ApiResources() {
  const headingId = useId();
  return (
    <section className="panel" aria-labelledby={headingId}>
      <h2 id={headingId}>API resources</h2>
      <nav aria-label="API resources">
        <ul className="resource-list">
          <li>
            <a href="/api/docs/">API reference</a>
            <p>Browse and try the platform&apos;s HTTP operations.</p>
          </li>
          <li>
            <a href="/api/openapi.json">OpenAPI document</a>
            <p>The machine-readable description used to generate clients.</p>
          </li>
        </ul>
      </nav>
    </section>
  );
}
