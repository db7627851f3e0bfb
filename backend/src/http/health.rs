//! Liveness, readiness and metrics: the only routes besides sign-in that
//! answer without authentication.

use std::time::Duration;

use actix_web::web::{Data, Json};
use actix_web::{HttpResponse, get};
use diesel_async::RunQueryDsl;
use serde::Serialize;
use utoipa::ToSchema;

use super::AppState;
use super::problem::{ApiError, Problem};
use crate::store;

const READINESS_TIMEOUT: Duration = Duration::from_secs(3);

#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    #[schema(example = "ok")]
    pub status: &'static str,
    /// The running build's version.
    pub version: &'static str,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReadinessChecks {
    #[schema(example = "ok")]
    pub database: &'static str,
    #[schema(example = "ok")]
    pub migrations: &'static str,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Readiness {
    #[schema(example = "ready")]
    pub status: &'static str,
    pub checks: ReadinessChecks,
}

/// The process is alive.
#[utoipa::path(tag = "operations", responses((status = 200, body = Health)))]
#[get("/healthz")]
pub async fn healthz() -> Json<Health> {
    Json(Health {
        status: "ok",
        version: env!("CARGO_PKG_VERSION"),
    })
}

/// The replica can serve: the database answers and every migration this
/// build expects has been applied.
#[utoipa::path(
    tag = "operations",
    responses(
        (status = 200, body = Readiness),
        (status = 503, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/readyz")]
pub async fn readyz(state: Data<AppState>) -> Result<Json<Readiness>, ApiError> {
    let check = async {
        let mut connection = state.pool.get().await.map_err(|error| {
            tracing::warn!(%error, "readiness: no database connection");
            ApiError::NotReady("The database is unreachable.".into())
        })?;
        diesel::sql_query("SELECT 1")
            .execute(&mut connection)
            .await
            .map_err(|error| {
                tracing::warn!(%error, "readiness: database query failed");
                ApiError::NotReady("The database does not answer queries.".into())
            })?;
        let migrations = store::migration_state(&mut connection).await?;
        if !migrations.pending.is_empty() {
            return Err(ApiError::NotReady(format!(
                "Migrations not applied yet: {}. Run `lcp migrate`.",
                migrations.pending.join(", ")
            )));
        }
        Ok(Json(Readiness {
            status: "ready",
            checks: ReadinessChecks {
                database: "ok",
                migrations: "ok",
            },
        }))
    };
    tokio::time::timeout(READINESS_TIMEOUT, check)
        .await
        .unwrap_or_else(|_| {
            Err(ApiError::NotReady(
                "The database did not answer in time.".into(),
            ))
        })
}

/// Prometheus metrics: HTTP requests by route, method and status, their
/// latency, and the database pool.
#[utoipa::path(
    tag = "operations",
    responses((status = 200, description = "Prometheus text exposition format", content_type = "text/plain", body = String))
)]
#[get("/metrics")]
pub async fn metrics(state: Data<AppState>) -> Result<HttpResponse, ApiError> {
    let body = state.metrics.render(&state.pool)?;
    Ok(HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(body))
}
