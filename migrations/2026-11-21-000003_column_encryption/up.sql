-- Data keys for column encryption: one series per scope (an organisation,
-- or the platform for data that belongs to none) and purpose (encryption,
-- blind index). Only wrapped keys are stored: the master key that unwraps
-- them never enters the database. A destroyed key (crypto-shredding) keeps
-- its row without the key, so its ciphertexts answer "erased".
CREATE TABLE data_keys (
    scope          text NOT NULL CONSTRAINT data_keys_scope_format CHECK (scope ~ '^(platform|organisation:[0-9a-f-]{36})$'),
    purpose        text NOT NULL CONSTRAINT data_keys_purpose_valid CHECK (purpose IN ('encryption', 'blind_index')),
    version        integer NOT NULL CONSTRAINT data_keys_version_positive CHECK (version > 0),
    wrapped_key    bytea,
    master_version integer NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    destroyed_at   timestamptz,
    PRIMARY KEY (scope, purpose, version),
    CONSTRAINT data_keys_destroyed_has_no_key CHECK ((wrapped_key IS NULL) = (destroyed_at IS NOT NULL))
);

-- The service creates an organisation's first keys when it first needs
-- them and reads wrapped keys; rotation and destruction are operator tasks
-- (`lcp keys`), run with the owner's rights.
GRANT SELECT, INSERT ON data_keys TO lcp_app;
