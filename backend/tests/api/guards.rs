//! Every operation of the API, read from the OpenAPI document, refuses a
//! caller without credentials, except the few that are public by design.
//! A new endpoint that forgets its guard fails here.

use crate::support::{expect_problem, spawn_app};

/// Health, metrics and the sign-in flow answer without credentials.
const PUBLIC: &[&str] = &[
    "/healthz",
    "/readyz",
    "/metrics",
    "/auth/login",
    "/auth/callback",
];

#[tokio::test]
async fn every_non_public_operation_answers_401_without_credentials() {
    let app = spawn_app().await;
    let document = serde_json::to_value(lcp::http::openapi::document()).unwrap();
    let paths = document["paths"].as_object().unwrap();
    let mut checked = 0;
    for (template, operations) in paths {
        for (method, operation) in operations.as_object().unwrap() {
            let path = fill_parameters(template);
            let request = app
                .client
                .request(method.to_uppercase().parse().unwrap(), app.url(&path))
                .header("content-type", "application/json")
                .body("{}");
            let response = request.send().await.unwrap();
            if PUBLIC.contains(&template.as_str()) {
                assert_ne!(response.status(), 401, "{method} {template} is public");
                continue;
            }
            assert_eq!(
                response
                    .headers()
                    .get("www-authenticate")
                    .map(|v| v.to_str().unwrap()),
                Some("Bearer"),
                "{method} {template}"
            );
            let body = expect_problem(response, 401).await;
            assert_eq!(
                body["type"], "/problems/unauthenticated",
                "{method} {template}"
            );
            assert!(
                operation["security"]
                    .as_array()
                    .is_some_and(|s| !s.is_empty()),
                "{method} {template} must declare its security requirement"
            );
            checked += 1;
        }
    }
    assert!(checked >= 4, "only {checked} guarded operations found");
}

fn fill_parameters(template: &str) -> String {
    template
        .split('/')
        .map(|segment| match segment {
            "{id}" => uuid::Uuid::now_v7().to_string(),
            s if s.starts_with('{') => "DE-FF".to_owned(),
            s => s.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("/")
}
