//! Four-eyes: a maker prepares an action, distinct checkers of the same
//! organisation release it. The number of checkers is the organisation's
//! approval level (1 to 3, the market norm). The maker never checks, the
//! same checker never counts twice, and a checker may send the action back
//! with a comment.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::RuleViolation;
use super::lifecycle::ActionKind;
use crate::domain::organisation::Role;

const FOUR_EYES: &str = "four-eyes";

/// Who acts: a person signed in to the web UI (`user_id`) or an ERP system
/// with a client-credentials token (`client_id`), for an organisation, with
/// the roles the organisation gave them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    #[serde(default)]
    pub user_id: Option<Uuid>,
    #[serde(default)]
    pub client_id: Option<String>,
    pub organisation_id: Uuid,
    pub roles: BTreeSet<Role>,
}

impl Actor {
    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    /// The identity recorded in events (roles are not: they may change).
    pub fn reference(&self) -> ActorRef {
        ActorRef {
            user_id: self.user_id,
            client_id: self.client_id.clone(),
            organisation_id: self.organisation_id,
        }
    }
}

/// An actor as events record it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActorRef {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    pub organisation_id: Uuid,
}

impl ActorRef {
    /// Whether two references are the same person or the same client.
    pub fn same_actor(&self, other: &ActorRef) -> bool {
        let same_user = self.user_id.is_some() && self.user_id == other.user_id;
        let same_client = self.client_id.is_some() && self.client_id == other.client_id;
        same_user || same_client
    }
}

/// An action a maker prepared, waiting for its checkers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingAction {
    pub action_id: u32,
    pub organisation_id: Uuid,
    pub action: ActionKind,
    pub maker: ActorRef,
    pub checker_role: Role,
    pub required_approvals: u8,
    pub approvals: Vec<ActorRef>,
    pub prepared_at: DateTime<Utc>,
}

/// The organisation's approval levels, 1 to 3.
pub fn required_approvals(levels: u8) -> Result<u8, RuleViolation> {
    if (1..=3).contains(&levels) {
        Ok(levels)
    } else {
        Err(RuleViolation::new(
            FOUR_EYES,
            format!("an organisation has 1 to 3 approval levels, not {levels}"),
        ))
    }
}

/// The actor may prepare an action for `organisation_id` as `maker_role`.
pub fn check_maker(
    actor: &Actor,
    organisation_id: Uuid,
    maker_role: Role,
    what: &str,
) -> Result<(), RuleViolation> {
    if actor.organisation_id != organisation_id {
        return Err(RuleViolation::new("party", format!("only {what}")));
    }
    if !actor.has(maker_role) {
        return Err(RuleViolation::new(
            "role",
            format!("preparing this action needs the role {maker_role}"),
        ));
    }
    if actor.user_id.is_none() && actor.client_id.is_none() {
        return Err(RuleViolation::new(
            FOUR_EYES,
            "a maker is a named person or client",
        ));
    }
    Ok(())
}

impl PendingAction {
    /// The actor may check this action now.
    pub fn check_checker(&self, actor: &Actor) -> Result<(), RuleViolation> {
        if actor.organisation_id != self.organisation_id {
            return Err(RuleViolation::new(
                "party",
                "only the organisation that prepared an action checks it",
            ));
        }
        if !actor.has(self.checker_role) {
            return Err(RuleViolation::new(
                "role",
                format!("checking this action needs the role {}", self.checker_role),
            ));
        }
        // a release needs a person who answers for it, not a machine
        if actor.user_id.is_none() {
            return Err(RuleViolation::new(
                FOUR_EYES,
                "a checker is a named person, not a client system",
            ));
        }
        let me = actor.reference();
        if me.same_actor(&self.maker) {
            return Err(RuleViolation::new(
                FOUR_EYES,
                "the maker of an action can never check it",
            ));
        }
        if self.approvals.iter().any(|a| a.same_actor(&me)) {
            return Err(RuleViolation::new(
                FOUR_EYES,
                "the same checker never counts twice",
            ));
        }
        Ok(())
    }

    /// Whether one more approval releases the action.
    pub fn released_by_next_approval(&self) -> bool {
        self.approvals.len() + 1 >= usize::from(self.required_approvals)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(id: u128, org: u128, roles: &[Role]) -> Actor {
        Actor {
            user_id: Some(Uuid::from_u128(id)),
            client_id: None,
            organisation_id: Uuid::from_u128(org),
            roles: roles.iter().copied().collect(),
        }
    }

    fn pending(required: u8) -> PendingAction {
        PendingAction {
            action_id: 1,
            organisation_id: Uuid::from_u128(9),
            action: ActionKind::Issue,
            maker: person(1, 9, &[]).reference(),
            checker_role: Role::BankChecker,
            required_approvals: required,
            approvals: vec![],
            prepared_at: DateTime::UNIX_EPOCH,
        }
    }

    #[test]
    fn four_eyes_the_maker_never_checks_even_holding_the_checker_role() {
        let maker = person(1, 9, &[Role::BankMaker, Role::BankChecker]);
        let error = pending(1).check_checker(&maker).unwrap_err();
        assert_eq!(error.rule, "four-eyes");
    }

    #[test]
    fn four_eyes_the_same_checker_never_counts_twice() {
        let checker = person(2, 9, &[Role::BankChecker]);
        let mut action = pending(2);
        assert!(action.check_checker(&checker).is_ok());
        assert!(!action.released_by_next_approval());
        action.approvals.push(checker.reference());
        assert_eq!(
            action.check_checker(&checker).unwrap_err().rule,
            "four-eyes"
        );
        assert!(action.released_by_next_approval());
    }

    #[test]
    fn four_eyes_checkers_need_the_role_the_organisation_and_a_person() {
        assert_eq!(
            pending(1)
                .check_checker(&person(2, 9, &[Role::BankMaker]))
                .unwrap_err()
                .rule,
            "role"
        );
        assert_eq!(
            pending(1)
                .check_checker(&person(2, 8, &[Role::BankChecker]))
                .unwrap_err()
                .rule,
            "party"
        );
        let client = Actor {
            user_id: None,
            client_id: Some("erp".into()),
            ..person(2, 9, &[Role::BankChecker])
        };
        assert_eq!(
            pending(1).check_checker(&client).unwrap_err().rule,
            "four-eyes"
        );
    }

    #[test]
    fn four_eyes_approval_levels_are_one_to_three() {
        assert!(required_approvals(0).is_err());
        assert_eq!(required_approvals(3), Ok(3));
        assert!(required_approvals(4).is_err());
    }
}
