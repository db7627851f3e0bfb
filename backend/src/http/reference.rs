//! Reference data for every signed-in participant: the directory of
//! organisations in the network and the banking calendars deadlines are
//! counted in.

use actix_web::get;
use actix_web::web::{Data, Json, Path, Query};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::AppState;
use super::problem::{ApiError, FieldViolation, Problem};
use crate::auth::Principal;
use crate::store::reference as queries;

const DEFAULT_PAGE: u32 = 50;
const MAX_PAGE: u32 = 200;

#[derive(Debug, Serialize, ToSchema)]
pub struct Organisation {
    pub id: Uuid,
    #[schema(value_type = String, example = "bank")]
    pub kind: String,
    pub legal_name: String,
    /// ISO 3166-1 alpha-2
    #[schema(example = "DE")]
    pub country_code: String,
    /// ISO 9362, banks only
    #[schema(example = "HMBKDEF0XXX")]
    pub bic: Option<String>,
    /// ISO 17442, corporates only
    pub lei: Option<String>,
    /// The banking calendar the organisation's deadlines are counted in.
    pub calendar_code: Option<String>,
    /// Checkers that must release a maker's action (1 to 3).
    pub approval_levels: i16,
}

impl From<queries::Organisation> for Organisation {
    fn from(row: queries::Organisation) -> Self {
        Self {
            id: row.id,
            kind: row.kind,
            legal_name: row.legal_name,
            country_code: row.country_code,
            bic: row.bic,
            lei: row.lei,
            calendar_code: row.calendar_code,
            approval_levels: row.approval_levels,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OrganisationPage {
    pub items: Vec<Organisation>,
    /// Pass as `after` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// The `next_cursor` of the previous page.
    pub after: Option<String>,
    /// Items per page, 1 to 200 (default 50).
    pub limit: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Holiday {
    pub date: NaiveDate,
    pub name: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Calendar {
    #[schema(example = "DE-FF")]
    pub code: String,
    pub name: String,
    /// IANA time zone of the place, for "close of business".
    #[schema(example = "Europe/Berlin")]
    pub time_zone: String,
    /// ISO weekday numbers on which banks are closed (1 = Monday).
    pub weekend_days: Vec<i16>,
    /// Holidays are known from this day ...
    pub covered_from: NaiveDate,
    /// ... to this day; counting beyond is refused.
    pub covered_until: NaiveDate,
    pub holidays: Vec<Holiday>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BankingDaysQuery {
    /// The day counting starts from (not counted itself), e.g. the day of presentation.
    #[param(value_type = String, format = Date, example = "2026-12-17")]
    pub from: Option<String>,
    /// How many banking days to add (0 to 60); 5 gives the UCP 600 art. 14(b) examination deadline.
    #[param(value_type = u32, example = 5)]
    pub add: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BankingDays {
    pub calendar_code: String,
    pub from: NaiveDate,
    pub banking_days: u32,
    /// The `banking_days`-th banking day after `from`.
    pub date: NaiveDate,
}

/// The organisations of the network.
#[utoipa::path(
    tag = "reference data",
    params(PageQuery),
    responses(
        (status = 200, body = OrganisationPage),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("session" = []))
)]
#[get("/organisations")]
pub async fn list_organisations(
    _principal: Principal,
    state: Data<AppState>,
    query: Query<PageQuery>,
) -> Result<Json<OrganisationPage>, ApiError> {
    let (after, limit) = parse_page(&query)?;
    let mut connection = state.pool.get().await?;
    let rows = queries::list_organisations(&mut connection, after, i64::from(limit) + 1).await?;
    Ok(Json(page(rows, limit)))
}

/// One organisation.
#[utoipa::path(
    tag = "reference data",
    params(("id" = Uuid, Path, description = "Organisation id")),
    responses(
        (status = 200, body = Organisation),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("session" = []))
)]
#[get("/organisations/{id}")]
pub async fn get_organisation(
    _principal: Principal,
    state: Data<AppState>,
    id: Path<String>,
) -> Result<Json<Organisation>, ApiError> {
    let id = Uuid::parse_str(&id).map_err(|_| ApiError::invalid("path.id", "not a UUID"))?;
    let mut connection = state.pool.get().await?;
    let row = queries::find_organisation(&mut connection, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(Json(row.into()))
}

/// A banking calendar with its holidays.
#[utoipa::path(
    tag = "reference data",
    params(("code" = String, Path, description = "Calendar code, e.g. DE-FF")),
    responses(
        (status = 200, body = Calendar),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("session" = []))
)]
#[get("/calendars/{code}")]
pub async fn get_calendar(
    _principal: Principal,
    state: Data<AppState>,
    code: Path<String>,
) -> Result<Json<Calendar>, ApiError> {
    let mut connection = state.pool.get().await?;
    let (calendar, holidays) = queries::find_calendar(&mut connection, &code)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(Json(Calendar {
        code: calendar.code,
        name: calendar.name,
        time_zone: calendar.time_zone,
        weekend_days: calendar.weekend_days.into_iter().flatten().collect(),
        covered_from: calendar.covered_from,
        covered_until: calendar.covered_until,
        holidays: holidays
            .into_iter()
            .map(|h| Holiday {
                date: h.holiday,
                name: h.name,
            })
            .collect(),
    }))
}

/// Counts banking days in a calendar: the examination deadline of UCP 600
/// art. 14(b) is `add=5` from the day of presentation.
#[utoipa::path(
    tag = "reference data",
    params(("code" = String, Path, description = "Calendar code"), BankingDaysQuery),
    responses(
        (status = 200, body = BankingDays),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("session" = []))
)]
#[get("/calendars/{code}/banking-days")]
pub async fn banking_days(
    _principal: Principal,
    state: Data<AppState>,
    code: Path<String>,
    query: Query<BankingDaysQuery>,
) -> Result<Json<BankingDays>, ApiError> {
    let mut violations = Vec::new();
    let from = match query.from.as_deref().map(str::parse::<NaiveDate>) {
        Some(Ok(date)) => Some(date),
        Some(Err(_)) => {
            violations.push(FieldViolation::new("query.from", "a date as YYYY-MM-DD"));
            None
        }
        None => {
            violations.push(FieldViolation::new("query.from", "required"));
            None
        }
    };
    let add = match query.add.as_deref().map(str::parse::<u32>) {
        Some(Ok(n)) if n <= 60 => Some(n),
        Some(_) => {
            violations.push(FieldViolation::new(
                "query.add",
                "a whole number from 0 to 60",
            ));
            None
        }
        None => {
            violations.push(FieldViolation::new("query.add", "required"));
            None
        }
    };
    let (Some(from), Some(add)) = (from, add) else {
        return Err(ApiError::InvalidInput(violations));
    };
    let mut connection = state.pool.get().await?;
    let (calendar, holidays) = queries::find_calendar(&mut connection, &code)
        .await?
        .ok_or(ApiError::NotFound)?;
    let calendar = calendar.to_domain(&holidays).map_err(anyhow::Error::from)?;
    let date = calendar.add_banking_days(from, add).map_err(|error| {
        ApiError::InvalidInput(vec![FieldViolation::new("query.from", error.to_string())])
    })?;
    Ok(Json(BankingDays {
        calendar_code: calendar.code().to_owned(),
        from,
        banking_days: add,
        date,
    }))
}

