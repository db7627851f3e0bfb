//! Rule-by-rule tests of the life cycle, and property tests over random
//! command sequences.

use std::collections::BTreeSet;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use proptest::prelude::*;
use uuid::Uuid;

use super::lifecycle::*;
use super::terms::fixtures::*;
use super::terms::{BankIdentifier, BankParty, ConfirmationInstructions, FormOfCredit, Party};
use super::{CreditTerms, RuleViolation};
use crate::domain::calendar::BankingCalendar;
use crate::domain::identifiers::Bic;
use crate::domain::organisation::Role;

/// Frankfurt, the place of presentation: New Year's Eve and Day closed.
fn calendar() -> BankingCalendar {
    BankingCalendar::new(
        "DE-FF",
        &[6, 7],
        [date("2026-12-31"), date("2027-01-01")],
        date("2026-01-01"),
        date("2027-12-31"),
    )
    .unwrap()
}

fn person(id: u128, org: Uuid, roles: &[Role]) -> Actor {
    Actor {
        user_id: Some(Uuid::from_u128(id)),
        client_id: None,
        organisation_id: org,
        roles: roles.iter().copied().collect(),
    }
}

fn applicant_maker() -> Actor {
    person(1, APPLICANT, &[Role::ApplicantMaker])
}
fn applicant_checker() -> Actor {
    person(2, APPLICANT, &[Role::ApplicantChecker])
}
fn applicant_checker_2() -> Actor {
    person(3, APPLICANT, &[Role::ApplicantChecker])
}
/// Holds both roles: may check others' work, never its own.
fn applicant_both() -> Actor {
    person(
        4,
        APPLICANT,
        &[Role::ApplicantMaker, Role::ApplicantChecker],
    )
}
fn issuing_maker() -> Actor {
    person(11, ISSUING, &[Role::BankMaker])
}
fn issuing_checker() -> Actor {
    person(12, ISSUING, &[Role::BankChecker])
}
fn issuing_checker_2() -> Actor {
    person(13, ISSUING, &[Role::BankChecker])
}
fn advising_maker() -> Actor {
    person(21, ADVISING, &[Role::BankMaker])
}
fn advising_checker() -> Actor {
    person(22, ADVISING, &[Role::BankChecker])
}
fn beneficiary() -> Actor {
    person(31, BENEFICIARY, &[Role::BeneficiaryUser])
}
fn regulator() -> Actor {
    person(51, Uuid::from_u128(0x5E), &[Role::Regulator])
}

fn noon(day: &str) -> DateTime<Utc> {
    Utc.from_utc_datetime(&date(day).and_hms_opt(12, 0, 0).unwrap())
}

struct Sim {
    state: Option<Credit>,
    events: Vec<Event>,
    now: DateTime<Utc>,
    levels: u8,
    calendar: BankingCalendar,
}

impl Sim {
    fn new() -> Self {
        Self {
            state: None,
            events: Vec::new(),
            now: noon("2026-03-02"),
            levels: 1,
            calendar: calendar(),
        }
    }

    fn run(&mut self, actor: Actor, command: Command) -> Result<Vec<Event>, RuleViolation> {
        let ctx = Context {
            now: self.now,
            actor,
            approval_levels: self.levels,
            calendar: &self.calendar,
        };
        let events = decide(self.state.as_ref(), &command, &ctx)?;
        for event in &events {
            self.state = apply(self.state.take(), event);
        }
        self.events.extend(events.clone());
        Ok(events)
    }

    fn ok(&mut self, actor: Actor, command: Command) -> Vec<Event> {
        match self.run(actor, command.clone()) {
            Ok(events) => events,
            Err(v) => panic!("{command:?} refused: {v}"),
        }
    }

    fn rule(&mut self, actor: Actor, command: Command) -> String {
        match self.run(actor, command.clone()) {
            Ok(events) => panic!("{command:?} allowed: {events:?}"),
            Err(v) => v.rule,
        }
    }

    fn credit(&self) -> &Credit {
        self.state.as_ref().unwrap()
    }

    fn next_id(&self) -> u32 {
        self.credit().next_action_id
    }

    /// Maker prepares, one checker releases (approval level 1).
    fn four_eyes(&mut self, maker: Actor, checker: Actor, action: ActionKind) -> Vec<Event> {
        let id = self.next_id();
        self.ok(maker, Command::Prepare { action });
        self.ok(checker, Command::Approve { action_id: id })
    }

    fn drafted(terms: CreditTerms) -> Self {
        let mut sim = Self::new();
        sim.ok(
            applicant_maker(),
            Command::Draft {
                credit_id: Uuid::from_u128(0xC0),
                terms: Box::new(terms),
                co_drafted_with_beneficiary: false,
            },
        );
        sim
    }

