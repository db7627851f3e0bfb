//! Stopping the server lets requests in flight finish.

use std::time::Duration;

use diesel_async::RunQueryDsl;
use lcp::store;

use crate::support::spawn_app;

#[tokio::test]
async fn a_graceful_stop_finishes_the_request_in_flight_and_refuses_new_ones() {
    let app = spawn_app().await;
    assert_eq!(app.get("/readyz").await.status(), 200);

    // Hold the migrations table so a readiness check waits inside the handler.
    let mut blocker = store::connect(&app.database_url).await.unwrap();
    diesel::sql_query("BEGIN")
        .execute(&mut blocker)
        .await
        .unwrap();
    diesel::sql_query("LOCK TABLE __diesel_schema_migrations IN ACCESS EXCLUSIVE MODE")
        .execute(&mut blocker)
        .await
        .unwrap();
    let in_flight = tokio::spawn({
        let request = app.client.get(app.url("/readyz"));
        async move { request.send().await }
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(!in_flight.is_finished(), "the request is held by the lock");

    let stopping = tokio::spawn({
        let handle = app.handle.clone();
        async move { handle.stop(true).await }
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    let fresh = reqwest::Client::new().get(app.url("/healthz")).send().await;
    assert!(
        fresh.is_err(),
        "a stopping server accepts no new connections"
    );

    diesel::sql_query("COMMIT")
        .execute(&mut blocker)
        .await
        .unwrap();
    let response = in_flight
        .await
        .unwrap()
        .expect("the in-flight request was answered");
    assert_eq!(response.status(), 200);
    tokio::time::timeout(Duration::from_secs(10), stopping)
        .await
        .unwrap()
        .unwrap();
    app.server.await.unwrap().unwrap();
}
