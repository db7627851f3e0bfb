-- Reference data: who takes part in the network and the calendars their
-- deadlines are counted in.

-- A banking-day calendar of a place (UCP 600 art. 14(b), 29(a), 33; ISP98 rule
-- 1.09; URDG 758 art. 2). Holidays are known only between covered_from and
-- covered_until: a deadline that needs a day outside that range is refused,
-- never guessed.
CREATE TABLE calendars (
    code          text PRIMARY KEY
                  CONSTRAINT calendars_code_format CHECK (code ~ '^[A-Z]{2}(-[A-Z0-9]{1,3})?$'),
    name          text NOT NULL CONSTRAINT calendars_name_length CHECK (length(name) BETWEEN 1 AND 100),
    time_zone     text NOT NULL,
    -- ISO weekday numbers, 1 = Monday ... 7 = Sunday
    weekend_days  smallint[] NOT NULL DEFAULT '{6,7}'
                  CONSTRAINT calendars_weekend_days_no_nulls CHECK (array_position(weekend_days, NULL) IS NULL)
                  CONSTRAINT calendars_weekend_days_valid CHECK (weekend_days <@ '{1,2,3,4,5,6,7}'::smallint[]),
    covered_from  date NOT NULL,
    covered_until date NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT calendars_coverage_ordered CHECK (covered_from <= covered_until)
);

CREATE TABLE calendar_holidays (
    calendar_code text NOT NULL REFERENCES calendars (code) ON DELETE CASCADE,
    holiday       date NOT NULL,
    name          text NOT NULL CONSTRAINT calendar_holidays_name_length CHECK (length(name) BETWEEN 1 AND 100),
    PRIMARY KEY (calendar_code, holiday)
);

CREATE TABLE organisations (
    id              uuid PRIMARY KEY,
    kind            text NOT NULL
                    CONSTRAINT organisations_kind_valid CHECK (kind IN ('bank', 'corporate', 'regulator', 'operator')),
    legal_name      text NOT NULL CONSTRAINT organisations_legal_name_length CHECK (length(legal_name) BETWEEN 1 AND 140),
    country_code    text NOT NULL CONSTRAINT organisations_country_code_format CHECK (country_code ~ '^[A-Z]{2}$'),
    -- ISO 9362 business identifier code; every bank has one
    bic             text CONSTRAINT organisations_bic_unique UNIQUE
                    CONSTRAINT organisations_bic_format CHECK (bic ~ '^[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?$'),
    -- ISO 17442 legal entity identifier; every corporate has one
    lei             text CONSTRAINT organisations_lei_unique UNIQUE
                    CONSTRAINT organisations_lei_format CHECK (lei ~ '^[A-Z0-9]{18}[0-9]{2}$'),
    calendar_code   text REFERENCES calendars (code),
    -- how many checkers must release a maker's action (four-eyes and more)
    approval_levels smallint NOT NULL DEFAULT 1
                    CONSTRAINT organisations_approval_levels_range CHECK (approval_levels BETWEEN 1 AND 3),
    created_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT organisations_bank_has_bic CHECK (kind <> 'bank' OR bic IS NOT NULL),
    CONSTRAINT organisations_bank_has_calendar CHECK (kind <> 'bank' OR calendar_code IS NOT NULL),
    CONSTRAINT organisations_corporate_has_lei CHECK (kind <> 'corporate' OR lei IS NOT NULL)
);

CREATE INDEX organisations_kind_idx ON organisations (kind);

CREATE TABLE users (
    id           uuid PRIMARY KEY,
    email        text NOT NULL CONSTRAINT users_email_unique UNIQUE
                 CONSTRAINT users_email_format CHECK (email ~ '^[^@\s]+@[^@\s]+$'),
    display_name text NOT NULL CONSTRAINT users_display_name_length CHECK (length(display_name) BETWEEN 1 AND 140),
    -- the identity provider's subject, bound at the first sign-in
    idp_subject  text CONSTRAINT users_idp_subject_unique UNIQUE,
    created_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE memberships (
    user_id         uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    organisation_id uuid NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    role            text NOT NULL CONSTRAINT memberships_role_valid CHECK (role IN (
                        'applicant_maker', 'applicant_checker', 'beneficiary_user',
                        'corporate_administrator', 'bank_maker', 'bank_checker',
                        'bank_administrator', 'regulator', 'operator')),
    granted_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, organisation_id, role)
);

CREATE INDEX memberships_organisation_idx ON memberships (organisation_id);