    fn issued(terms: CreditTerms) -> Self {
        let mut sim = Self::drafted(terms);
        sim.four_eyes(applicant_maker(), applicant_checker(), ActionKind::Submit);
        sim.four_eyes(issuing_maker(), issuing_checker(), ActionKind::Issue);
        assert_eq!(sim.credit().status, Status::Issued);
        sim
    }
}

fn confirmed_terms() -> CreditTerms {
    CreditTerms {
        confirmation: ConfirmationInstructions::MayAdd,
        requested_confirmation_party: Some(BankParty {
            organisation_id: Some(ADVISING),
            identifier: BankIdentifier::Bic {
                bic: Bic::parse("DBSSSGSG").unwrap(),
            },
        }),
        ..terms()
    }
}

fn amend(sim: &mut Sim, terms: CreditTerms, clause: Option<&str>) -> u32 {
    sim.four_eyes(
        applicant_maker(),
        applicant_checker(),
        ActionKind::ProposeAmendment {
            terms: Box::new(terms),
            deemed_acceptance_clause: clause.map(str::to_owned),
        },
    );
    let number = *sim.credit().amendments.keys().next_back().unwrap();
    sim.four_eyes(
        issuing_maker(),
        issuing_checker(),
        ActionKind::IssueAmendment { number },
    );
    number
}

#[test]
fn a_credit_is_drafted_submitted_issued_and_advised() {
    let mut sim = Sim::issued(terms());
    assert_eq!(sim.credit().issued_on, Some(date("2026-03-02")));
    sim.four_eyes(
        advising_maker(),
        advising_checker(),
        ActionKind::Advise {
            add_confirmation: false,
        },
    );
    assert_eq!(sim.credit().status, Status::Advised);
    assert_eq!(replay(&sim.events).as_ref(), sim.state.as_ref());
}

#[test]
fn four_eyes_the_maker_cannot_release_its_own_submission() {
    let mut sim = Sim::drafted(terms());
    let id = sim.next_id();
    sim.ok(
        applicant_both(),
        Command::Prepare {
            action: ActionKind::Submit,
        },
    );
    assert_eq!(
        sim.rule(applicant_both(), Command::Approve { action_id: id }),
        "four-eyes"
    );
    sim.ok(applicant_checker(), Command::Approve { action_id: id });
    assert_eq!(sim.credit().status, Status::Submitted);
}

#[test]
fn four_eyes_three_levels_need_three_distinct_checkers() {
    let mut sim = Sim::drafted(terms());
    sim.levels = 3;
    let id = sim.next_id();
    sim.ok(
        applicant_maker(),
        Command::Prepare {
            action: ActionKind::Submit,
        },
    );
    sim.ok(applicant_checker(), Command::Approve { action_id: id });
    assert_eq!(
        sim.rule(applicant_checker(), Command::Approve { action_id: id }),
        "four-eyes"
    );
    sim.ok(applicant_checker_2(), Command::Approve { action_id: id });
    assert_eq!(sim.credit().status, Status::Draft);
    sim.ok(applicant_both(), Command::Approve { action_id: id });
    assert_eq!(sim.credit().status, Status::Submitted);
}

#[test]
fn four_eyes_a_checker_sends_back_with_a_comment_and_the_draft_thaws() {
    let mut sim = Sim::drafted(terms());
    let id = sim.next_id();
    sim.ok(
        applicant_maker(),
        Command::Prepare {
            action: ActionKind::Submit,
        },
    );
    // frozen while awaiting approval
    assert_eq!(
        sim.rule(
            applicant_maker(),
            Command::UpdateDraft {
                terms: Box::new(terms())
            }
        ),
        "four-eyes"
    );
    assert_eq!(
        sim.rule(
            applicant_checker(),
            Command::SendBack {
                action_id: id,
                comment: " ".into()
            }
        ),
        "four-eyes"
    );
    sim.ok(
        applicant_checker(),
        Command::SendBack {
            action_id: id,
            comment: "wrong port".into(),
        },
    );
    assert!(sim.credit().pending.is_empty());
    sim.ok(
        applicant_maker(),
        Command::UpdateDraft {
            terms: Box::new(terms()),
        },
    );
}

#[test]
fn four_eyes_one_pending_action_per_matter() {
    let mut sim = Sim::drafted(terms());
    sim.ok(
        applicant_maker(),
        Command::Prepare {
            action: ActionKind::Submit,
        },
    );
    assert_eq!(
        sim.rule(
            applicant_both(),
            Command::Prepare {
                action: ActionKind::Submit
            }
        ),
        "four-eyes"
    );
}

