//! Authorisation everywhere: every operation of the OpenAPI document, for
//! every role, answers as its policy says. An operation missing from the
//! policy below fails the test, so a new endpoint cannot ship unguarded.

use std::collections::BTreeSet;

use lcp::demo;
use lcp::domain::{OrganisationKind, Role};
use lcp::store;
use secrecy::SecretString;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::support::idp::{TestIdp, idp};
use crate::support::{expect_problem, migrated_database, spawn_app_on};

enum Policy {
    /// Health, metrics and the sign-in flow.
    Public,
    /// Only a web session (a person) may call it.
    SessionOnly,
    /// Every signed-in role.
    AnyRole,
    /// These roles, and only for their own organisation (`{id}` in the path);
    /// another organisation's answers 404.
    OwnOrganisation(&'static [Role]),
}

const ADMINISTRATORS: &[Role] = &[Role::BankAdministrator, Role::CorporateAdministrator];

fn policy(operation_id: &str) -> Policy {
    match operation_id {
        "healthz" | "readyz" | "metrics" | "login" | "callback" => Policy::Public,
        "logout" => Policy::SessionOnly,
        "me" | "list_organisations" | "get_organisation" | "get_calendar" | "banking_days" => {
            Policy::AnyRole
        }
        "list_members"
        | "add_member"
        | "remove_member_role"
        | "list_role_mappings"
        | "add_role_mapping"
        | "remove_role_mapping"
        | "list_security_events" => Policy::OwnOrganisation(ADMINISTRATORS),
        other => panic!("operation {other} has no access policy in this test: add it"),
    }
}

/// The demo organisation a test client of `role` acts for, and another of
/// the same kind.
fn organisations_for(role: Role) -> (Uuid, Option<Uuid>) {
    let (own, other) = match role.organisation_kind() {
        OrganisationKind::Bank => ("issuing-bank", Some("advising-bank")),
        OrganisationKind::Corporate => ("importer", Some("exporter")),
        OrganisationKind::Regulator => ("regulator", None),
        OrganisationKind::Operator => ("operator", None),
    };
    (demo::organisation_id(own), other.map(demo::organisation_id))
}

/// Registers the run's per-role test clients with the platform.
pub async fn bind_test_clients(url: &SecretString) {
    let mut connection = store::connect(url).await.unwrap();
    for role in Role::ALL {
        let (organisation, _) = organisations_for(role);
        store::identity::insert_api_client(
            &mut connection,
            &TestIdp::client_for(role),
            organisation,
            &[role.as_str().to_owned()],
            "test",
        )
        .await
        .unwrap();
    }
}

fn request_body(operation_id: &str) -> Value {
    match operation_id {
        "add_member" => {
            json!({ "email": "new.person@example.com", "display_name": "New Person", "role": "bank_checker" })
        }
        "add_role_mapping" => {
            json!({ "claim": "groups", "value": "matrix", "role": "bank_checker" })
        }
        _ => json!({}),
    }
}

fn fill(template: &str, organisation: Uuid) -> String {
    template
        .replace("{id}", &organisation.to_string())
        .replace("{user_id}", &Uuid::now_v7().to_string())
        .replace("{mapping_id}", &Uuid::now_v7().to_string())
        .replace("{role}", "bank_checker")
        .replace("{code}", "DE-FF")
}

#[tokio::test]
async fn every_operation_answers_every_role_as_its_policy_says() {
    let url = migrated_database().await;
    demo::seed(&mut store::connect(&url).await.unwrap())
        .await
        .unwrap();
    bind_test_clients(&url).await;
    let app = spawn_app_on(url).await;
    let document = serde_json::to_value(lcp::http::openapi::document()).unwrap();
    let mut tokens = Vec::new();
    for role in Role::ALL {
        tokens.push((role, idp().client_token(&TestIdp::client_for(role)).await));
    }

    let mut checked = BTreeSet::new();
    for (template, operations) in document["paths"].as_object().unwrap() {
        for (method, operation) in operations.as_object().unwrap() {
            let operation_id = operation["operationId"].as_str().unwrap();
            let policy = policy(operation_id);
            if matches!(policy, Policy::Public) {
                continue;
            }
            for (role, token) in &tokens {
                let (own, other) = organisations_for(*role);
                let call = async |organisation: Uuid| {
                    app.client
                        .request(
                            method.to_uppercase().parse().unwrap(),
                            app.url(&fill(template, organisation)),
                        )
                        .bearer_auth(token)
                        .json(&request_body(operation_id))
                        .send()
                        .await
                        .unwrap()
                };
                let response = call(own).await;
                let status = response.status().as_u16();
                let case = format!("{method} {template} as {role}");
                let allowed = match &policy {
                    Policy::SessionOnly => false,
                    Policy::AnyRole => true,
                    Policy::OwnOrganisation(roles) => roles.contains(role),
                    Policy::Public => unreachable!(),
                };
                if allowed {
                    assert!(
                        status != 401 && status != 403,
                        "{case}: allowed, got {status}"
                    );
                    if let (Policy::OwnOrganisation(_), Some(other)) = (&policy, other) {
                        let body = expect_problem(call(other).await, 404).await;
                        assert_eq!(
                            body["type"], "/problems/not-found",
                            "{case}, another organisation"
                        );
                    }
                } else {
                    let body = expect_problem(response, 403).await;
                    assert_eq!(body["type"], "/problems/forbidden", "{case}");
                }
                checked.insert(operation_id.to_owned());
            }
        }
    }
    assert!(checked.len() >= 12, "operations checked: {checked:?}");
}
