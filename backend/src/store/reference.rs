//! Reference data: organisations, users, memberships, banking calendars.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel::upsert::excluded;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::schema::{calendar_holidays, calendars, memberships, organisations, users};
use crate::domain::{BankingCalendar, CalendarError};

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = organisations, check_for_backend(diesel::pg::Pg))]
pub struct Organisation {
    pub id: Uuid,
    pub kind: String,
    pub legal_name: String,
    pub country_code: String,
    pub bic: Option<String>,
    pub lei: Option<String>,
    pub calendar_code: Option<String>,
    pub approval_levels: i16,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = calendars, check_for_backend(diesel::pg::Pg))]
pub struct Calendar {
    pub code: String,
    pub name: String,
    pub time_zone: String,
    pub weekend_days: Vec<Option<i16>>,
    pub covered_from: NaiveDate,
    pub covered_until: NaiveDate,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = calendar_holidays, check_for_backend(diesel::pg::Pg))]
pub struct Holiday {
    pub calendar_code: String,
    pub holiday: NaiveDate,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = users, check_for_backend(diesel::pg::Pg))]
pub struct User {
    pub id: Uuid,
    pub email: String,
    pub display_name: String,
    pub idp_subject: Option<String>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = memberships, check_for_backend(diesel::pg::Pg))]
pub struct Membership {
    pub user_id: Uuid,
    pub organisation_id: Uuid,
    pub role: String,
    pub granted_at: DateTime<Utc>,
}

/// A page of organisations ordered by id (ids are time-ordered UUIDv7s),
/// starting after the cursor.
pub async fn list_organisations(
    connection: &mut AsyncPgConnection,
    after: Option<Uuid>,
    limit: i64,
) -> QueryResult<Vec<Organisation>> {
    let mut query = organisations::table
        .select(Organisation::as_select())
        .order(organisations::id)
        .limit(limit)
        .into_boxed();
    if let Some(after) = after {
        query = query.filter(organisations::id.gt(after));
    }
    query.load(connection).await
}

pub async fn find_organisation(
    connection: &mut AsyncPgConnection,
    id: Uuid,
) -> QueryResult<Option<Organisation>> {
    organisations::table
        .find(id)
        .select(Organisation::as_select())
        .first(connection)
        .await
        .optional()
}

pub async fn find_organisation_by_bic(
    connection: &mut AsyncPgConnection,
    bic: &str,
) -> QueryResult<Option<Organisation>> {
    organisations::table
        .filter(organisations::bic.eq(bic))
        .select(Organisation::as_select())
        .first(connection)
        .await
        .optional()
}

/// A calendar with its holidays in date order.
pub async fn find_calendar(
    connection: &mut AsyncPgConnection,
    code: &str,
) -> QueryResult<Option<(Calendar, Vec<Holiday>)>> {
    let Some(calendar) = calendars::table
        .find(code)
        .select(Calendar::as_select())
        .first(connection)
        .await
        .optional()?
    else {
        return Ok(None);
    };
    let holidays = calendar_holidays::table
        .filter(calendar_holidays::calendar_code.eq(code))
        .order(calendar_holidays::holiday)
        .select(Holiday::as_select())
        .load(connection)
        .await?;
    Ok(Some((calendar, holidays)))
}

impl Calendar {
    /// The rules' view of this calendar.
    pub fn to_domain(&self, holidays: &[Holiday]) -> Result<BankingCalendar, CalendarError> {
        BankingCalendar::new(
            self.code.clone(),
            &self
                .weekend_days
                .iter()
                .flatten()
                .copied()
                .collect::<Vec<_>>(),
            holidays.iter().map(|h| h.holiday),
            self.covered_from,
            self.covered_until,
        )
    }
}

/// Writes a calendar and replaces its holidays (used by the demo seed and
/// reference data loads); one transaction so readers never see half of it.
pub async fn put_calendar(
    connection: &mut AsyncPgConnection,
    calendar: &Calendar,
    holidays: &[Holiday],
) -> QueryResult<()> {
    use diesel_async::AsyncConnection;
    connection
        .transaction(async |connection| {
            diesel::insert_into(calendars::table)
                .values(calendar)
                .on_conflict(calendars::code)
                .do_update()
                .set((
                    calendars::name.eq(excluded(calendars::name)),
                    calendars::time_zone.eq(excluded(calendars::time_zone)),
                    calendars::weekend_days.eq(excluded(calendars::weekend_days)),
                    calendars::covered_from.eq(excluded(calendars::covered_from)),
                    calendars::covered_until.eq(excluded(calendars::covered_until)),
                ))
                .execute(connection)
                .await?;
            diesel::delete(
                calendar_holidays::table
                    .filter(calendar_holidays::calendar_code.eq(&calendar.code)),
            )
            .execute(connection)
            .await?;
            diesel::insert_into(calendar_holidays::table)
                .values(holidays)
                .execute(connection)
                .await?;
            Ok(())
        })
        .await
}

/// Inserts an organisation unless one with the same id, BIC or LEI exists;
/// returns whether it was inserted.
pub async fn insert_organisation(
    connection: &mut AsyncPgConnection,
    organisation: &Organisation,
) -> QueryResult<bool> {
    let inserted = diesel::insert_into(organisations::table)
        .values(organisation)
        .on_conflict_do_nothing()
        .execute(connection)
        .await?;
    Ok(inserted == 1)
}

pub async fn insert_user(connection: &mut AsyncPgConnection, user: &User) -> QueryResult<bool> {
    let inserted = diesel::insert_into(users::table)
        .values(user)
        .on_conflict_do_nothing()
        .execute(connection)
        .await?;
    Ok(inserted == 1)
}

pub async fn insert_membership(
    connection: &mut AsyncPgConnection,
    membership: &Membership,
) -> QueryResult<bool> {
    let inserted = diesel::insert_into(memberships::table)
        .values(membership)
        .on_conflict_do_nothing()
        .execute(connection)
        .await?;
    Ok(inserted == 1)
}

/// Roles of a user, per organisation.
pub async fn memberships_of(
    connection: &mut AsyncPgConnection,
    user_id: Uuid,
) -> QueryResult<Vec<Membership>> {
    memberships::table
        .filter(memberships::user_id.eq(user_id))
        .order((memberships::organisation_id, memberships::role))
        .select(Membership::as_select())
        .load(connection)
        .await
}

pub async fn find_user_by_email(
    connection: &mut AsyncPgConnection,
    email: &str,
) -> QueryResult<Option<User>> {
    users::table
        .filter(users::email.eq(email))
        .select(User::as_select())
        .first(connection)
        .await
        .optional()
}
