-- Identity and access: sign-in state, sessions, ERP clients, role mappings
-- from identity-provider claims, the security audit log, and the database
-- role the service runs its queries as, with row-level security.

-- The role the service's queries run as (SET ROLE on every pooled
-- connection). It owns nothing, cannot bypass row-level security and is
-- granted only what the service needs. Roles are cluster-wide, so it is
-- created once and kept by down.sql (other databases may use it).
DO $$
BEGIN
    CREATE ROLE lcp_app NOLOGIN NOBYPASSRLS;
EXCEPTION
    WHEN duplicate_object OR unique_violation THEN NULL;
END
$$;

-- One pending web sign-in: the PKCE verifier and nonce wait here between
-- the redirect to the identity provider and its callback, single-use.
CREATE TABLE login_attempts (
    state         text PRIMARY KEY,
    pkce_verifier text NOT NULL,
    nonce         text NOT NULL,
    return_to     text NOT NULL CONSTRAINT login_attempts_return_to_relative CHECK (return_to ~ '^/([^/\\]|$)'),
    created_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE sessions (
    id              uuid PRIMARY KEY,
    user_id         uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    organisation_id uuid NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    -- roles granted by the identity provider's claims for this sign-in
    claim_roles     text[] NOT NULL DEFAULT '{}',
    -- kept for RP-initiated logout at the identity provider
    id_token_hint   text NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    last_seen_at    timestamptz NOT NULL DEFAULT now(),
    expires_at      timestamptz NOT NULL,
    revoked_at      timestamptz,
    CONSTRAINT sessions_expiry_after_creation CHECK (expires_at > created_at)
);

CREATE INDEX sessions_user_idx ON sessions (user_id);

-- An ERP system: an OAuth2 client of the identity provider, bound to one
-- organisation and a set of roles.
CREATE TABLE api_clients (
    client_id       text PRIMARY KEY CONSTRAINT api_clients_client_id_length CHECK (length(client_id) BETWEEN 1 AND 200),
    organisation_id uuid NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    roles           text[] NOT NULL CONSTRAINT api_clients_roles_valid CHECK (
                        cardinality(roles) > 0 AND roles <@ ARRAY[
                            'applicant_maker', 'applicant_checker', 'beneficiary_user',
                            'corporate_administrator', 'bank_maker', 'bank_checker',
                            'bank_administrator', 'regulator', 'operator']),
    description     text NOT NULL DEFAULT '',
    created_at      timestamptz NOT NULL DEFAULT now(),
    disabled_at     timestamptz
);

CREATE INDEX api_clients_organisation_idx ON api_clients (organisation_id);

-- "Whoever the identity provider says has claim = value holds this role at
-- this organisation", set by the organisation's administrator.
CREATE TABLE idp_role_mappings (
    id              uuid PRIMARY KEY,
    organisation_id uuid NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    claim           text NOT NULL CONSTRAINT idp_role_mappings_claim_format CHECK (claim ~ '^[A-Za-z0-9_:.\-]{1,100}$'),
    value           text NOT NULL CONSTRAINT idp_role_mappings_value_length CHECK (length(value) BETWEEN 1 AND 200),
    role            text NOT NULL CONSTRAINT idp_role_mappings_role_valid CHECK (role IN (
                        'applicant_maker', 'applicant_checker', 'beneficiary_user',
                        'corporate_administrator', 'bank_maker', 'bank_checker',
                        'bank_administrator', 'regulator', 'operator')),
    created_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT idp_role_mappings_unique UNIQUE (organisation_id, claim, value, role)
);

-- Security-relevant events: sign-ins, failures, token rejections, role
-- changes, regulator reads. Append-only for the service.
CREATE TABLE security_events (
    id              uuid PRIMARY KEY,
    occurred_at     timestamptz NOT NULL DEFAULT now(),
    kind            text NOT NULL CONSTRAINT security_events_kind_valid CHECK (kind IN (
                        'sign_in', 'sign_in_failed', 'sign_out', 'token_rejected',
                        'csrf_rejected', 'rate_limited', 'role_granted', 'role_revoked',
                        'role_mapping_added', 'role_mapping_removed', 'regulator_read')),
    organisation_id uuid REFERENCES organisations (id) ON DELETE SET NULL,
    user_id         uuid REFERENCES users (id) ON DELETE SET NULL,
    client_id       text,
    source_ip       text,
    user_agent      text,
    detail          jsonb NOT NULL DEFAULT '{}'
);

CREATE INDEX security_events_organisation_time_idx ON security_events (organisation_id, occurred_at);

-- Row-level security keyed on the organisation the transaction acts for
-- (`SELECT set_config('lcp.organisation_id', <id>, true)`). Without it set,
-- the service's role sees no rows.
ALTER TABLE memberships ENABLE ROW LEVEL SECURITY;
ALTER TABLE api_clients ENABLE ROW LEVEL SECURITY;
ALTER TABLE idp_role_mappings ENABLE ROW LEVEL SECURITY;
ALTER TABLE security_events ENABLE ROW LEVEL SECURITY;

CREATE POLICY memberships_by_organisation ON memberships TO lcp_app
    USING (organisation_id = nullif(current_setting('lcp.organisation_id', true), '')::uuid);
CREATE POLICY api_clients_by_organisation ON api_clients TO lcp_app
    USING (organisation_id = nullif(current_setting('lcp.organisation_id', true), '')::uuid);
CREATE POLICY idp_role_mappings_by_organisation ON idp_role_mappings TO lcp_app
    USING (organisation_id = nullif(current_setting('lcp.organisation_id', true), '')::uuid);
-- events are written for any organisation (a failed sign-in has none yet)
-- and read back only by their own organisation
CREATE POLICY security_events_insert ON security_events FOR INSERT TO lcp_app WITH CHECK (true);
CREATE POLICY security_events_read_own ON security_events FOR SELECT TO lcp_app
    USING (organisation_id = nullif(current_setting('lcp.organisation_id', true), '')::uuid);

-- Before the organisation is known (sign-in, token checks) the service asks
-- these narrow questions; they run with the owner's rights, return only
-- what sign-in needs, and are the only way around the policies.
CREATE FUNCTION sign_in_memberships(p_user_id uuid)
    RETURNS TABLE (organisation_id uuid, role text)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public
AS $$ SELECT m.organisation_id, m.role FROM memberships m WHERE m.user_id = p_user_id $$;

CREATE FUNCTION sign_in_role_mappings(p_claim text, p_values text[])
    RETURNS TABLE (organisation_id uuid, role text)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public
AS $$ SELECT r.organisation_id, r.role FROM idp_role_mappings r WHERE r.claim = p_claim AND r.value = ANY (p_values) $$;

CREATE FUNCTION sign_in_mapped_claims()
    RETURNS TABLE (claim text)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public
AS $$ SELECT DISTINCT r.claim FROM idp_role_mappings r $$;

CREATE FUNCTION bearer_client(p_client_id text)
    RETURNS TABLE (organisation_id uuid, roles text[])
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public
AS $$ SELECT c.organisation_id, c.roles FROM api_clients c WHERE c.client_id = p_client_id AND c.disabled_at IS NULL $$;

REVOKE ALL ON FUNCTION sign_in_memberships(uuid), sign_in_role_mappings(text, text[]),
    sign_in_mapped_claims(), bearer_client(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION sign_in_memberships(uuid), sign_in_role_mappings(text, text[]),
    sign_in_mapped_claims(), bearer_client(text) TO lcp_app;

GRANT USAGE ON SCHEMA public TO lcp_app;
GRANT SELECT ON organisations, calendars, calendar_holidays TO lcp_app;
GRANT SELECT, INSERT, UPDATE ON users TO lcp_app;
GRANT SELECT, INSERT, DELETE ON memberships TO lcp_app;
GRANT SELECT, INSERT, DELETE ON login_attempts TO lcp_app;
GRANT SELECT, INSERT, UPDATE ON sessions TO lcp_app;
GRANT SELECT ON api_clients TO lcp_app;
GRANT SELECT, INSERT, DELETE ON idp_role_mappings TO lcp_app;
GRANT SELECT, INSERT ON security_events TO lcp_app;
GRANT SELECT ON __diesel_schema_migrations TO lcp_app;