#[test]
fn ucp600_art7_only_the_issuing_bank_issues_and_only_its_makers_prepare() {
    let mut sim = Sim::drafted(terms());
    sim.four_eyes(applicant_maker(), applicant_checker(), ActionKind::Submit);
    assert_eq!(
        sim.rule(
            advising_maker(),
            Command::Prepare {
                action: ActionKind::Issue
            }
        ),
        "party"
    );
    assert_eq!(
        sim.rule(
            issuing_checker(),
            Command::Prepare {
                action: ActionKind::Issue
            }
        ),
        "role"
    );
    assert_eq!(
        sim.rule(
            regulator(),
            Command::Prepare {
                action: ActionKind::Issue
            }
        ),
        "party"
    );
    let id = sim.next_id();
    sim.ok(
        issuing_maker(),
        Command::Prepare {
            action: ActionKind::Issue,
        },
    );
    assert_eq!(
        sim.rule(advising_checker(), Command::Approve { action_id: id }),
        "party"
    );
}

#[test]
fn swift_mt700_a_submission_with_broken_terms_names_the_field() {
    let mut broken = terms();
    broken.shipment_period = Some(text("MARCH 2026"));
    let mut sim = Sim::drafted(broken);
    assert_eq!(
        sim.rule(
            applicant_maker(),
            Command::Prepare {
                action: ActionKind::Submit
            }
        ),
        "SWIFT MT700 field 44D"
    );
}

#[test]
fn the_issuing_bank_returns_an_application_for_changes_and_the_applicant_resubmits() {
    let mut sim = Sim::drafted(terms());
    sim.four_eyes(applicant_maker(), applicant_checker(), ActionKind::Submit);
    sim.four_eyes(
        issuing_maker(),
        issuing_checker(),
        ActionKind::ReturnForChanges {
            comment: "add an inspection certificate".into(),
        },
    );
    assert_eq!(sim.credit().status, Status::ReturnedForChanges);
    let mut changed = terms();
    changed.documents_required = Some(text("+INSPECTION CERTIFICATE"));
    sim.ok(
        applicant_maker(),
        Command::UpdateDraft {
            terms: Box::new(changed),
        },
    );
    sim.four_eyes(applicant_maker(), applicant_checker(), ActionKind::Submit);
    sim.four_eyes(
        issuing_maker(),
        issuing_checker(),
        ActionKind::Reject {
            reason: "credit line exhausted".into(),
        },
    );
    assert_eq!(sim.credit().status, Status::Rejected);
}

#[test]
fn co_drafting_the_beneficiary_edits_only_when_invited() {
    let mut sim = Sim::drafted(terms());
    let edit = Command::UpdateDraft {
        terms: Box::new(terms()),
    };
    assert_eq!(sim.rule(beneficiary(), edit.clone()), "role");
    let mut sim = Sim::new();
    sim.ok(
        applicant_maker(),
        Command::Draft {
            credit_id: Uuid::from_u128(1),
            terms: Box::new(terms()),
            co_drafted_with_beneficiary: true,
        },
    );
    sim.ok(beneficiary(), edit);
    // the beneficiary never submits
    assert_eq!(
        sim.rule(
            beneficiary(),
            Command::Prepare {
                action: ActionKind::Submit
            }
        ),
        "party"
    );
}

#[test]
fn ucp600_art8_confirmation_only_when_asked_in_49_and_by_the_bank_in_58a() {
    let mut sim = Sim::issued(terms());
    assert_eq!(
        sim.rule(
            advising_maker(),
            Command::Prepare {
                action: ActionKind::Advise {
                    add_confirmation: true
                }
            }
        ),
        "SWIFT MT700 field 49"
    );
    let mut sim = Sim::issued(confirmed_terms());
    sim.four_eyes(
        advising_maker(),
        advising_checker(),
        ActionKind::Advise {
            add_confirmation: true,
        },
    );
    assert_eq!(sim.credit().confirming_bank, Some(ADVISING));
    assert_eq!(
        sim.rule(
            advising_maker(),
            Command::Prepare {
                action: ActionKind::AddConfirmation
            }
        ),
        "life cycle"
    );
}

#[test]
fn ucp600_art10b_the_original_terms_stand_until_the_beneficiary_accepts() {
    let mut sim = Sim::issued(terms());
    let mut more = terms();
    more.amount = usd("120000");
    let n = amend(&mut sim, more.clone(), None);
    assert_eq!(sim.credit().amendments[&n].status, AmendmentStatus::Issued);
    assert_eq!(sim.credit().terms, terms());
    sim.ok(
        beneficiary(),
        Command::RespondToAmendment {
            number: n,
            response: AmendmentResponse::Accept,
        },
    );
    assert_eq!(sim.credit().terms, more);
    assert_eq!(sim.credit().terms_version, 1);
    let changes = &sim.credit().amendments[&n].changes;
    assert_eq!(changes.len(), 1);
    assert_eq!(changes[0].tag, "32B");
}

