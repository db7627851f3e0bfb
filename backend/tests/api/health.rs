use crate::support::{empty_database, expect_problem, spawn_app, spawn_app_on};

#[tokio::test]
async fn healthz_reports_the_running_version() {
    let app = spawn_app().await;
    let response = app.get("/healthz").await;
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["status"], "ok");
    assert_eq!(body["version"], env!("CARGO_PKG_VERSION"));
}

#[tokio::test]
async fn readyz_is_ready_on_a_migrated_database() {
    let app = spawn_app().await;
    let response = app.get("/readyz").await;
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["checks"]["database"], "ok");
    assert_eq!(body["checks"]["migrations"], "ok");
}

#[tokio::test]
async fn readyz_refuses_traffic_until_migrations_are_applied() {
    let (_, url) = empty_database().await;
    let app = spawn_app_on(url.clone()).await;

    let problem = expect_problem(app.get("/readyz").await, 503).await;
    let detail = problem["detail"].as_str().unwrap();
    let first = lcp::store::embedded_migration_versions()
        .unwrap()
        .into_iter()
        .next()
        .unwrap();
    assert!(
        detail.contains(&first),
        "names the pending migration: {detail}"
    );

    lcp::store::run_migrations(&url).await.unwrap();
    assert_eq!(app.get("/readyz").await.status(), 200);
}

#[tokio::test]
async fn readyz_reports_an_unreachable_database_without_leaking_it() {
    let url = "postgresql://postgres@/nowhere?host=/nonexistent-socket-dir&port=5432".to_owned();
    let app = spawn_app_on(url.into()).await;
    let problem = expect_problem(app.get("/readyz").await, 503).await;
    assert!(
        !problem.to_string().contains("nonexistent-socket-dir"),
        "{problem}"
    );
}

#[tokio::test]
async fn metrics_count_requests_by_route_pattern_and_show_the_pool() {
    let app = spawn_app().await;
    for _ in 0..3 {
        assert_eq!(app.get("/readyz").await.status(), 200);
    }
    let id = uuid::Uuid::now_v7();
    app.get(&format!("/api/v1/organisations/{id}")).await;
    app.get("/no/such/page.png").await;

    let response = app.get("/metrics").await;
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    let text = response.text().await.unwrap();
    let count = |needle: &str| -> f64 {
        text.lines()
            .find(|line| line.starts_with(needle))
            .and_then(|line| line.rsplit(' ').next())
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("no sample {needle} in\n{text}"))
    };
    assert_eq!(
        count(r#"lcp_http_requests_total{method="GET",route="/readyz",status="200"}"#),
        3.0
    );
    // ids never become labels
    assert_eq!(
        count(
            r#"lcp_http_requests_total{method="GET",route="/api/v1/organisations/{id}",status="401"}"#
        ),
        1.0
    );
    assert!(!text.contains(&id.to_string()));
    assert!(text.contains(
        r#"lcp_http_requests_duration_seconds_bucket{method="GET",route="/readyz",status="200",le="#
    ));
    assert!(count("lcp_db_pool_max_connections") >= 1.0);
    assert!(count("lcp_db_pool_open_connections") >= 1.0);
    let _ = count("lcp_db_pool_idle_connections");
    let _ = count("lcp_db_pool_waiting_requests");
}
