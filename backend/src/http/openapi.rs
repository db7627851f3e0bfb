//! The OpenAPI document, built from the route definitions themselves: a
//! route registered through [`super::routes`] is documented, or the build
//! fails. `lcp openapi` prints it; `openapi/openapi.json` is that output,
//! and a test fails when the two differ.

use actix_web::App;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_actix_web::AppExt;

use super::problem::{FieldViolation, Problem};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Letter of Credit Platform API",
        description = "Documentary credits, standby credits and guarantees from application to \
                       settlement. Errors are RFC 9457 `application/problem+json`; a broken trade \
                       rule is named in `rule`.",
        license(name = "Apache-2.0", identifier = "Apache-2.0"),
    ),
    tags(
        (name = "operations", description = "Health, readiness and metrics; no authentication."),
        (name = "sign-in", description = "People sign in through their organisation's OpenID Connect provider; ERP systems send its client-credentials access tokens."),
        (name = "administration", description = "An organisation's administrator manages roles and reads its security log."),
        (name = "reference data", description = "Organisations of the network and their banking calendars."),
    ),
    components(schemas(Problem, FieldViolation)),
    modifiers(&SecuritySchemes),
)]
struct ApiDoc;

struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some(
                        "ERP systems: an access token (RFC 9068 JWT) from the organisation's identity \
                         provider, client-credentials grant, audience `lcp-api`.",
                    ))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                "lcp_session",
                "People: the session cookie set at sign-in. Requests other than GET must also send \
                 the `X-CSRF-Token` header with the value of the `lcp_csrf` cookie.",
            ))),
        );
    }
}

pub(super) fn base() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

/// The document for every route the service registers.
pub fn document() -> utoipa::openapi::OpenApi {
    let (_, document) = App::new()
        .into_utoipa_app()
        .openapi(base())
        .configure(super::routes)
        .split_for_parts();
    document
}

/// The document as committed in `openapi/openapi.json`.
pub fn document_json() -> anyhow::Result<String> {
    let mut json = document().to_pretty_json()?;
    json.push('\n');
    Ok(json)
}
