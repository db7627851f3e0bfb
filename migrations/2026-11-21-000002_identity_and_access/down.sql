-- The lcp_app role itself stays: roles are cluster-wide and other
-- databases of the cluster may still use it.
REVOKE ALL ON organisations, calendars, calendar_holidays, users, memberships,
    __diesel_schema_migrations FROM lcp_app;
REVOKE USAGE ON SCHEMA public FROM lcp_app;
DROP FUNCTION bearer_client(text);
DROP FUNCTION sign_in_mapped_claims();
DROP FUNCTION sign_in_role_mappings(text, text[]);
DROP FUNCTION sign_in_memberships(uuid);
DROP POLICY memberships_by_organisation ON memberships;
ALTER TABLE memberships DISABLE ROW LEVEL SECURITY;
DROP TABLE security_events;
DROP TABLE idp_role_mappings;
DROP TABLE api_clients;
DROP TABLE sessions;
DROP TABLE login_attempts;
