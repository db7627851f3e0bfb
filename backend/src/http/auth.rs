//! The authenticated caller of a business endpoint.
//!
//! Every handler under `/api/v1/` takes a [`Principal`]; a request without
//! one never reaches the handler. People will sign in through their bank's
//! OpenID Connect provider and ERP systems will send bearer tokens from it
//! (the identity and access work); until a verifier is configured, no
//! credential is accepted and every business endpoint answers 401.

use std::future::{Ready, ready};

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};
use uuid::Uuid;

use super::problem::ApiError;
use crate::domain::Role;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub user_id: Uuid,
    pub organisation_id: Uuid,
    pub roles: Vec<Role>,
}

impl FromRequest for Principal {
    type Error = ApiError;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(_request: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        ready(Err(ApiError::Unauthenticated))
    }
}
