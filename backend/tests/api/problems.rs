use crate::support::{expect_problem, spawn_app};

#[tokio::test]
async fn unknown_api_paths_are_problems_not_the_web_ui() {
    let app = spawn_app().await;
    for path in [
        "/api/v1/letters-of-credit-that-do-not-exist",
        "/api/v2/organisations",
        "/api",
    ] {
        let body = expect_problem(app.get(path).await, 404).await;
        assert_eq!(body["type"], "/problems/not-found", "{path}");
    }
}

#[tokio::test]
async fn a_wrong_method_is_a_problem() {
    let app = spawn_app().await;
    let response = app.client.post(app.url("/healthz")).send().await.unwrap();
    let body = expect_problem(response, 405).await;
    assert_eq!(body["type"], "/problems/method-not-allowed");
}

#[tokio::test]
async fn the_web_ui_answers_its_own_routes_with_the_shell() {
    let app = spawn_app().await;
    for path in ["/", "/credits/LC-2026-0001"] {
        let response = app.get(path).await;
        assert_eq!(response.status(), 200, "{path}");
        assert!(
            response.text().await.unwrap().contains("web ui shell"),
            "{path}"
        );
    }
}

#[tokio::test]
async fn every_response_carries_a_request_id_and_safe_headers() {
    let app = spawn_app().await;
    let first = app.get("/healthz").await;
    let second = app.get("/api/v1/organisations").await;
    let id = |r: &reqwest::Response| r.headers()["x-request-id"].to_str().unwrap().to_owned();
    assert_ne!(id(&first), id(&second));
    assert_eq!(
        uuid::Uuid::parse_str(&id(&first)).unwrap().to_string(),
        id(&first)
    );
    assert_eq!(first.headers()["x-content-type-options"], "nosniff");
    assert_eq!(second.headers()["x-frame-options"], "DENY");
}
