//! One error type for the whole API, answered as RFC 9457
//! `application/problem+json` with a stable `type` per kind. Causes of
//! internal errors are logged with the request's id and never returned.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

pub const PROBLEM_JSON: &str = "application/problem+json";

/// One input that is wrong, named by its JSON pointer-like path
/// (`terms.amount`, `query.from`) and, where a trade rule decides, the rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct FieldViolation {
    /// Where the wrong value is: a body field, `query.<name>` or `path.<name>`.
    #[schema(example = "query.from")]
    pub field: String,
    /// What is wrong with it.
    pub detail: String,
    /// The rule or standard it breaks, e.g. `UCP 600 art. 14(c)` or `ISO 9362`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "ISO 9362")]
    pub rule: Option<String>,
}

impl FieldViolation {
    pub fn new(field: impl Into<String>, detail: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            detail: detail.into(),
            rule: None,
        }
    }

    pub fn with_rule(mut self, rule: impl Into<String>) -> Self {
        self.rule = Some(rule.into());
        self
    }
}

/// RFC 9457 problem details.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Problem {
    /// Stable identifier of the kind of problem.
    #[schema(example = "/problems/invalid-input")]
    pub r#type: &'static str,
    /// Short, human-readable summary of the kind of problem.
    pub title: &'static str,
    /// The HTTP status code.
    pub status: u16,
    /// What went wrong in this occurrence.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// The rule the request breaks, when one trade rule decides it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    /// Every wrong input, when the request's input was refused.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldViolation>,
}

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("authentication required")]
    Unauthenticated,
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// Also what another organisation's resources answer, so their
    /// existence does not leak.
    #[error("not found")]
    NotFound,
    #[error("method not allowed")]
    MethodNotAllowed,
    #[error("invalid input")]
    InvalidInput(Vec<FieldViolation>),
    #[error("rule violated: {rule}: {detail}")]
    RuleViolation { rule: String, detail: String },
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("precondition failed")]
    PreconditionFailed,
    #[error("not ready: {0}")]
    NotReady(String),
    #[error("too many requests")]
    TooManyRequests { retry_after_secs: u64 },
    #[error("bad request: {0}")]
    BadRequest(String),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl ApiError {
    pub fn invalid(field: impl Into<String>, detail: impl Into<String>) -> Self {
        Self::InvalidInput(vec![FieldViolation::new(field, detail)])
    }

    fn kind(&self) -> (&'static str, &'static str) {
        match self {
            Self::Unauthenticated => ("/problems/unauthenticated", "Authentication required"),
            Self::Forbidden(_) => ("/problems/forbidden", "Not allowed for your role"),
            Self::NotFound => ("/problems/not-found", "Not found"),
            Self::MethodNotAllowed => ("/problems/method-not-allowed", "Method not allowed"),
            Self::InvalidInput(_) => ("/problems/invalid-input", "The request's input is invalid"),
            Self::RuleViolation { .. } => ("/problems/rule-violation", "A trade rule forbids this"),
            Self::Conflict(_) => ("/problems/conflict", "Conflicts with the current state"),
            Self::PreconditionFailed => {
                ("/problems/precondition-failed", "The resource has changed")
            }
            Self::NotReady(_) => ("/problems/not-ready", "Service not ready"),
            Self::TooManyRequests { .. } => ("/problems/rate-limited", "Too many requests"),
            Self::BadRequest(_) => ("/problems/bad-request", "The request cannot be processed"),
            Self::Internal(_) => ("/problems/internal", "Internal error"),
        }
    }

    pub fn problem(&self) -> Problem {
        let (r#type, title) = self.kind();
        let (detail, rule, errors) = match self {
            Self::Unauthenticated => (
                Some("Sign in, or send a bearer token.".to_owned()),
                None,
                vec![],
            ),
            Self::TooManyRequests { retry_after_secs } => (
                Some(format!("Try again in {retry_after_secs} s.")),
                None,
                vec![],
            ),
            Self::Forbidden(detail)
            | Self::Conflict(detail)
            | Self::NotReady(detail)
            | Self::BadRequest(detail) => (Some(detail.clone()), None, vec![]),
            Self::InvalidInput(errors) => {
                let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
                (
                    Some(format!("Check: {}.", fields.join(", "))),
                    None,
                    errors.clone(),
                )
            }
            Self::RuleViolation { rule, detail } => {
                (Some(detail.clone()), Some(rule.clone()), vec![])
            }
            Self::PreconditionFailed => (
                Some(
                    "Reload the resource and apply your change to its current version.".to_owned(),
                ),
                None,
                vec![],
            ),
            Self::Internal(_) => (
                Some(
                    "The error was logged; quote the x-request-id header when you report it."
                        .to_owned(),
                ),
                None,
                vec![],
            ),
            Self::NotFound | Self::MethodNotAllowed => (None, None, vec![]),
        };
        Problem {
            r#type,
            title,
            status: self.status_code().as_u16(),
            detail,
            rule,
            errors,
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::Unauthenticated => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::InvalidInput(_) | Self::RuleViolation { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::PreconditionFailed => StatusCode::PRECONDITION_FAILED,
            Self::NotReady(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        if let Self::Internal(cause) = self {
            // The cause stays in the log (with the request id of the span).
            tracing::error!(error = ?cause, "internal error");
        }
        let mut response = HttpResponse::build(self.status_code());
        response.insert_header((header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON)));
        match self {
            Self::Unauthenticated => {
                response
                    .insert_header((header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer")));
            }
            Self::TooManyRequests { retry_after_secs } => {
                response.insert_header((header::RETRY_AFTER, retry_after_secs.to_string()));
            }
            _ => {}
        }
        response.json(self.problem())
    }
}

impl From<diesel::result::Error> for ApiError {
    fn from(error: diesel::result::Error) -> Self {
        match error {
            diesel::result::Error::NotFound => Self::NotFound,
            other => Self::Internal(other.into()),
        }
    }
}

impl From<diesel_async::pooled_connection::deadpool::PoolError> for ApiError {
    fn from(error: diesel_async::pooled_connection::deadpool::PoolError) -> Self {
        Self::Internal(anyhow::Error::new(error).context("taking a database connection"))
    }
}

/// An extractor whose error waits until the handler has authenticated and
/// authorised the caller: actix runs a handler's extractors side by side
/// and the first error wins, so without this a malformed body or path could
/// answer 422 to a caller who should get 401. Take `Deferred<Json<T>>` or
/// `Deferred<Path<T>>` and call [`deferred`] after the access checks.
pub type Deferred<T> = Result<T, actix_web::Error>;

pub fn deferred<T>(extracted: Deferred<T>) -> Result<T, ApiError> {
    extracted.map_err(|error| match error.as_error::<ApiError>() {
        Some(ApiError::InvalidInput(violations)) => ApiError::InvalidInput(violations.clone()),
        _ => ApiError::invalid("request", error.to_string()),
    })
}

/// Turns actix's own extractor errors (bad JSON, query or path) into
/// problems that name the part of the request at fault.
pub fn json_error(
    error: actix_web::error::JsonPayloadError,
    _: &actix_web::HttpRequest,
) -> actix_web::Error {
    ApiError::invalid("body", error.to_string()).into()
}

pub fn query_error(
    error: actix_web::error::QueryPayloadError,
    _: &actix_web::HttpRequest,
) -> actix_web::Error {
    ApiError::invalid("query", error.to_string()).into()
}

pub fn path_error(
    error: actix_web::error::PathError,
    _: &actix_web::HttpRequest,
) -> actix_web::Error {
    ApiError::invalid("path", error.to_string()).into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::body::to_bytes;

    #[actix_web::test]
    async fn internal_causes_never_reach_the_client() {
        let error = ApiError::Internal(anyhow::anyhow!("password=hunter2 in connection string"));
        let response = error.error_response();
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(
            response.headers().get(header::CONTENT_TYPE).unwrap(),
            PROBLEM_JSON
        );
        let body = to_bytes(response.into_body()).await.unwrap();
        let text = std::str::from_utf8(&body).unwrap();
        assert!(!text.contains("hunter2"), "{text}");
        assert!(text.contains("/problems/internal"));
    }

    #[test]
    fn invalid_input_names_every_field_and_its_rule() {
        let error = ApiError::InvalidInput(vec![
            FieldViolation::new("bic", "too short").with_rule("ISO 9362"),
            FieldViolation::new("country_code", "lower case"),
        ]);
        let problem = serde_json::to_value(error.problem()).unwrap();
        assert_eq!(problem["status"], 422);
        assert_eq!(problem["errors"][0]["field"], "bic");
        assert_eq!(problem["errors"][0]["rule"], "ISO 9362");
        assert!(problem["detail"].as_str().unwrap().contains("country_code"));
    }
}
