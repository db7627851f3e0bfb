//! The trade rules, free of IO: this module imports nothing of `http`,
//! `store` or any database or web crate. Values are parsed at the edge into
//! the types here ("parse, don't validate"), and each rule a value breaks is
//! named in its error.

pub mod calendar;
pub mod credit;
pub mod identifiers;
pub mod organisation;

pub use calendar::{BankingCalendar, CalendarError};
pub use identifiers::{Bic, CountryCode, IdentifierError, Lei};
pub use organisation::{OrganisationKind, Role};
