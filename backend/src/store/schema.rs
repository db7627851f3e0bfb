// @generated automatically by Diesel CLI.

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
    users (id) {
        id -> Uuid,
        email -> Text,
        display_name -> Text,
        idp_subject -> Nullable<Text>,
        created_at -> Timestamptz,
    }
}

diesel::joinable!(calendar_holidays -> calendars (calendar_code));
diesel::joinable!(memberships -> organisations (organisation_id));
diesel::joinable!(memberships -> users (user_id));
diesel::joinable!(organisations -> calendars (calendar_code));

diesel::allow_tables_to_appear_in_same_query!(
    calendar_holidays,
    calendars,
    memberships,
    organisations,
    users,
);