#[test]
fn ucp600_art10a_a_confirming_bank_must_consent_too() {
    let mut sim = Sim::issued(confirmed_terms());
    sim.four_eyes(
        advising_maker(),
        advising_checker(),
        ActionKind::Advise {
            add_confirmation: true,
        },
    );
    let mut later = confirmed_terms();
    later.expiry.date = date("2027-03-31");
    let n = amend(&mut sim, later.clone(), None);
    sim.ok(
        beneficiary(),
        Command::RespondToAmendment {
            number: n,
            response: AmendmentResponse::Accept,
        },
    );
    assert_eq!(sim.credit().terms, confirmed_terms());
    sim.four_eyes(
        advising_maker(),
        advising_checker(),
        ActionKind::RespondToAmendment {
            number: n,
            response: AmendmentResponse::Accept,
        },
    );
    assert_eq!(sim.credit().terms, later);
}

#[test]
fn ucp600_art10e_partial_acceptance_is_rejection() {
    let mut sim = Sim::issued(terms());
    let mut changed = terms();
    changed.amount = usd("90000");
    changed.latest_shipment_date = Some(date("2026-11-01"));
    let n = amend(&mut sim, changed, None);
    let events = sim.ok(
        beneficiary(),
        Command::RespondToAmendment {
            number: n,
            response: AmendmentResponse::PartialAccept {
                accepted_fields: vec!["amount".into()],
            },
        },
    );
    assert!(matches!(
        events[0],
        Event::AmendmentRejected {
            partial_acceptance: true,
            ..
        }
    ));
    assert_eq!(
        sim.credit().amendments[&n].status,
        AmendmentStatus::Rejected
    );
    assert_eq!(sim.credit().terms, terms());
}

#[test]
fn ucp600_art10f_a_deemed_acceptance_clause_is_disregarded() {
    let mut sim = Sim::issued(terms());
    let mut changed = terms();
    changed.amount = usd("90000");
    let n = amend(
        &mut sim,
        changed,
        Some("DEEMED ACCEPTED UNLESS REJECTED WITHIN 5 DAYS"),
    );
    assert!(sim.credit().amendments[&n].deemed_acceptance_clause_disregarded);
    // weeks pass without an answer: nothing is accepted
    sim.now = noon("2026-05-01");
    let mut other = terms();
    other.charges = Some(text("ALL CHARGES FOR APPLICANT"));
    amend(&mut sim, other, None);
    assert_eq!(sim.credit().amendments[&n].status, AmendmentStatus::Issued);
    assert_eq!(sim.credit().terms, terms());
}

#[test]
fn ucp600_art10_several_amendments_are_pending_and_answered_each_on_its_own() {
    let mut sim = Sim::issued(terms());
    let mut first = terms();
    first.amount = usd("150000");
    let mut second = terms();
    second.expiry.date = date("2027-02-26");
    let one = amend(&mut sim, first, None);
    let two = amend(&mut sim, second, None);
    assert_eq!((one, two), (1, 2));
    sim.ok(
        beneficiary(),
        Command::RespondToAmendment {
            number: two,
            response: AmendmentResponse::Accept,
        },
    );
    sim.ok(
        beneficiary(),
        Command::RespondToAmendment {
            number: one,
            response: AmendmentResponse::Reject,
        },
    );
    assert_eq!(sim.credit().terms.amount, usd("100000"));
    assert_eq!(sim.credit().terms.expiry.date, date("2027-02-26"));
    assert_eq!(sim.credit().terms_version, 1);
}

#[test]
fn ucp600_art10b_an_amendment_not_yet_issued_cannot_be_accepted() {
    let mut sim = Sim::issued(terms());
    let mut changed = terms();
    changed.amount = usd("90000");
    sim.four_eyes(
        applicant_maker(),
        applicant_checker(),
        ActionKind::ProposeAmendment {
            terms: Box::new(changed),
            deemed_acceptance_clause: None,
        },
    );
    assert_eq!(
        sim.rule(
            beneficiary(),
            Command::RespondToAmendment {
                number: 1,
                response: AmendmentResponse::Accept
            }
        ),
        "UCP 600 art. 10"
    );
}

fn second_beneficiary() -> Party {
    Party {
        organisation_id: SECOND_BENEFICIARY,
        account: None,
        name_and_address: text("SUPPLIER PTE LTD\nJURONG"),
    }
}

