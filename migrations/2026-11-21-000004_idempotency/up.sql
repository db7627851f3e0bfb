-- A mutating request sent with an Idempotency-Key leaves its response here,
-- written in the same transaction as the change: a retry with the same key
-- and body gets the same response and changes nothing; the same key with
-- another body is refused.
CREATE TABLE idempotency_records (
    -- who sent it: `user:<id>` or `client:<id>`, so keys never collide
    -- between callers
    caller          text NOT NULL,
    idempotency_key text NOT NULL CONSTRAINT idempotency_records_key_length CHECK (length(idempotency_key) BETWEEN 1 AND 255),
    organisation_id uuid NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    -- SHA-256 of method, path and body
    request_hash    bytea NOT NULL,
    response_status smallint NOT NULL,
    response_body   bytea NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (caller, idempotency_key)
);

CREATE INDEX idempotency_records_created_idx ON idempotency_records (created_at);

ALTER TABLE idempotency_records ENABLE ROW LEVEL SECURITY;
CREATE POLICY idempotency_records_by_organisation ON idempotency_records TO lcp_app
    USING (organisation_id = nullif(current_setting('lcp.organisation_id', true), '')::uuid);
GRANT SELECT, INSERT, DELETE ON idempotency_records TO lcp_app;
