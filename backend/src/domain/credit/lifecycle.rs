//! The life cycle of a documentary credit up to presentation: draft,
//! internal approval at the applicant, submission, the issuing bank's
//! decision, advice and confirmation, amendments (UCP 600 art. 10),
//! transfer (art. 38), cancellation and expiry.
//!
//! [`decide`] is the only place rules are checked; [`apply`] folds an event
//! into the state without checking anything, so replaying stored events
//! always gives the same credit.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::RuleViolation;
pub use super::approval::Actor;
use super::approval::{ActorRef, PendingAction, check_maker, required_approvals};
use super::terms::{CreditTerms, Party};
use crate::domain::calendar::BankingCalendar;
use crate::domain::organisation::Role;

const LIFE_CYCLE: &str = "life cycle";

/// What `decide` needs besides the state and the command.
#[derive(Debug, Clone)]
pub struct Context<'a> {
    pub now: DateTime<Utc>,
    pub actor: Actor,
    /// The acting organisation's approval levels (1 to 3).
    pub approval_levels: u8,
    /// Banking days of the place of presentation (UCP 600 art. 29(a)).
    pub calendar: &'a BankingCalendar,
}

impl Context<'_> {
    fn today(&self) -> NaiveDate {
        self.now.date_naive()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// With the applicant (and, if invited, the beneficiary).
    Draft,
    /// With the issuing bank.
    Submitted,
    /// Back with the applicant, with the bank's comment.
    ReturnedForChanges,
    Rejected,
    /// Irrevocably binding on the issuing bank (UCP 600 art. 7(b)).
    Issued,
    /// Advised to the beneficiary (UCP 600 art. 9).
    Advised,
    Cancelled,
    Expired,
}

impl Status {
    pub fn is_closed(self) -> bool {
        matches!(self, Self::Rejected | Self::Cancelled | Self::Expired)
    }

    /// Issued or advised: the issuing bank is bound.
    pub fn is_issued(self) -> bool {
        matches!(self, Self::Issued | Self::Advised)
    }
}

/// Whose agreement an amendment or a cancellation needs (UCP 600 art.
/// 10(a)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Consenter {
    IssuingBank,
    ConfirmingBank,
    Beneficiary,
}

/// One field that differs between two versions of the terms.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldChange {
    pub field: String,
    /// The MT700 tag ("" for platform-only fields).
    pub tag: String,
    pub from: serde_json::Value,
    pub to: serde_json::Value,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AmendmentStatus {
    /// Proposed by the applicant, not yet issued by the issuing bank.
    Requested,
    /// Issued: the issuing bank is bound (UCP 600 art. 10(b)); awaiting
    /// the consents.
    Issued,
    Accepted,
    Rejected,
    /// The issuing bank declined to issue it.
    Declined,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Amendment {
    /// The amendment's sequence number (MT707 field 26E).
    pub number: u32,
    pub changes: Vec<FieldChange>,
    pub status: AmendmentStatus,
    pub consents_required: BTreeSet<Consenter>,
    pub consents: BTreeSet<Consenter>,
    /// A "deemed accepted unless rejected" clause was in the request; it is
    /// kept for the record and has no effect (UCP 600 art. 10(f)).
    pub deemed_acceptance_clause_disregarded: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "response", rename_all = "snake_case")]
