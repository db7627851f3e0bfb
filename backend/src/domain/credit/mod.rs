//! Documentary credits, standby credits and demand guarantees: terms and
//! life cycle.
//!
//! Everything here is pure: values are parsed at the edge into the types of
//! [`money`], [`swift`] and [`terms`]; [`lifecycle::decide`] takes the state
//! of a credit, a command and a [`lifecycle::Context`] (time, actor,
//! approval levels, banking calendar) and returns events or the
//! [`RuleViolation`] that forbids it; [`lifecycle::apply`] folds an event
//! into the state and cannot fail.

pub mod approval;
pub mod lifecycle;
pub mod money;
pub mod swift;
pub mod terms;
pub mod undertaking;

#[cfg(test)]
mod lifecycle_tests;

use std::fmt;

use serde::{Deserialize, Serialize};

pub use approval::{Actor, ActorRef, PendingAction};
pub use lifecycle::{
    ActionKind, Amendment, AmendmentResponse, AmendmentStatus, Command, Consenter, Context, Credit,
    Event, FieldChange, Status, apply, decide, replay,
};
pub use money::{Amount, Currency, Tolerance};
pub use swift::{Charset, FieldTag, SwiftText, TextFormat};
pub use terms::CreditTerms;
pub use undertaking::{GuaranteeTerms, StandbyTerms};

/// A rule a command or a value breaks. `rule` names the rule book and
/// article ("UCP 600 art. 10(e)", "SWIFT MT700 field 32B", "four-eyes",
/// "role", "party"), `field` the path of the offending value where there is
/// one ("terms.amount"), `detail` what is wrong in words a bank officer
/// understands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub struct RuleViolation {
    pub rule: String,
    pub field: Option<String>,
    pub detail: String,
}

impl RuleViolation {
    pub fn new(rule: impl Into<String>, detail: impl Into<String>) -> Self {
        Self {
            rule: rule.into(),
            field: None,
            detail: detail.into(),
        }
    }

    /// The same violation, located at `field`.
    pub fn at(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }
}

impl fmt::Display for RuleViolation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.rule, self.detail)?;
        if let Some(field) = &self.field {
            write!(f, " ({field})")?;
        }
        Ok(())
    }
}
