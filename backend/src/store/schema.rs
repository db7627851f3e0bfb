// @generated automatically by Diesel CLI.

diesel::table! {
    api_clients (client_id) {
        client_id -> Text,
        organisation_id -> Uuid,
        roles -> Array<Nullable<Text>>,
        description -> Text,
        created_at -> Timestamptz,
        disabled_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    calendar_holidays (calendar_code, holiday) {
        calendar_code -> Text,
        holiday -> Date,
        name -> Text,
    }
}

diesel::table! {
    calendars (code) {
        code -> Text,
        name -> Text,
        time_zone -> Text,
        weekend_days -> Array<Nullable<Int2>>,
        covered_from -> Date,
        covered_until -> Date,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    data_keys (scope, purpose, version) {
        scope -> Text,
        purpose -> Text,
        version -> Int4,
        wrapped_key -> Nullable<Bytea>,
        master_version -> Int4,
        created_at -> Timestamptz,
        destroyed_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    idempotency_records (caller, idempotency_key) {
        caller -> Text,
        idempotency_key -> Text,
        organisation_id -> Uuid,
        request_hash -> Bytea,
        response_status -> Int2,
        response_body -> Bytea,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    idp_role_mappings (id) {
        id -> Uuid,
        organisation_id -> Uuid,
        claim -> Text,
        value -> Text,
        role -> Text,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    ledger_checkpoints (size) {
        size -> Int8,
        root -> Bytea,
        ledger_time -> Int8,
        signed -> Text,
    }
}

diesel::table! {
    ledger_consumed (state_ref) {
        state_ref -> Bytea,
        entry_id -> Uuid,
    }
}

diesel::table! {
    ledger_leaves (idx) {
        idx -> Int8,
        entry_id -> Uuid,
        ledger_time -> Int8,
        entry -> Bytea,
        leaf_hash -> Bytea,
    }
}

diesel::table! {
    ledger_nodes (level, position) {
        level -> Int2,
        position -> Int8,
        hash -> Bytea,
    }
}

diesel::table! {
    login_attempts (state) {
        state -> Text,
        pkce_verifier -> Text,
        nonce -> Text,
        return_to -> Text,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    memberships (user_id, organisation_id, role) {
        user_id -> Uuid,
        organisation_id -> Uuid,
        role -> Text,
        granted_at -> Timestamptz,
    }
}

diesel::table! {
    organisations (id) {
        id -> Uuid,
        kind -> Text,
        legal_name -> Text,
        country_code -> Text,
        bic -> Nullable<Text>,
        lei -> Nullable<Text>,
        calendar_code -> Nullable<Text>,
        approval_levels -> Int2,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    security_events (id) {
        id -> Uuid,
        occurred_at -> Timestamptz,
        kind -> Text,
        organisation_id -> Nullable<Uuid>,
        user_id -> Nullable<Uuid>,
        client_id -> Nullable<Text>,
        source_ip -> Nullable<Text>,
        user_agent -> Nullable<Text>,
        detail -> Jsonb,
    }
}

diesel::table! {
    sessions (id) {
        id -> Uuid,
        user_id -> Uuid,
        organisation_id -> Uuid,
        claim_roles -> Array<Nullable<Text>>,
        id_token_hint -> Text,
        created_at -> Timestamptz,
        last_seen_at -> Timestamptz,
        expires_at -> Timestamptz,
        revoked_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    users (id) {
        id -> Uuid,
        email -> Text,
        display_name -> Text,
        idp_subject -> Nullable<Text>,
        created_at -> Timestamptz,
    }
}

diesel::joinable!(api_clients -> organisations (organisation_id));
diesel::joinable!(calendar_holidays -> calendars (calendar_code));
diesel::joinable!(idempotency_records -> organisations (organisation_id));
diesel::joinable!(idp_role_mappings -> organisations (organisation_id));
diesel::joinable!(memberships -> organisations (organisation_id));
diesel::joinable!(memberships -> users (user_id));
diesel::joinable!(organisations -> calendars (calendar_code));
diesel::joinable!(security_events -> organisations (organisation_id));
diesel::joinable!(security_events -> users (user_id));
diesel::joinable!(sessions -> organisations (organisation_id));
diesel::joinable!(sessions -> users (user_id));

diesel::allow_tables_to_appear_in_same_query!(
    api_clients,
    calendar_holidays,
    calendars,
    data_keys,
    idempotency_records,
    idp_role_mappings,
    ledger_checkpoints,
    ledger_consumed,
    ledger_leaves,
    ledger_nodes,
    login_attempts,
    memberships,
    organisations,
    security_events,
    sessions,
    users,
);
