//! The REST service: routes, middleware and the server's life cycle.

pub mod administration;
pub mod frontend;
pub mod health;
pub mod idempotency;
pub mod metrics;
pub mod openapi;
pub mod problem;
pub mod reference;
pub mod sign_in;

use std::net::{SocketAddr, TcpListener};
use std::path::PathBuf;
use std::time::Duration;

use actix_web::body::MessageBody;
use actix_web::dev::{Server, ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::{DefaultHeaders, ErrorHandlerResponse, ErrorHandlers, Next, from_fn};
use actix_web::web::{self, Data};
use actix_web::{App, HttpMessage, HttpResponse, HttpServer, ResponseError};
use anyhow::{Context, Result};
use tracing_actix_web::{RequestId, TracingLogger};
use utoipa_actix_web::{AppExt, scope, service_config::ServiceConfig};
use utoipa_swagger_ui::SwaggerUi;

use self::frontend::WebUi;
use self::metrics::Metrics;
use self::problem::ApiError;
use crate::store::DbPool;
use std::fmt;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub pool: DbPool,
    pub metrics: Metrics,
    pub identity: std::sync::Arc<crate::auth::Identity>,
}

impl fmt::Debug for AppState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AppState")
            .field("pool", &self.pool.status())
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Clone)]
pub struct ServerOptions {
    pub frontend_dir: PathBuf,
    pub workers: Option<usize>,
    pub shutdown_timeout: Duration,
}

/// Every route of the service. Registering through utoipa's service config
/// is what puts a route into the OpenAPI document.
pub fn routes(config: &mut ServiceConfig) {
    config
        .service(health::healthz)
        .service(health::readyz)
        .service(health::metrics)
        .service(sign_in::login)
        .service(sign_in::callback)
        .service(sign_in::logout)
        .service(
            scope::scope("/api/v1")
                .service(sign_in::me)
                .service(administration::list_members)
                .service(administration::add_member)
                .service(administration::remove_member_role)
                .service(administration::list_role_mappings)
                .service(administration::add_role_mapping)
                .service(administration::remove_role_mapping)
                .service(administration::list_security_events)
                .service(reference::list_organisations)
                .service(reference::get_organisation)
                .service(reference::get_calendar)
                .service(reference::banking_days),
        );
}

/// Binds the HTTP server to `listener` and returns it unstarted (await it to
/// run). It does not handle signals itself: the caller stops it through its
/// handle, gracefully, so in-flight requests finish.
pub fn server(listener: TcpListener, state: AppState, options: &ServerOptions) -> Result<Server> {
    let document = openapi::document();
    let web_ui = WebUi::new(&options.frontend_dir);
    let http_metrics = state.metrics.http_middleware();
    let state = Data::new(state);
    let web_ui = Data::new(web_ui);
    let mut server = HttpServer::new(move || {
        let (app, _) = App::new()
            .into_utoipa_app()
            .openapi(openapi::base())
            .app_data(state.clone())
            .app_data(web_ui.clone())
            .app_data(web::JsonConfig::default().error_handler(problem::json_error))
            .app_data(web::QueryConfig::default().error_handler(problem::query_error))
            .app_data(web::PathConfig::default().error_handler(problem::path_error))
            .configure(routes)
            .split_for_parts();
        let app = app
            .service(SwaggerUi::new("/api/docs/{_:.*}").url("/api/openapi.json", document.clone()))
            .route(
                "/api/docs",
                web::get().to(|| async {
                    HttpResponse::PermanentRedirect()
                        .insert_header(("location", "/api/docs/"))
                        .finish()
                }),
            );
        let app = match web_ui.files() {
            Some(files) => app.service(files),
            None => app,
        };
        app.default_service(actix_web::dev::fn_service(frontend::fallback))
            .wrap(ErrorHandlers::new().handler(
                actix_web::http::StatusCode::METHOD_NOT_ALLOWED,
                method_not_allowed,
            ))
            .wrap(
                DefaultHeaders::new()
                    .add(("x-content-type-options", "nosniff"))
                    .add(("referrer-policy", "no-referrer"))
                    .add(("x-frame-options", "DENY")),
            )
            .wrap(from_fn(sign_in::renew_session_cookie))
            .wrap(from_fn(request_id_header))
            .wrap(http_metrics.clone())
            .wrap(TracingLogger::default())
    })
    .listen(listener)
    .context("listening")?
    .disable_signals()
    .shutdown_timeout(options.shutdown_timeout.as_secs());
    if let Some(workers) = options.workers {
        server = server.workers(workers);
    }
    Ok(server.run())
}

/// Binds `address` (port 0 picks a free port) and reports the real address.
pub fn bind(address: SocketAddr) -> Result<(TcpListener, SocketAddr)> {
    let listener = TcpListener::bind(address).with_context(|| format!("binding {address}"))?;
    let local = listener.local_addr().context("reading the bound address")?;
    Ok((listener, local))
}

/// Echoes the request id (also on every log line of the request) so a
/// caller can quote it.
async fn request_id_header(
    request: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let request_id = request.extensions().get::<RequestId>().copied();
    let mut response = next.call(request).await?;
    if let Some(id) = request_id.and_then(|id| HeaderValue::from_str(&id.to_string()).ok()) {
        response
            .headers_mut()
            .insert(HeaderName::from_static("x-request-id"), id);
    }
    Ok(response)
}

fn method_not_allowed<B>(
    response: ServiceResponse<B>,
) -> actix_web::Result<ErrorHandlerResponse<B>> {
    let (request, _) = response.into_parts();
    let problem = ApiError::MethodNotAllowed.error_response();
    Ok(ErrorHandlerResponse::Response(
        ServiceResponse::new(request, problem).map_into_right_body(),
    ))
}