fn transferable() -> CreditTerms {
    CreditTerms {
        form_of_credit: FormOfCredit::IrrevocableTransferable,
        ..terms()
    }
}

fn transferred(change: impl FnOnce(&mut CreditTerms)) -> CreditTerms {
    let mut t = transferable();
    t.beneficiary = second_beneficiary();
    change(&mut t);
    t
}

fn request_transfer(terms: CreditTerms) -> Command {
    Command::RequestTransfer {
        second_beneficiary: second_beneficiary(),
        terms: Box::new(terms),
    }
}

#[test]
fn ucp600_art38b_only_a_credit_designated_transferable_is_transferred() {
    let mut sim = Sim::issued(terms());
    let t = transferred(|_| {});
    assert_eq!(
        sim.rule(beneficiary(), request_transfer(t)),
        "UCP 600 art. 38(b)"
    );
}

#[test]
fn ucp600_art38g_only_the_listed_figures_may_be_reduced_shortened_or_raised() {
    let mut sim = Sim::issued(transferable());
    let more = transferred(|t| t.amount = usd("100000.01"));
    assert_eq!(
        sim.rule(beneficiary(), request_transfer(more)),
        "UCP 600 art. 38(g)"
    );
    let other_goods = transferred(|t| t.goods_description = Some(text("BICYCLES")));
    assert_eq!(
        sim.rule(beneficiary(), request_transfer(other_goods)),
        "UCP 600 art. 38(g)"
    );
    let later = transferred(|t| t.expiry.date = date("2027-01-31"));
    assert_eq!(
        sim.rule(beneficiary(), request_transfer(later)),
        "UCP 600 art. 38(g)"
    );
    let less_cover = transferred(|t| t.insurance_cover_percent = Some(100));
    assert_eq!(
        sim.rule(beneficiary(), request_transfer(less_cover)),
        "UCP 600 art. 38(g)"
    );

    let allowed = transferred(|t| {
        t.amount = usd("90000");
        t.unit_price = Some(usd("9"));
        t.expiry.date = date("2026-12-15");
        t.latest_shipment_date = Some(date("2026-11-15"));
        t.presentation_period = Some(super::terms::PresentationPeriod {
            days: 14,
            narrative: None,
        });
        t.insurance_cover_percent = Some(120);
        // UCP 600 art. 38(h)
        t.applicant.name_and_address = text("EXPORT LTD");
    });
    sim.ok(beneficiary(), request_transfer(allowed.clone()));
    sim.four_eyes(advising_maker(), advising_checker(), ActionKind::Transfer);
    let transfer = sim.credit().transfer.clone().unwrap();
    assert!(transfer.transferred_at.is_some());
    assert_eq!(transfer.terms, allowed);
    // the original credit is unchanged for the first beneficiary
    assert_eq!(sim.credit().terms, transferable());
}

#[test]
fn ucp600_art38d_a_credit_is_transferred_once_only() {
    let mut sim = Sim::issued(transferable());
    sim.ok(beneficiary(), request_transfer(transferred(|_| {})));
    sim.four_eyes(issuing_maker(), issuing_checker(), ActionKind::Transfer);
    assert_eq!(
        sim.rule(beneficiary(), request_transfer(transferred(|_| {}))),
        "UCP 600 art. 38(d)"
    );
}

#[test]
fn ucp600_art10a_cancelling_an_issued_credit_needs_the_beneficiarys_consent() {
    let mut sim = Sim::issued(terms());
    sim.four_eyes(applicant_maker(), applicant_checker(), ActionKind::Cancel);
    assert_eq!(sim.credit().status, Status::Issued);
    sim.four_eyes(
        issuing_maker(),
        issuing_checker(),
        ActionKind::RespondToCancellation { consent: true },
    );
    assert_eq!(sim.credit().status, Status::Issued);
    sim.ok(
        beneficiary(),
        Command::RespondToCancellation { consent: true },
    );
    assert_eq!(sim.credit().status, Status::Cancelled);
}

#[test]
fn ucp600_art10a_a_beneficiary_refusal_keeps_the_credit_alive() {
    let mut sim = Sim::issued(terms());
    sim.four_eyes(issuing_maker(), issuing_checker(), ActionKind::Cancel);
    sim.ok(
        beneficiary(),
        Command::RespondToCancellation { consent: false },
    );
    assert_eq!(sim.credit().status, Status::Issued);
    assert!(sim.credit().cancellation.is_none());
}

#[test]
fn before_issue_the_applicant_withdraws_with_four_eyes() {
    let mut sim = Sim::drafted(terms());
    sim.four_eyes(applicant_maker(), applicant_checker(), ActionKind::Cancel);
    assert_eq!(sim.credit().status, Status::Cancelled);
}

