use crate::support::{repository_root, spawn_app};

#[test]
fn the_committed_openapi_document_matches_the_code() {
    let committed =
        std::fs::read_to_string(repository_root().join("openapi/openapi.json")).unwrap();
    let generated = lcp::http::openapi::document_json().unwrap();
    assert!(
        committed == generated,
        "openapi/openapi.json is out of date with the code: run `make openapi` and commit the result"
    );
}

#[tokio::test]
async fn the_service_serves_its_document_and_the_api_reference() {
    let app = spawn_app().await;
    let served: serde_json::Value = app.get("/api/openapi.json").await.json().await.unwrap();
    assert_eq!(
        served,
        serde_json::to_value(lcp::http::openapi::document()).unwrap()
    );
    assert_eq!(served["info"]["title"], "Letter of Credit Platform API");

    let docs = app.get("/api/docs/").await;
    assert_eq!(docs.status(), 200);
    let html = docs.text().await.unwrap();
    assert!(html.contains("swagger-ui"), "{html}");
    // the UI's assets are part of the binary, no network needed
    assert_eq!(
        app.get("/api/docs/swagger-ui-bundle.js").await.status(),
        200
    );

    let redirect = app.get("/api/docs").await;
    assert_eq!(redirect.status(), 308);
    assert_eq!(redirect.headers()["location"], "/api/docs/");
}