fn parse_page(query: &PageQuery) -> Result<(Option<Uuid>, u32), ApiError> {
    let mut violations = Vec::new();
    let after = match query.after.as_deref().map(Uuid::parse_str) {
        Some(Ok(id)) => Some(id),
        Some(Err(_)) => {
            violations.push(FieldViolation::new(
                "query.after",
                "not a cursor this API returned",
            ));
            None
        }
        None => None,
    };
    let limit = match query.limit.as_deref().map(str::parse::<u32>) {
        None => DEFAULT_PAGE,
        Some(Ok(n)) if (1..=MAX_PAGE).contains(&n) => n,
        Some(_) => {
            violations.push(FieldViolation::new(
                "query.limit",
                format!("a whole number from 1 to {MAX_PAGE}"),
            ));
            DEFAULT_PAGE
        }
    };
    if violations.is_empty() {
        Ok((after, limit))
    } else {
        Err(ApiError::InvalidInput(violations))
    }
}

fn page(mut rows: Vec<queries::Organisation>, limit: u32) -> OrganisationPage {
    let more = rows.len() > limit as usize;
    rows.truncate(limit as usize);
    let next_cursor = more
        .then(|| rows.last().map(|row| row.id.to_string()))
        .flatten();
    OrganisationPage {
        items: rows.into_iter().map(Into::into).collect(),
        next_cursor,
    }
}