#[test]
fn ucp600_art29a_expiry_on_a_closed_day_moves_to_the_next_banking_day() {
    // 31 Dec 2026 and 1 Jan 2027 closed, then a weekend: Monday 4 Jan
    let mut sim = Sim::issued(terms());
    sim.now = noon("2027-01-10");
    assert_eq!(
        sim.rule(
            regulator(),
            Command::Expire {
                today: date("2027-01-04")
            }
        ),
        "UCP 600 art. 6(d)(i)"
    );
    assert_eq!(
        sim.rule(
            regulator(),
            Command::Expire {
                today: date("2027-01-11")
            }
        ),
        "clock"
    );
    let events = sim.ok(
        regulator(),
        Command::Expire {
            today: date("2027-01-05"),
        },
    );
    assert!(matches!(
        events[0],
        Event::Expired { last_day_for_presentation, .. } if last_day_for_presentation == date("2027-01-04")
    ));
    // closed: nothing more happens
    assert_eq!(
        sim.rule(
            beneficiary(),
            Command::RespondToCancellation { consent: true }
        ),
        "life cycle"
    );
}

#[test]
fn events_and_commands_are_canonical_json_without_floats() {
    fn no_floats(value: &serde_json::Value) -> bool {
        match value {
            serde_json::Value::Number(n) => !n.is_f64(),
            serde_json::Value::Array(items) => items.iter().all(no_floats),
            serde_json::Value::Object(map) => map.values().all(no_floats),
            _ => true,
        }
    }
    let mut sim = Sim::issued(transferable());
    let mut changed = transferable();
    changed.amount = usd("120000");
    let n = amend(&mut sim, changed, None);
    sim.ok(
        beneficiary(),
        Command::RespondToAmendment {
            number: n,
            response: AmendmentResponse::Accept,
        },
    );
    for event in &sim.events {
        let json = serde_json::to_value(event).unwrap();
        assert!(no_floats(&json), "{json}");
        assert!(json["event"].is_string());
        assert_eq!(&serde_json::from_value::<Event>(json).unwrap(), event);
    }
    let json = serde_json::to_value(&sim.events[0]).unwrap();
    assert_eq!(json["event"], "drafted");
    assert_eq!(json["terms"]["amount"]["value"], "100000.00");
    let command = Command::Prepare {
        action: ActionKind::Advise {
            add_confirmation: false,
        },
    };
    let json = serde_json::to_value(&command).unwrap();
    assert_eq!(json["command"], "prepare");
    assert_eq!(json["action"]["action"], "advise");
    assert_eq!(serde_json::from_value::<Command>(json).unwrap(), command);
}

// ---- property tests over random command sequences ----

fn cast() -> Vec<Actor> {
    vec![
        applicant_maker(),
        applicant_checker(),
        applicant_checker_2(),
        applicant_both(),
        issuing_maker(),
        issuing_checker(),
        issuing_checker_2(),
        advising_maker(),
        advising_checker(),
        beneficiary(),
        person(41, SECOND_BENEFICIARY, &[Role::BeneficiaryUser]),
        regulator(),
    ]
}

#[derive(Debug, Clone)]
enum Op {
    Prepare(u8),
    Approve(u32),
    SendBack(u32),
    AnswerAmendment(u32, u8),
    AnswerCancellation(bool),
    RequestTransfer(u8),
    UpdateDraft,
    Expire(u8),
}

fn any_op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (0u8..16).prop_map(Op::Prepare),
        5 => (1u32..8).prop_map(Op::Approve),
        1 => (1u32..8).prop_map(Op::SendBack),
        2 => ((1u32..4), (0u8..3)).prop_map(|(n, r)| Op::AnswerAmendment(n, r)),
        1 => any::<bool>().prop_map(Op::AnswerCancellation),
        1 => (0u8..3).prop_map(Op::RequestTransfer),
        1 => Just(Op::UpdateDraft),
        1 => (0u8..80).prop_map(Op::Expire),
    ]
}

