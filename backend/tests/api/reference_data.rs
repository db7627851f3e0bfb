//! Reference data and the demo network, through the store.

use std::collections::BTreeSet;

use diesel_async::RunQueryDsl;
use lcp::demo;
use lcp::domain::{Bic, Lei, OrganisationKind, Role};
use lcp::store::{self, reference};

use crate::support::migrated_database;

#[tokio::test]
async fn the_demo_network_has_every_role_and_seeding_twice_adds_nothing() {
    let url = migrated_database().await;
    let mut connection = store::connect(&url).await.unwrap();

    let first = demo::seed(&mut connection).await.unwrap();
    assert_eq!(first.organisations_added, 6);
    assert_eq!(first.people_added, demo::PEOPLE.len());
    let again = demo::seed(&mut connection).await.unwrap();
    assert_eq!(again, demo::SeedReport::default());

    let organisations = reference::list_organisations(&mut connection, None, 100)
        .await
        .unwrap();
    let kinds: Vec<OrganisationKind> = organisations
        .iter()
        .map(|o| o.kind.parse().unwrap())
        .collect();
    assert_eq!(
        kinds
            .iter()
            .filter(|k| **k == OrganisationKind::Bank)
            .count(),
        2
    );
    assert_eq!(
        kinds
            .iter()
            .filter(|k| **k == OrganisationKind::Corporate)
            .count(),
        2
    );
    assert!(kinds.contains(&OrganisationKind::Regulator));
    assert!(kinds.contains(&OrganisationKind::Operator));

    let banks: Vec<_> = organisations.iter().filter(|o| o.kind == "bank").collect();
    let countries: BTreeSet<&str> = banks.iter().map(|b| b.country_code.as_str()).collect();
    assert_eq!(
        countries.len(),
        2,
        "the two banks are in different countries"
    );
    for bank in &banks {
        let bic = Bic::parse(bank.bic.as_deref().unwrap()).unwrap();
        assert_eq!(bic.country().as_str(), bank.country_code);
    }
    for corporate in organisations.iter().filter(|o| o.kind == "corporate") {
        Lei::parse(corporate.lei.as_deref().unwrap()).unwrap();
    }

    let mut roles = BTreeSet::new();
    for person in demo::PEOPLE {
        let user = reference::find_user_by_email(&mut connection, person.email)
            .await
            .unwrap()
            .unwrap();
        for membership in reference::memberships_of(&mut connection, user.id)
            .await
            .unwrap()
        {
            let role: Role = membership.role.parse().unwrap();
            let organisation = organisations
                .iter()
                .find(|o| o.id == membership.organisation_id)
                .unwrap();
            assert_eq!(
                role.organisation_kind().as_str(),
                organisation.kind,
                "{} as {role}",
                person.email
            );
            roles.insert(role);
        }
    }
    assert_eq!(
        roles,
        Role::ALL.into_iter().collect(),
        "a demo sign-in for every role"
    );
}

#[tokio::test]
async fn organisations_page_by_cursor_without_gaps_or_repeats() {
    let url = migrated_database().await;
    let mut connection = store::connect(&url).await.unwrap();
    demo::seed(&mut connection).await.unwrap();

    let first = reference::list_organisations(&mut connection, None, 4)
        .await
        .unwrap();
    let second = reference::list_organisations(&mut connection, Some(first[3].id), 4)
        .await
        .unwrap();
    assert_eq!((first.len(), second.len()), (4, 2));
    let all = reference::list_organisations(&mut connection, None, 100)
        .await
        .unwrap();
    let paged: Vec<_> = first.iter().chain(&second).map(|o| o.id).collect();
    assert_eq!(paged, all.iter().map(|o| o.id).collect::<Vec<_>>());
}

#[tokio::test]
async fn ucp600_art14b_deadlines_from_the_stored_frankfurt_calendar() {
    let url = migrated_database().await;
    let mut connection = store::connect(&url).await.unwrap();
    demo::seed(&mut connection).await.unwrap();

    let (calendar, holidays) = reference::find_calendar(&mut connection, "DE-FF")
        .await
        .unwrap()
        .unwrap();
    let calendar = calendar.to_domain(&holidays).unwrap();
    let presented = "2026-12-17".parse().unwrap();
    assert_eq!(
        calendar.add_banking_days(presented, 5).unwrap(),
        "2026-12-28".parse().unwrap()
    );
    assert!(
        reference::find_calendar(&mut connection, "XX")
            .await
            .unwrap()
            .is_none()
    );
}

#[tokio::test]
async fn the_database_refuses_reference_data_the_rules_forbid() {
    let url = migrated_database().await;
    let mut connection = store::connect(&url).await.unwrap();
    let cases = [
        (
            "a bank without a BIC",
            "organisations_bank_has_bic",
            "INSERT INTO organisations (id, kind, legal_name, country_code, calendar_code) VALUES (gen_random_uuid(), 'bank', 'No BIC Bank', 'DE', NULL)",
        ),
        (
            "a malformed BIC",
            "organisations_bic_format",
            "INSERT INTO organisations (id, kind, legal_name, country_code, bic) VALUES (gen_random_uuid(), 'regulator', 'X', 'DE', 'NOTABIC')",
        ),
        (
            "a corporate without an LEI",
            "organisations_corporate_has_lei",
            "INSERT INTO organisations (id, kind, legal_name, country_code) VALUES (gen_random_uuid(), 'corporate', 'No LEI Ltd', 'GB')",
        ),
        (
            "four approval levels",
            "organisations_approval_levels_range",
            "INSERT INTO organisations (id, kind, legal_name, country_code, approval_levels) VALUES (gen_random_uuid(), 'operator', 'Ops', 'DE', 4)",
        ),
        (
            "an unknown role",
            "memberships_role_valid",
            "INSERT INTO memberships (user_id, organisation_id, role) VALUES (gen_random_uuid(), gen_random_uuid(), 'bank_teller')",
        ),
        (
            "a week without working days",
            "calendars_weekend_days_valid",
            "INSERT INTO calendars (code, name, time_zone, weekend_days, covered_from, covered_until) VALUES ('XX', 'x', 'UTC', '{1,8}', '2026-01-01', '2026-12-31')",
        ),
    ];
    for (what, constraint, sql) in cases {
        let error = diesel::sql_query(sql)
            .execute(&mut connection)
            .await
            .unwrap_err();
        assert!(error.to_string().contains(constraint), "{what}: {error}");
    }
}