pub enum AmendmentResponse {
    Accept,
    Reject,
    /// Accepting only some fields: a rejection (UCP 600 art. 10(e)).
    PartialAccept {
        accepted_fields: Vec<String>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CancellationRequest {
    pub consents_required: BTreeSet<Consenter>,
    pub consents: BTreeSet<Consenter>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transfer {
    pub second_beneficiary: Party,
    pub changes: Vec<FieldChange>,
    pub terms: CreditTerms,
    /// Set when the transferring bank has released the transfer.
    pub transferred_at: Option<DateTime<Utc>>,
}

/// An action that needs a maker and checkers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum ActionKind {
    /// The applicant submits the application to the issuing bank.
    Submit,
    Issue,
    ReturnForChanges {
        comment: String,
    },
    Reject {
        reason: String,
    },
    /// The advising bank advises; adds its confirmation if it is the bank
    /// named in 58a and chooses to (UCP 600 art. 8, 9).
    Advise {
        add_confirmation: bool,
    },
    /// The bank named in 58a confirms (UCP 600 art. 8).
    AddConfirmation,
    ProposeAmendment {
        terms: Box<CreditTerms>,
        #[serde(default)]
        deemed_acceptance_clause: Option<String>,
    },
    IssueAmendment {
        number: u32,
    },
    DeclineAmendment {
        number: u32,
        reason: String,
    },
    /// The confirming bank's answer to an amendment (UCP 600 art. 10(b)).
    RespondToAmendment {
        number: u32,
        response: AmendmentResponse,
    },
    /// Before issue the applicant withdraws; after issue the applicant or
    /// the issuing bank asks for cancellation (UCP 600 art. 10(a)).
    Cancel,
    RespondToCancellation {
        consent: bool,
    },
    /// The transferring bank effects the beneficiary's request (UCP 600
    /// art. 38).
    Transfer,
}

impl ActionKind {
    /// Two pending actions with the same key would decide the same thing.
    fn conflict_key(&self) -> String {
        match self {
            Self::Submit => "submit".into(),
            Self::Issue | Self::ReturnForChanges { .. } | Self::Reject { .. } => "decision".into(),
            Self::Advise { .. } => "advise".into(),
            Self::AddConfirmation => "confirmation".into(),
            Self::ProposeAmendment { .. } => "propose_amendment".into(),
            Self::IssueAmendment { number } | Self::DeclineAmendment { number, .. } => {
                format!("amendment {number}")
            }
            Self::RespondToAmendment { number, .. } => format!("amendment response {number}"),
            Self::Cancel | Self::RespondToCancellation { .. } => "cancellation".into(),
            Self::Transfer => "transfer".into(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "snake_case")]
pub enum Command {
    Draft {
        credit_id: Uuid,
        terms: Box<CreditTerms>,
        #[serde(default)]
        co_drafted_with_beneficiary: bool,
    },
    UpdateDraft {
        terms: Box<CreditTerms>,
    },
    Prepare {
        action: ActionKind,
    },
    Approve {
        action_id: u32,
    },
    SendBack {
        action_id: u32,
        comment: String,
    },
    /// The beneficiary's answer to an amendment.
    RespondToAmendment {
        number: u32,
        response: AmendmentResponse,
    },
    /// The beneficiary's answer to a cancellation.
    RespondToCancellation {
        consent: bool,
    },
    /// The first beneficiary asks for a transfer (UCP 600 art. 38).
    RequestTransfer {
        second_beneficiary: Party,
        terms: Box<CreditTerms>,
    },
    /// Scheduled: closes the credit once its expiry has passed.
    Expire {
        today: NaiveDate,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    Drafted {
        credit_id: Uuid,
        terms: Box<CreditTerms>,
        co_drafted_with_beneficiary: bool,
        by: ActorRef,
        at: DateTime<Utc>,
    },
    DraftUpdated {
        terms: Box<CreditTerms>,
        by: ActorRef,
        at: DateTime<Utc>,
    },
    ActionPrepared {
        action_id: u32,
        organisation_id: Uuid,
        action: ActionKind,
        maker: ActorRef,
        checker_role: Role,
        required_approvals: u8,
        at: DateTime<Utc>,
    },
    ActionApproved {
        action_id: u32,
        checker: ActorRef,
        at: DateTime<Utc>,
    },
    ActionSentBack {
        action_id: u32,
        checker: ActorRef,
        comment: String,
        at: DateTime<Utc>,
    },
    ActionReleased {
        action_id: u32,
        at: DateTime<Utc>,
    },
    Submitted {
        at: DateTime<Utc>,
    },
    ReturnedForChanges {
        comment: String,
        at: DateTime<Utc>,
    },
    Rejected {
        reason: String,
        at: DateTime<Utc>,
    },
    Issued {
        /// MT700 field 31C.
        issued_on: NaiveDate,
        at: DateTime<Utc>,
    },
    Advised {
        at: DateTime<Utc>,
    },
    ConfirmationAdded {
        confirming_bank: Uuid,
        at: DateTime<Utc>,
    },
    AmendmentRequested {
        number: u32,
        changes: Vec<FieldChange>,
        deemed_acceptance_clause_disregarded: bool,
        at: DateTime<Utc>,
    },
    AmendmentIssued {
        number: u32,
        consents_required: BTreeSet<Consenter>,
        at: DateTime<Utc>,
    },
    AmendmentDeclined {
        number: u32,
        reason: String,
        at: DateTime<Utc>,
    },
    AmendmentConsented {
        number: u32,
        by: Consenter,
        at: DateTime<Utc>,
    },
    AmendmentRejected {
        number: u32,
        by: Consenter,
        partial_acceptance: bool,
        at: DateTime<Utc>,
    },
    /// Every consent is in: the amended terms are in force (UCP 600 art.
    /// 10(b), (c)).
    TermsAmended {
        number: u32,
        version: u32,
        terms: Box<CreditTerms>,
        at: DateTime<Utc>,
    },
    CancellationRequested {
        consents_required: BTreeSet<Consenter>,
        at: DateTime<Utc>,
    },
    CancellationConsented {
        by: Consenter,
        at: DateTime<Utc>,
    },
    CancellationRefused {
        by: Consenter,
        at: DateTime<Utc>,
    },
    Cancelled {
        at: DateTime<Utc>,
    },
    TransferRequested {
        second_beneficiary: Party,
        changes: Vec<FieldChange>,
        terms: Box<CreditTerms>,
        at: DateTime<Utc>,
    },
    Transferred {
        at: DateTime<Utc>,
    },
    Expired {
        /// The expiry date moved to a banking day (UCP 600 art. 29(a)).
        last_day_for_presentation: NaiveDate,
        at: DateTime<Utc>,
    },
}

/// A documentary credit as its events made it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Credit {
    pub id: Uuid,
    pub status: Status,
    /// The terms in force: an amendment changes them only once every
    /// consent is in (UCP 600 art. 10(b), (c)).
    pub terms: CreditTerms,
    /// 0 as issued, one more per amendment in force.
    pub terms_version: u32,
    pub co_drafted_with_beneficiary: bool,
    pub issued_on: Option<NaiveDate>,
    pub advised: bool,
    pub confirming_bank: Option<Uuid>,
    pub pending: BTreeMap<u32, PendingAction>,
    pub next_action_id: u32,
    pub amendments: BTreeMap<u32, Amendment>,
    pub cancellation: Option<CancellationRequest>,
    pub transfer: Option<Transfer>,
    /// The issuing bank's comment when it returned the application.
    pub return_comment: Option<String>,
}

fn violation(rule: &str, detail: impl Into<String>) -> RuleViolation {
    RuleViolation::new(rule, detail)
}

fn first(violations: Vec<RuleViolation>) -> Result<(), RuleViolation> {
    violations.into_iter().next().map_or(Ok(()), Err)
}

/// Decides what `command` does to `state` (`None`: no credit yet).
pub fn decide(
    state: Option<&Credit>,
    command: &Command,
    ctx: &Context<'_>,
) -> Result<Vec<Event>, RuleViolation> {
    let credit = match (state, command) {
        (
            None,
            Command::Draft {
                credit_id,
                terms,
                co_drafted_with_beneficiary,
            },
        ) => {
            return draft(*credit_id, terms, *co_drafted_with_beneficiary, ctx);
        }
        (None, _) => return Err(violation(LIFE_CYCLE, "there is no credit yet; draft one")),
        (Some(_), Command::Draft { .. }) => {
            return Err(violation(LIFE_CYCLE, "the credit already exists"));
        }
        (Some(credit), _) => credit,
    };
    if credit.status.is_closed() {
        return Err(violation(
            LIFE_CYCLE,
            format!(
                "the credit is closed ({:?}); nothing more happens to it",
                credit.status
            ),
        ));
    }
    match command {
        Command::Draft { .. } => Err(violation(LIFE_CYCLE, "the credit already exists")),
        Command::UpdateDraft { terms } => update_draft(credit, terms, ctx),
        Command::Prepare { action } => prepare(credit, action, ctx),
        Command::Approve { action_id } => approve(credit, *action_id, ctx),
        Command::SendBack { action_id, comment } => send_back(credit, *action_id, comment, ctx),
        Command::RespondToAmendment { number, response } => {
            require_beneficiary(credit, ctx)?;
            respond_to_amendment(credit, *number, Consenter::Beneficiary, response, ctx)
        }
        Command::RespondToCancellation { consent } => {
            require_beneficiary(credit, ctx)?;
            respond_to_cancellation(credit, Consenter::Beneficiary, *consent, ctx)
        }
        Command::RequestTransfer {
            second_beneficiary,
            terms,
        } => request_transfer(credit, second_beneficiary, terms, ctx),
        Command::Expire { today } => expire(credit, *today, ctx),
    }
}

/// Folds one event into the state. Never fails: the rules were checked
/// when the event was decided.
pub fn apply(state: Option<Credit>, event: &Event) -> Option<Credit> {
    if let Event::Drafted {
        credit_id,
        terms,
        co_drafted_with_beneficiary,
        ..
    } = event
    {
        return Some(Credit {
            id: *credit_id,
            status: Status::Draft,
            terms: (**terms).clone(),
            terms_version: 0,
            co_drafted_with_beneficiary: *co_drafted_with_beneficiary,
            issued_on: None,
            advised: false,
            confirming_bank: None,
            pending: BTreeMap::new(),
            next_action_id: 1,
            amendments: BTreeMap::new(),
            cancellation: None,
            transfer: None,
            return_comment: None,
        });
    }
    let mut c = state?;
    match event {
        Event::Drafted { .. } => {}
        Event::DraftUpdated { terms, .. } => c.terms = (**terms).clone(),
        Event::ActionPrepared {
            action_id,
            organisation_id,
            action,
            maker,
            checker_role,
            required_approvals,
            at,
        } => {
            c.pending.insert(
                *action_id,
                PendingAction {
                    action_id: *action_id,
                    organisation_id: *organisation_id,
                    action: action.clone(),
                    maker: maker.clone(),
                    checker_role: *checker_role,
                    required_approvals: *required_approvals,
                    approvals: Vec::new(),
                    prepared_at: *at,
                },
            );
            c.next_action_id = c.next_action_id.max(action_id.saturating_add(1));
        }
        Event::ActionApproved {
            action_id, checker, ..
        } => {
            if let Some(pending) = c.pending.get_mut(action_id) {
                pending.approvals.push(checker.clone());
            }
        }
        Event::ActionSentBack { action_id, .. } | Event::ActionReleased { action_id, .. } => {
            c.pending.remove(action_id);
        }
        Event::Submitted { .. } => {
            c.status = Status::Submitted;
            c.return_comment = None;
        }
        Event::ReturnedForChanges { comment, .. } => {
            c.status = Status::ReturnedForChanges;
            c.return_comment = Some(comment.clone());
        }
        Event::Rejected { .. } => c.status = Status::Rejected,
        Event::Issued { issued_on, .. } => {
            c.status = Status::Issued;
            c.issued_on = Some(*issued_on);
        }
        Event::Advised { .. } => {
            c.status = Status::Advised;
            c.advised = true;
        }
        Event::ConfirmationAdded {
            confirming_bank, ..
        } => c.confirming_bank = Some(*confirming_bank),
        Event::AmendmentRequested {
            number,
            changes,
            deemed_acceptance_clause_disregarded,
            ..
        } => {
            c.amendments.insert(
                *number,
                Amendment {
                    number: *number,
                    changes: changes.clone(),
                    status: AmendmentStatus::Requested,
                    consents_required: BTreeSet::new(),
                    consents: BTreeSet::new(),
                    deemed_acceptance_clause_disregarded: *deemed_acceptance_clause_disregarded,
                },
            );
        }
        Event::AmendmentIssued {
            number,
            consents_required,
            ..
        } => {
            if let Some(a) = c.amendments.get_mut(number) {
                a.status = AmendmentStatus::Issued;
                a.consents_required = consents_required.clone();
            }
        }
        Event::AmendmentDeclined { number, .. } => {
            if let Some(a) = c.amendments.get_mut(number) {
                a.status = AmendmentStatus::Declined;
            }
        }
        Event::AmendmentConsented { number, by, .. } => {
            if let Some(a) = c.amendments.get_mut(number) {
                a.consents.insert(*by);
            }
        }
        Event::AmendmentRejected { number, .. } => {
            if let Some(a) = c.amendments.get_mut(number) {
                a.status = AmendmentStatus::Rejected;
            }
        }
        Event::TermsAmended {
            number,
            version,
            terms,
            ..
        } => {
            if let Some(a) = c.amendments.get_mut(number) {
                a.status = AmendmentStatus::Accepted;
            }
            c.terms = (**terms).clone();
            c.terms_version = *version;
        }
        Event::CancellationRequested {
            consents_required, ..
        } => {
            c.cancellation = Some(CancellationRequest {
                consents_required: consents_required.clone(),
                consents: BTreeSet::new(),
            });
        }
        Event::CancellationConsented { by, .. } => {
            if let Some(request) = c.cancellation.as_mut() {
                request.consents.insert(*by);
            }
        }
        Event::CancellationRefused { .. } => c.cancellation = None,
        Event::Cancelled { .. } => {
            c.status = Status::Cancelled;
            c.pending.clear();
        }
        Event::TransferRequested {
            second_beneficiary,
            changes,
            terms,
            ..
        } => {
            c.transfer = Some(Transfer {
                second_beneficiary: second_beneficiary.clone(),
                changes: changes.clone(),
                terms: (**terms).clone(),
                transferred_at: None,
            });
        }
        Event::Transferred { at } => {
            if let Some(transfer) = c.transfer.as_mut() {
                transfer.transferred_at = Some(*at);
            }
        }
        Event::Expired { .. } => {
            c.status = Status::Expired;
            c.pending.clear();
        }
    }
    Some(c)
}

/// The state after `events`, from nothing.
pub fn replay<'a>(events: impl IntoIterator<Item = &'a Event>) -> Option<Credit> {
    events.into_iter().fold(None, apply)
}

fn draft(
    credit_id: Uuid,
    terms: &CreditTerms,
    co_drafted_with_beneficiary: bool,
    ctx: &Context<'_>,
) -> Result<Vec<Event>, RuleViolation> {
    let actor = &ctx.actor;
    if actor.organisation_id != terms.applicant.organisation_id {
        return Err(violation(
            "party",
            "only the applicant drafts an application for a credit",
        ));
    }
    if !actor.has(Role::ApplicantMaker) {
        return Err(violation("role", "drafting needs the role applicant_maker"));
    }
    Ok(vec![Event::Drafted {
        credit_id,
        terms: Box::new(terms.clone()),
        co_drafted_with_beneficiary,
        by: actor.reference(),
        at: ctx.now,
    }])
}

fn update_draft(
    c: &Credit,
    terms: &CreditTerms,
    ctx: &Context<'_>,
) -> Result<Vec<Event>, RuleViolation> {
    if !matches!(c.status, Status::Draft | Status::ReturnedForChanges) {
        return Err(violation(
            "UCP 600 art. 10(a)",
            "only a draft is edited; an issued credit changes by amendment",
        ));
    }
    let actor = &ctx.actor;
    let applicant = actor.organisation_id == c.terms.applicant.organisation_id
        && actor.has(Role::ApplicantMaker);
    let co_drafting_beneficiary = c.co_drafted_with_beneficiary
        && actor.organisation_id == c.terms.beneficiary.organisation_id
        && actor.has(Role::BeneficiaryUser);
    if !applicant && !co_drafting_beneficiary {
        return Err(violation(
            "role",
            "the draft is edited by the applicant's makers, or the beneficiary when invited to co-draft",
        ));
    }
    if c.pending.values().any(|p| p.action == ActionKind::Submit) {
        return Err(violation(
            "four-eyes",
            "the draft is awaiting approval; a checker must send it back before it changes",
        ));
    }
    if terms.applicant.organisation_id != c.terms.applicant.organisation_id {
        return Err(
            violation("party", "the applicant of a draft does not change").at("terms.applicant"),
        );
    }
    if co_drafting_beneficiary
        && !applicant
        && terms.beneficiary.organisation_id != c.terms.beneficiary.organisation_id
    {
        return Err(
            violation("party", "a co-drafting beneficiary cannot replace itself")
                .at("terms.beneficiary"),
        );
    }
    Ok(vec![Event::DraftUpdated {
        terms: Box::new(terms.clone()),
        by: actor.reference(),
        at: ctx.now,
    }])
}

/// Which organisation prepares `action`, and its maker and checker roles.
fn owner(
    c: &Credit,
    action: &ActionKind,
    actor: &Actor,
) -> Result<(Uuid, Role, Role), RuleViolation> {
    let t = &c.terms;
    let applicant = (
        t.applicant.organisation_id,
        Role::ApplicantMaker,
        Role::ApplicantChecker,
    );
    let bank = |id: Uuid| (id, Role::BankMaker, Role::BankChecker);
    let (candidates, who): (Vec<(Uuid, Role, Role)>, &str) = match action {
        ActionKind::Submit | ActionKind::ProposeAmendment { .. } => {
            (vec![applicant], "the applicant")
        }
        ActionKind::Issue
        | ActionKind::ReturnForChanges { .. }
        | ActionKind::Reject { .. }
        | ActionKind::IssueAmendment { .. }
        | ActionKind::DeclineAmendment { .. } => (vec![bank(t.issuing_bank)], "the issuing bank"),
        ActionKind::Advise { .. } => (vec![bank(t.advising_bank)], "the advising bank"),
        ActionKind::AddConfirmation => (
            t.requested_confirming_bank()
                .map(bank)
                .into_iter()
                .collect(),
            "the bank requested to confirm (58a)",
        ),
        ActionKind::RespondToAmendment { .. } => (
            c.confirming_bank.map(bank).into_iter().collect(),
            "the confirming bank",
        ),
        ActionKind::Cancel => (
            vec![applicant, bank(t.issuing_bank)],
            "the applicant or the issuing bank",
        ),
        ActionKind::RespondToCancellation { .. } => (
            std::iter::once(bank(t.issuing_bank))
                .chain(c.confirming_bank.map(bank))
                .collect(),
            "the issuing or confirming bank",
        ),
        ActionKind::Transfer => {
            let mut banks = vec![bank(t.issuing_bank)];
            match t.nominated_bank() {
                Some(nominated) => banks.push(bank(nominated)),
                // a freely available credit: the advising bank, as the
                // bank authorised to transfer (UCP 600 art. 38(b))
                None => banks.push(bank(t.advising_bank)),
            }
            (banks, "the transferring bank (UCP 600 art. 38(b))")
        }
    };
    let of_actor: Vec<(Uuid, Role, Role)> = candidates
        .into_iter()
        .filter(|(id, _, _)| *id == actor.organisation_id)
        .collect();
    of_actor
        .iter()
        .find(|(_, maker, _)| actor.has(*maker))
        .or(of_actor.first())
        .copied()
        .ok_or_else(|| violation("party", format!("only {who} may prepare this")))
}

fn prepare(
    c: &Credit,
    action: &ActionKind,
    ctx: &Context<'_>,
) -> Result<Vec<Event>, RuleViolation> {
    let (organisation_id, maker_role, checker_role) = owner(c, action, &ctx.actor)?;
    check_maker(
        &ctx.actor,
        organisation_id,
        maker_role,
        "the responsible party",
    )?;
    let key = action.conflict_key();
    if let Some(other) = c.pending.values().find(|p| p.action.conflict_key() == key) {
        return Err(violation(
            "four-eyes",
            format!(
                "action {} on the same matter awaits its checkers; release or send it back first",
                other.action_id
            ),
        ));
    }
    let required = required_approvals(ctx.approval_levels)?;
    // check now so the maker learns of a broken rule before the checkers
    effects(c, action, organisation_id, ctx)?;
    Ok(vec![Event::ActionPrepared {
        action_id: c.next_action_id,
        organisation_id,
        action: action.clone(),
        maker: ctx.actor.reference(),
        checker_role,
        required_approvals: required,
        at: ctx.now,
    }])
}

fn approve(c: &Credit, action_id: u32, ctx: &Context<'_>) -> Result<Vec<Event>, RuleViolation> {
    let pending = c.pending.get(&action_id).ok_or_else(|| {
        violation(
            "four-eyes",
            format!("no action {action_id} awaits approval"),
        )
    })?;
    pending.check_checker(&ctx.actor)?;
    let mut events = vec![Event::ActionApproved {
        action_id,
        checker: ctx.actor.reference(),
        at: ctx.now,
    }];
    if pending.released_by_next_approval() {
        events.push(Event::ActionReleased {
            action_id,
            at: ctx.now,
        });
        events.extend(effects(c, &pending.action, pending.organisation_id, ctx)?);
    }
    Ok(events)
}

fn send_back(
    c: &Credit,
    action_id: u32,
    comment: &str,
    ctx: &Context<'_>,
) -> Result<Vec<Event>, RuleViolation> {
    let pending = c.pending.get(&action_id).ok_or_else(|| {
        violation(
            "four-eyes",
            format!("no action {action_id} awaits approval"),
        )
    })?;
    pending.check_checker(&ctx.actor)?;
    if comment.trim().is_empty() {
        return Err(violation(
            "four-eyes",
            "sending back needs a comment for the maker",
        ));
    }
    Ok(vec![Event::ActionSentBack {
        action_id,
        checker: ctx.actor.reference(),
        comment: comment.to_owned(),
        at: ctx.now,
    }])
}

fn require_status(c: &Credit, allowed: &[Status], what: &str) -> Result<(), RuleViolation> {
    if allowed.contains(&c.status) {
        Ok(())
    } else {
        Err(violation(
            LIFE_CYCLE,
            format!("{what} is not possible while the credit is {:?}", c.status),
        ))
    }
}

fn require_beneficiary(c: &Credit, ctx: &Context<'_>) -> Result<(), RuleViolation> {
    if ctx.actor.organisation_id != c.terms.beneficiary.organisation_id {
        return Err(violation("party", "only the beneficiary answers this"));
    }
    if !ctx.actor.has(Role::BeneficiaryUser) {
        return Err(violation(
            "role",
            "answering needs the role beneficiary_user",
        ));
    }
    Ok(())
}

/// What a released action does. Checked at preparation and again at
/// release, since the credit may have moved on in between.
fn effects(
    c: &Credit,
    action: &ActionKind,
    organisation_id: Uuid,
    ctx: &Context<'_>,
) -> Result<Vec<Event>, RuleViolation> {
    let at = ctx.now;
    let t = &c.terms;
    match action {
        ActionKind::Submit => {
            require_status(
                c,
                &[Status::Draft, Status::ReturnedForChanges],
                "submission",
            )?;
            first(t.validate())?;
            first(t.validate_dates(ctx.today()))?;
            Ok(vec![Event::Submitted { at }])
        }
        ActionKind::Issue => {
            require_status(c, &[Status::Submitted], "issue")?;
            first(t.validate())?;
            first(t.validate_dates(ctx.today()))?;
            Ok(vec![Event::Issued {
                issued_on: ctx.today(),
                at,
            }])
        }
        ActionKind::ReturnForChanges { comment } => {
            require_status(c, &[Status::Submitted], "returning the application")?;
            if comment.trim().is_empty() {
                return Err(violation(LIFE_CYCLE, "say what must change"));
            }
            Ok(vec![Event::ReturnedForChanges {
                comment: comment.clone(),
                at,
            }])
        }
        ActionKind::Reject { reason } => {
            require_status(c, &[Status::Submitted], "rejecting the application")?;
            Ok(vec![Event::Rejected {
                reason: reason.clone(),
                at,
            }])
        }
        ActionKind::Advise { add_confirmation } => {
            require_status(c, &[Status::Issued], "advice")?;
            let mut events = vec![Event::Advised { at }];
            if *add_confirmation {
                check_confirmation(c, organisation_id)?;
                events.push(Event::ConfirmationAdded {
                    confirming_bank: organisation_id,
                    at,
                });
            }
            Ok(events)
        }
        ActionKind::AddConfirmation => {
            require_status(c, &[Status::Issued, Status::Advised], "confirmation")?;
            check_confirmation(c, organisation_id)?;
            Ok(vec![Event::ConfirmationAdded {
                confirming_bank: organisation_id,
                at,
            }])
        }
        ActionKind::ProposeAmendment {
            terms,
            deemed_acceptance_clause,
        } => propose_amendment(c, terms, deemed_acceptance_clause.is_some(), ctx),
        ActionKind::IssueAmendment { number } => {
            let amendment = amendment_in(c, *number, AmendmentStatus::Requested)?;
            let mut consents_required = BTreeSet::from([Consenter::Beneficiary]);
            if c.confirming_bank.is_some() {
                consents_required.insert(Consenter::ConfirmingBank);
            }
            Ok(vec![Event::AmendmentIssued {
                number: amendment.number,
                consents_required,
                at,
            }])
        }
        ActionKind::DeclineAmendment { number, reason } => {
            let amendment = amendment_in(c, *number, AmendmentStatus::Requested)?;
            Ok(vec![Event::AmendmentDeclined {
                number: amendment.number,
                reason: reason.clone(),
                at,
            }])
        }
        ActionKind::RespondToAmendment { number, response } => {
            respond_to_amendment(c, *number, Consenter::ConfirmingBank, response, ctx)
        }
        ActionKind::Cancel => cancel(c, organisation_id, ctx),
        ActionKind::RespondToCancellation { consent } => {
            let by = if organisation_id == t.issuing_bank {
                Consenter::IssuingBank
            } else {
                Consenter::ConfirmingBank
            };
            respond_to_cancellation(c, by, *consent, ctx)
        }
        ActionKind::Transfer => {
            require_status(c, &[Status::Issued, Status::Advised], "transfer")?;
            match &c.transfer {
                Some(transfer) if transfer.transferred_at.is_none() => {
                    Ok(vec![Event::Transferred { at }])
                }
                Some(_) => Err(violation(
                    "UCP 600 art. 38(d)",
                    "the credit has already been transferred once",
                )),
                None => Err(violation(
                    "UCP 600 art. 38(a)",
                    "a bank transfers only at the first beneficiary's request",
                )),
            }
        }
    }
}

/// UCP 600 art. 8: a bank confirms when the issuing bank asks it to (49
/// CONFIRM or MAY ADD, 58a naming it); the issuing bank cannot confirm its
/// own credit.
fn check_confirmation(c: &Credit, bank: Uuid) -> Result<(), RuleViolation> {
    let t = &c.terms;
    if !t.confirmation.confirmation_requested() {
        return Err(violation(
            "SWIFT MT700 field 49",
            "the credit is WITHOUT confirmation; no bank was asked to confirm (UCP 600 art. 8)",
        ));
    }
    if t.requested_confirming_bank() != Some(bank) {
        return Err(violation(
            "SWIFT MT700 field 58a",
            "only the bank named in 58a may add its confirmation",
        ));
    }
    if bank == t.issuing_bank {
        return Err(violation(
            "UCP 600 art. 2",
            "confirmation is the undertaking of a bank other than the issuing bank",
        ));
    }
    if c.confirming_bank.is_some() {
        return Err(violation(LIFE_CYCLE, "the credit is already confirmed"));
    }
    Ok(())
}

fn amendment_in(
    c: &Credit,
    number: u32,
    expected: AmendmentStatus,
) -> Result<&Amendment, RuleViolation> {
    let amendment = c
        .amendments
        .get(&number)
        .ok_or_else(|| violation(LIFE_CYCLE, format!("there is no amendment {number}")))?;
    if amendment.status != expected {
        return Err(violation(
            "UCP 600 art. 10",
            format!(
                "amendment {number} is {:?}, not {:?}",
                amendment.status, expected
            ),
        ));
    }
    Ok(amendment)
}

fn propose_amendment(
    c: &Credit,
    proposed: &CreditTerms,
    deemed_acceptance_clause: bool,
    ctx: &Context<'_>,
) -> Result<Vec<Event>, RuleViolation> {
    require_status(c, &[Status::Issued, Status::Advised], "an amendment")?;
    let t = &c.terms;
    if proposed.issuing_bank != t.issuing_bank
        || proposed.advising_bank != t.advising_bank
        || proposed.applicant.organisation_id != t.applicant.organisation_id
    {
        return Err(violation(
            "UCP 600 art. 10(a)",
            "the banks and the applicant of an issued credit are not amended",
        ));
    }
    if proposed.beneficiary.organisation_id != t.beneficiary.organisation_id {
        return Err(violation(
            "UCP 600 art. 38",
            "another beneficiary is reached by transfer, not by amendment",
        )
        .at("terms.beneficiary"));
    }
    let changes = t.changes_to(proposed)?;
    if changes.is_empty() {
        return Err(violation(
            "UCP 600 art. 10",
            "the amendment changes nothing",
        ));
    }
    first(proposed.validate())?;
    first(proposed.validate_dates(ctx.today()))?;
    let number = c.amendments.keys().next_back().map_or(1, |n| n + 1);
    Ok(vec![Event::AmendmentRequested {
        number,
        changes,
        deemed_acceptance_clause_disregarded: deemed_acceptance_clause,
        at: ctx.now,
    }])
}

fn respond_to_amendment(
    c: &Credit,
    number: u32,
    by: Consenter,
    response: &AmendmentResponse,
    ctx: &Context<'_>,
) -> Result<Vec<Event>, RuleViolation> {
    require_status(
        c,
        &[Status::Issued, Status::Advised],
        "answering an amendment",
    )?;
    let amendment = amendment_in(c, number, AmendmentStatus::Issued)?;
    if !amendment.consents_required.contains(&by) {
        return Err(violation(
            "party",
            format!("amendment {number} does not need the {by:?}'s consent"),
        ));
    }
    if amendment.consents.contains(&by) {
        return Err(violation(
            LIFE_CYCLE,
            format!("the {by:?} has already accepted amendment {number}"),
        ));
    }
    let at = ctx.now;
    match response {
        AmendmentResponse::Accept => {
            let mut events = vec![Event::AmendmentConsented { number, by, at }];
            let mut consents = amendment.consents.clone();
            consents.insert(by);
            // UCP 600 art. 10(b), (c): the terms change only when every
            // required consent is in
            if consents.is_superset(&amendment.consents_required) {
                let terms = c.terms.with_changes(&amendment.changes)?;
                events.push(Event::TermsAmended {
                    number,
                    version: c.terms_version + 1,
                    terms: Box::new(terms),
                    at,
                });
            }
            Ok(events)
        }
        AmendmentResponse::Reject => Ok(vec![Event::AmendmentRejected {
            number,
            by,
            partial_acceptance: false,
            at,
        }]),
        // UCP 600 art. 10(e): partial acceptance is a rejection
        AmendmentResponse::PartialAccept { .. } => Ok(vec![Event::AmendmentRejected {
            number,
            by,
            partial_acceptance: true,
            at,
        }]),
    }
}

fn cancel(
    c: &Credit,
    organisation_id: Uuid,
    ctx: &Context<'_>,
) -> Result<Vec<Event>, RuleViolation> {
    let at = ctx.now;
    let by_issuing_bank = organisation_id == c.terms.issuing_bank;
    if matches!(
        c.status,
        Status::Draft | Status::ReturnedForChanges | Status::Submitted
    ) {
        if by_issuing_bank && organisation_id != c.terms.applicant.organisation_id {
            return Err(violation(
                LIFE_CYCLE,
                "before issue the issuing bank rejects the application; the applicant withdraws it",
            ));
        }
        return Ok(vec![Event::Cancelled { at }]);
    }
    require_status(c, &[Status::Issued, Status::Advised], "cancellation")?;
    if c.cancellation.is_some() {
        return Err(violation(
            LIFE_CYCLE,
            "a cancellation is already awaiting consent",
        ));
    }
    // UCP 600 art. 10(a): the issuing bank, the confirming bank and the
    // beneficiary must all agree
    let mut consents_required = BTreeSet::from([Consenter::IssuingBank, Consenter::Beneficiary]);
    if c.confirming_bank.is_some() {
        consents_required.insert(Consenter::ConfirmingBank);
    }
    let mut events = vec![Event::CancellationRequested {
        consents_required,
        at,
    }];
    if by_issuing_bank {
        events.push(Event::CancellationConsented {
            by: Consenter::IssuingBank,
            at,
        });
    }
    Ok(events)
}

fn respond_to_cancellation(
    c: &Credit,
    by: Consenter,
    consent: bool,
    ctx: &Context<'_>,
) -> Result<Vec<Event>, RuleViolation> {
    let at = ctx.now;
    let request = c
        .cancellation
        .as_ref()
        .ok_or_else(|| violation(LIFE_CYCLE, "no cancellation awaits consent"))?;
    if !request.consents_required.contains(&by) {
        return Err(violation(
            "party",
            format!("the cancellation does not need the {by:?}'s consent"),
        ));
    }
    if request.consents.contains(&by) {
        return Err(violation(
            LIFE_CYCLE,
            format!("the {by:?} has already consented"),
        ));
    }
    if !consent {
        return Ok(vec![Event::CancellationRefused { by, at }]);
    }
    let mut events = vec![Event::CancellationConsented { by, at }];
    let mut consents = request.consents.clone();
    consents.insert(by);
    if consents.is_superset(&request.consents_required) {
        events.push(Event::Cancelled { at });
    }
    Ok(events)
}

fn request_transfer(
    c: &Credit,
    second_beneficiary: &Party,
    proposed: &CreditTerms,
    ctx: &Context<'_>,
) -> Result<Vec<Event>, RuleViolation> {
    require_beneficiary(c, ctx)?;
    require_status(c, &[Status::Issued, Status::Advised], "transfer")?;
    let t = &c.terms;
    if !t.is_transferable() {
        return Err(violation(
            "UCP 600 art. 38(b)",
            "only a credit designated IRREVOCABLE TRANSFERABLE (40A) may be transferred",
        )
        .at("terms.form_of_credit"));
    }
    if c.transfer.is_some() {
        return Err(violation(
            "UCP 600 art. 38(d)",
            "a credit is transferred once only",
        ));
    }
    if second_beneficiary.organisation_id == t.beneficiary.organisation_id
        || second_beneficiary.organisation_id == t.applicant.organisation_id
    {
        return Err(violation(
            "UCP 600 art. 38(b)",
            "the second beneficiary is a party other than the first beneficiary and the applicant",
        )
        .at("second_beneficiary"));
    }
    if proposed.beneficiary != *second_beneficiary {
        return Err(violation(
            "UCP 600 art. 38(b)",
            "the transferred credit names the second beneficiary as beneficiary",
        )
        .at("terms.beneficiary"));
    }
    first(transfer_violations(t, proposed))?;
    let changes = t.changes_to(proposed)?;
    Ok(vec![Event::TransferRequested {
        second_beneficiary: second_beneficiary.clone(),
        changes,
        terms: Box::new(proposed.clone()),
        at: ctx.now,
    }])
}

/// UCP 600 art. 38(g), (h): a transferred credit has the terms of the
/// original, except that the amount, unit price, expiry date, presentation
/// period and latest shipment date may be reduced or shortened, the
/// insurance cover raised, and the first beneficiary's name put for the
/// applicant's.
pub fn transfer_violations(
    original: &CreditTerms,
    transferred: &CreditTerms,
) -> Vec<RuleViolation> {
    let rule = "UCP 600 art. 38(g)";
    let changes = match original.changes_to(transferred) {
        Ok(changes) => changes,
        Err(e) => return vec![e],
    };
    let mut v = Vec::new();
    for change in changes {
        let field = change.field.as_str();
        let allowed = match field {
            "beneficiary" => true,
            "amount" => {
                transferred.amount.currency() == original.amount.currency()
                    && transferred.amount.value() <= original.amount.value()
            }
            "unit_price" => match (&original.unit_price, &transferred.unit_price) {
                (Some(from), Some(to)) => {
                    from.currency() == to.currency() && to.value() <= from.value()
                }
                _ => false,
            },
            "expiry" => {
                transferred.expiry.date <= original.expiry.date
                    && transferred.expiry.place == original.expiry.place
            }
            "presentation_period" => {
                transferred.presentation_days() <= original.presentation_days()
            }
            "latest_shipment_date" => {
                match (
                    original.latest_shipment_date,
                    transferred.latest_shipment_date,
                ) {
                    (Some(from), Some(to)) => to <= from,
                    _ => false,
                }
            }
            // UCP 600 art. 28(f)(ii): 110 % unless the credit says otherwise
            "insurance_cover_percent" => {
                transferred.insurance_cover_percent.unwrap_or(110)
                    >= original.insurance_cover_percent.unwrap_or(110)
            }
            // UCP 600 art. 38(h): the first beneficiary's name may replace
            // the applicant's; the applicant stays the same organisation
            "applicant" => {
                transferred.applicant.organisation_id == original.applicant.organisation_id
            }
            _ => false,
        };
        if !allowed {
            let how = match field {
                "amount" | "unit_price" => "may only be reduced",
                "expiry" | "presentation_period" | "latest_shipment_date" => {
                    "may only be shortened"
                }
                "insurance_cover_percent" => "may only be raised",
                _ => "must stay as in the original credit",
            };
            let tag = if change.tag.is_empty() {
                String::new()
            } else {
                format!(" ({})", change.tag)
            };
            v.push(
                violation(rule, format!("{field}{tag} {how} in a transfer"))
                    .at(format!("terms.{field}")),
            );
        }
    }
    v
}

fn expire(c: &Credit, today: NaiveDate, ctx: &Context<'_>) -> Result<Vec<Event>, RuleViolation> {
    if today > ctx.today() {
        return Err(violation(
            "clock",
            format!("{today} is after the current date {}", ctx.today()),
        ));
    }
    // UCP 600 art. 29(a): an expiry date on a day the place of
    // presentation is closed moves to its next banking day
    let last_day = ctx
        .calendar
        .next_banking_day_on_or_after(c.terms.expiry.date)
        .map_err(|e| violation("UCP 600 art. 29(a)", e.to_string()))?;
    if today <= last_day {
        return Err(violation(
            "UCP 600 art. 6(d)(i)",
            format!("the credit is valid for presentation until {last_day}"),
        ));
    }
    Ok(vec![Event::Expired {
        last_day_for_presentation: last_day,
        at: ctx.now,
    }])
}