fn action_for(choice: u8) -> ActionKind {
    let mut bigger = proptest_terms();
    bigger.amount = usd("130000");
    let mut smaller = proptest_terms();
    smaller.amount = usd("50000");
    match choice {
        0 | 1 => ActionKind::Submit,
        2 | 3 => ActionKind::Issue,
        4 => ActionKind::ReturnForChanges {
            comment: "fix it".into(),
        },
        5 => ActionKind::Reject {
            reason: "no".into(),
        },
        6 => ActionKind::Advise {
            add_confirmation: true,
        },
        7 => ActionKind::Advise {
            add_confirmation: false,
        },
        8 => ActionKind::ProposeAmendment {
            terms: Box::new(bigger),
            deemed_acceptance_clause: Some("DEEMED ACCEPTED".into()),
        },
        9 => ActionKind::ProposeAmendment {
            terms: Box::new(smaller),
            deemed_acceptance_clause: None,
        },
        10 | 11 => ActionKind::IssueAmendment {
            number: u32::from(choice) - 9,
        },
        12 => ActionKind::RespondToAmendment {
            number: 1,
            response: AmendmentResponse::Accept,
        },
        13 => ActionKind::Cancel,
        14 => ActionKind::RespondToCancellation { consent: true },
        _ => ActionKind::Transfer,
    }
}

fn proptest_terms() -> CreditTerms {
    CreditTerms {
        form_of_credit: FormOfCredit::IrrevocableTransferable,
        ..confirmed_terms()
    }
}

/// The actor an op is most likely meant for, or any member of the cast.
fn pick_actor(state: Option<&Credit>, op: &Op, choice: u8) -> Actor {
    let cast = cast();
    if choice >= 200 {
        return cast[usize::from(choice) % cast.len()].clone();
    }
    let checkers_of = |org: Uuid| -> Vec<Actor> {
        cast.iter()
            .filter(|a| {
                a.organisation_id == org
                    && (a.has(Role::BankChecker) || a.has(Role::ApplicantChecker))
            })
            .cloned()
            .collect()
    };
    let pool: Vec<Actor> = match op {
        Op::Approve(id) | Op::SendBack(id) => state
            .and_then(|c| c.pending.get(id))
            .map(|p| checkers_of(p.organisation_id))
            .unwrap_or_default(),
        Op::Prepare(k) => match action_for(*k) {
            ActionKind::Submit | ActionKind::ProposeAmendment { .. } | ActionKind::Cancel => {
                vec![applicant_maker(), applicant_both()]
            }
            ActionKind::Advise { .. } | ActionKind::RespondToAmendment { .. } => {
                vec![advising_maker()]
            }
            ActionKind::Transfer => vec![advising_maker(), issuing_maker()],
            _ => vec![issuing_maker()],
        },
        Op::UpdateDraft => vec![applicant_maker()],
        _ => vec![beneficiary()],
    };
    if pool.is_empty() {
        cast[usize::from(choice) % cast.len()].clone()
    } else {
        pool[usize::from(choice) % pool.len()].clone()
    }
}

fn command_for(op: &Op) -> Command {
    match op {
        Op::Prepare(k) => Command::Prepare {
            action: action_for(*k),
        },
        Op::Approve(id) => Command::Approve { action_id: *id },
        Op::SendBack(id) => Command::SendBack {
            action_id: *id,
            comment: "again".into(),
        },
        Op::AnswerAmendment(number, r) => Command::RespondToAmendment {
            number: *number,
            response: match r {
                0 => AmendmentResponse::Accept,
                1 => AmendmentResponse::Reject,
                _ => AmendmentResponse::PartialAccept {
                    accepted_fields: vec!["amount".into()],
                },
            },
        },
        Op::AnswerCancellation(consent) => Command::RespondToCancellation { consent: *consent },
        Op::RequestTransfer(k) => {
            let mut t = proptest_terms();
            t.beneficiary = second_beneficiary();
            match k {
                0 => t.amount = usd("60000"),
                1 => t.amount = usd("160000"),
                _ => t.port_of_loading = Some(text("PORT KLANG")),
            }
            Command::RequestTransfer {
                second_beneficiary: second_beneficiary(),
                terms: Box::new(t),
            }
        }
        Op::UpdateDraft => Command::UpdateDraft {
            terms: Box::new(proptest_terms()),
        },
        Op::Expire(offset) => Command::Expire {
            today: date("2026-12-20") + chrono::Days::new(u64::from(*offset)),
        },
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn any_command_sequence_keeps_the_credit_invariants(
        steps in proptest::collection::vec((any_op(), any::<u8>(), 1u8..=3), 1..80)
    ) {
        let calendar = calendar();
        let mut state: Option<Credit> = None;
        let mut log: Vec<Event> = Vec::new();
        let draft = Command::Draft {
            credit_id: Uuid::from_u128(7),
            terms: Box::new(proptest_terms()),
            co_drafted_with_beneficiary: true,
        };
        let first_ctx = Context { now: noon("2026-03-02"), actor: applicant_maker(), approval_levels: 1, calendar: &calendar };
        for event in decide(None, &draft, &first_ctx).unwrap() {
            state = apply(state, &event);
            log.push(event);
        }
        for (op, choice, levels) in steps {
            let before = state.clone().unwrap();
            let now = match op {
                Op::Expire(_) => noon("2027-03-31"),
                _ => noon("2026-03-02"),
            };
            let ctx = Context {
                now,
                actor: pick_actor(state.as_ref(), &op, choice),
                approval_levels: levels,
                calendar: &calendar,
            };
            let result = decide(state.as_ref(), &command_for(&op), &ctx);
            // a closed credit accepts nothing
            if before.status.is_closed() {
                prop_assert!(result.is_err());
                continue;
            }
            let Ok(events) = result else { continue };
            let mut after = Some(before.clone());
            for event in &events {
                if let Event::ActionApproved { action_id, checker, .. } = event {
                    // the maker never checks its own action
                    let pending = after.as_ref().and_then(|c| c.pending.get(action_id));
                    prop_assert!(pending.is_some());
                    if let Some(pending) = pending {
                        prop_assert!(!pending.maker.same_actor(checker));
                        prop_assert!(!pending.approvals.iter().any(|a| a.same_actor(checker)));
                    }
                }
                after = apply(after, event);
                log.push(event.clone());
            }
            let after = after.unwrap();
            // terms of an issued credit change only with every consent
            if before.status.is_issued() && after.terms != before.terms {
                let amended = events.iter().find_map(|e| match e {
                    Event::TermsAmended { number, .. } => Some(*number),
                    _ => None,
                });
                prop_assert!(amended.is_some());
                let amendment = &after.amendments[&amended.unwrap()];
                prop_assert_eq!(amendment.status, AmendmentStatus::Accepted);
                prop_assert!(amendment.consents.is_superset(&amendment.consents_required));
                prop_assert!(amendment.consents_required.contains(&Consenter::Beneficiary));
                if after.confirming_bank.is_some() && before.confirming_bank.is_some() {
                    prop_assert!(amendment.consents_required.contains(&Consenter::ConfirmingBank));
                }
            }
            // amounts never become negative
            prop_assert!(after.terms.amount.value() > rust_decimal::Decimal::ZERO);
            if let Some(transfer) = &after.transfer {
                prop_assert!(transfer.terms.amount.value() > rust_decimal::Decimal::ZERO);
                prop_assert!(transfer.terms.amount.value() <= after.terms.amount.value()
                    || after.terms_version > 0);
            }
            for pending in after.pending.values() {
                prop_assert!(!pending.approvals.iter().any(|a| a.same_actor(&pending.maker)));
            }
            state = Some(after);
        }
        // the fold is the state
        prop_assert_eq!(replay(&log), state);
    }
}

#[test]
fn property_cast_reaches_deep_states() {
    // guards the generator: a scripted run through pick_actor reaches
    // issue, advice with confirmation and an accepted amendment
    let calendar = calendar();
    let mut state = None;
    let script = [
        (Op::Prepare(0), 0),
        (Op::Approve(1), 0),
        (Op::Prepare(2), 0),
        (Op::Approve(2), 1),
        (Op::Prepare(6), 0),
        (Op::Approve(3), 0),
        (Op::Prepare(8), 1),
        (Op::Approve(4), 1),
        (Op::Prepare(10), 0),
        (Op::Approve(5), 0),
        (Op::AnswerAmendment(1, 0), 0),
        (Op::Prepare(12), 0),
        (Op::Approve(6), 0),
    ];
    let draft = Command::Draft {
        credit_id: Uuid::from_u128(7),
        terms: Box::new(proptest_terms()),
        co_drafted_with_beneficiary: false,
    };
    let ctx = Context {
        now: noon("2026-03-02"),
        actor: applicant_maker(),
        approval_levels: 1,
        calendar: &calendar,
    };
    for event in decide(None, &draft, &ctx).unwrap() {
        state = apply(state, &event);
    }
    for (op, choice) in script {
        let ctx = Context {
            actor: pick_actor(state.as_ref(), &op, choice),
            ..ctx.clone()
        };
        let events = decide(state.as_ref(), &command_for(&op), &ctx)
            .unwrap_or_else(|v| panic!("{op:?}: {v}"));
        for event in &events {
            state = apply(state, event);
        }
    }
    let credit: Credit = state.unwrap();
    assert_eq!(credit.status, Status::Advised);
    assert_eq!(credit.confirming_bank, Some(ADVISING));
    assert_eq!(credit.terms.amount, usd("130000"));
    assert_eq!(
        credit.amendments[&1].consents,
        BTreeSet::from([Consenter::Beneficiary, Consenter::ConfirmingBank])
    );
    let _: NaiveDate = credit.issued_on.unwrap();
}
