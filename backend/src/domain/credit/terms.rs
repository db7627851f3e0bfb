//! The terms of a documentary credit, field by field as MT700 carries them
//! (LC-RULES.md, "MT700 fields"), with the parties as organisations of the
//! platform.
//!
//! Each field holds a typed value (an [`Amount`], a [`SwiftText`], a code
//! list), so a malformed value cannot be stored. Rules that depend on the
//! field's own format or on several fields together are checked by
//! [`CreditTerms::validate`], which returns every violation at once so the
//! applicant can fix the application in one pass. A draft may be saved with
//! violations; it cannot be submitted or issued with any.
//!
//! Field 27 (sequence of total) and 31C (date of issue) are not terms: the
//! renderer numbers the MT700/MT701 messages, and the date of issue is the
//! day the issuing bank releases the credit (`Event::Issued`).

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::money::{Amount, Tolerance};
use super::swift::{Charset, FieldTag, SwiftText, TextFormat};
use super::{FieldChange, RuleViolation};
use crate::domain::identifiers::Bic;

const fn tag(tag: &'static str, path: &'static str) -> FieldTag {
    FieldTag::new("MT700", tag, path)
}

pub const F20: FieldTag = tag("20", "terms.credit_number");
pub const F23: FieldTag = tag("23", "terms.pre_advice_reference");
pub const F31D: FieldTag = tag("31D", "terms.expiry");
pub const F32B: FieldTag = tag("32B", "terms.amount");
pub const F39C: FieldTag = tag("39C", "terms.additional_amounts");
pub const F40A: FieldTag = tag("40A", "terms.form_of_credit");
pub const F40E: FieldTag = tag("40E", "terms.applicable_rules");
pub const F41A: FieldTag = tag("41a", "terms.available_with");
pub const F42C: FieldTag = tag("42C", "terms.drafts_at");
pub const F42A: FieldTag = tag("42a", "terms.drawee");
pub const F42M: FieldTag = tag("42M", "terms.mixed_payment_details");
pub const F42P: FieldTag = tag("42P", "terms.deferred_payment_details");
pub const F44A: FieldTag = tag("44A", "terms.place_of_dispatch");
pub const F44B: FieldTag = tag("44B", "terms.place_of_final_destination");
pub const F44C: FieldTag = tag("44C", "terms.latest_shipment_date");
pub const F44D: FieldTag = tag("44D", "terms.shipment_period");
pub const F44E: FieldTag = tag("44E", "terms.port_of_loading");
pub const F44F: FieldTag = tag("44F", "terms.port_of_discharge");
pub const F45A: FieldTag = tag("45A", "terms.goods_description");
pub const F46A: FieldTag = tag("46A", "terms.documents_required");
pub const F47A: FieldTag = tag("47A", "terms.additional_conditions");
pub const F48: FieldTag = tag("48", "terms.presentation_period");
pub const F49: FieldTag = tag("49", "terms.confirmation");
pub const F49G: FieldTag = tag("49G", "terms.special_payment_conditions_beneficiary");
pub const F49H: FieldTag = tag("49H", "terms.special_payment_conditions_bank");
pub const F50: FieldTag = tag("50", "terms.applicant");
pub const F51A: FieldTag = tag("51a", "terms.applicant_bank");
pub const F53A: FieldTag = tag("53a", "terms.reimbursing_bank");
pub const F57A: FieldTag = tag("57a", "terms.advise_through_bank");
pub const F58A: FieldTag = tag("58a", "terms.requested_confirmation_party");
pub const F59: FieldTag = tag("59", "terms.beneficiary");
pub const F71D: FieldTag = tag("71D", "terms.charges");
pub const F72Z: FieldTag = tag("72Z", "terms.sender_to_receiver_information");
pub const F78: FieldTag = tag("78", "terms.instructions_to_bank");

const X16: TextFormat = TextFormat::new(1, 16, Charset::X);
const X29: TextFormat = TextFormat::new(1, 29, Charset::X);
const X34: TextFormat = TextFormat::new(1, 34, Charset::X);
const X35: TextFormat = TextFormat::new(1, 35, Charset::X);
const X65: TextFormat = TextFormat::new(1, 65, Charset::X);
const X3_35: TextFormat = TextFormat::new(3, 35, Charset::X);
const X4_35: TextFormat = TextFormat::new(4, 35, Charset::X);
const X6_65: TextFormat = TextFormat::new(6, 65, Charset::X);
const X12_65: TextFormat = TextFormat::new(12, 65, Charset::X);
const Z6_35: TextFormat = TextFormat::new(6, 35, Charset::Z);
const Z100_65: TextFormat = TextFormat::new(100, 65, Charset::Z);

/// The default period for presentation after shipment (UCP 600 art. 14(c)).
pub const DEFAULT_PRESENTATION_DAYS: u16 = 21;

/// Field 40A, form of documentary credit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FormOfCredit {
    Irrevocable,
    /// UCP 600 art. 38(b): only a credit that says so may be transferred.
    IrrevocableTransferable,
}

impl FormOfCredit {
    pub fn code(self) -> &'static str {
        match self {
            Self::Irrevocable => "IRREVOCABLE",
            Self::IrrevocableTransferable => "IRREVOCABLE TRANSFERABLE",
        }
    }

    pub fn parse_40a(text: &str) -> Result<Self, RuleViolation> {
        match text {
            "IRREVOCABLE" => Ok(Self::Irrevocable),
            "IRREVOCABLE TRANSFERABLE" => Ok(Self::IrrevocableTransferable),
            other => Err(F40A.violation(format!(
                "`{other}` is not a form of credit (IRREVOCABLE, IRREVOCABLE TRANSFERABLE); a credit is irrevocable (UCP 600 art. 3)"
            ))),
        }
    }
}

/// Field 40E, applicable rules (`30x[/35x]`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum ApplicableRules {
    UcpLatestVersion,
    EucpLatestVersion,
    UcpurrLatestVersion,
    EucpurrLatestVersion,
    /// OTHR: the rules are named in the narrative.
    Other {
        narrative: SwiftText,
    },
}

impl ApplicableRules {
    pub fn code(&self) -> &'static str {
        match self {
            Self::UcpLatestVersion => "UCP LATEST VERSION",
            Self::EucpLatestVersion => "EUCP LATEST VERSION",
            Self::UcpurrLatestVersion => "UCPURR LATEST VERSION",
            Self::EucpurrLatestVersion => "EUCPURR LATEST VERSION",
            Self::Other { .. } => "OTHR",
        }
    }

    /// Parses `CODE[/narrative]`. The narrative is only allowed with OTHR.
    pub fn parse_40e(text: &str) -> Result<Self, RuleViolation> {
        let (code, narrative) = match text.split_once('/') {
            Some((code, narrative)) => (code, Some(narrative)),
            None => (text, None),
        };
        let rules = match (code, narrative) {
            ("OTHR", Some(narrative)) => Self::Other {
                narrative: SwiftText::parse(&F40E, narrative, X35)
                    .map_err(|v| v.into_iter().next().unwrap_or_else(|| F40E.violation("")))?,
            },
            ("OTHR", None) => {
                return Err(F40E.violation("OTHR needs a narrative naming the rules"));
            }
            (_, Some(_)) => {
                return Err(F40E.violation("a narrative is only allowed with OTHR"));
            }
            ("UCP LATEST VERSION", None) => Self::UcpLatestVersion,
            ("EUCP LATEST VERSION", None) => Self::EucpLatestVersion,
            ("UCPURR LATEST VERSION", None) => Self::UcpurrLatestVersion,
            ("EUCPURR LATEST VERSION", None) => Self::EucpurrLatestVersion,
            ("ISP LATEST VERSION", None) => {
                return Err(RuleViolation::new(
                    "SWIFT SR2021 MT700 field 40E",
                    "standby credits subject to ISP98 are issued by MT760, not MT700",
                )
                .at(F40E.path));
            }
            (other, None) => {
                return Err(F40E.violation(format!("`{other}` is not an applicable-rules code")));
            }
        };
        Ok(rules)
    }
}

/// Field 31D: date and place of expiry (`6!n29x`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Expiry {
    pub date: NaiveDate,
    pub place: SwiftText,
}

/// A corporate party: the applicant (50) or beneficiary (59), an
/// organisation of the platform plus the name and address the message
/// carries.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Party {
    pub organisation_id: Uuid,
    /// Only field 59 carries an account (`/34x`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<SwiftText>,
    pub name_and_address: SwiftText,
}

/// How a bank field (51a, 42a, 53a, 57a, 58a) names the bank: option A
/// (BIC), B (location) or D (name and address).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "option", rename_all = "snake_case")]
pub enum BankIdentifier {
    /// Option A.
    Bic { bic: Bic },
    /// Option B, only in 57a.
    Location { location: SwiftText },
    /// Option D, `4*35x`.
    NameAndAddress { name_and_address: SwiftText },
}

/// A bank named in the terms. `organisation_id` is set when the bank is on
/// the platform; a bank off the platform is reached by SWIFT only.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct BankParty {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organisation_id: Option<Uuid>,
    pub identifier: BankIdentifier,
}

/// Field 41a, "available with ... by ...".
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Availability {
    pub with: AvailableWith,
    pub by: AvailableBy,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AvailableWith {
    /// "ANY BANK" (option D), a freely negotiable credit.
    AnyBank,
    /// The nominated bank (UCP 600 art. 2, 6(a)).
    Bank { bank: BankParty },
}

/// UCP 600 art. 6(b): sight payment, deferred payment, acceptance or
/// negotiation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AvailableBy {
    ByPayment,
    ByAcceptance,
    ByNegotiation,
    ByDefPayment,
    ByMixedPymt,
}

impl AvailableBy {
    pub fn code(self) -> &'static str {
        match self {
            Self::ByPayment => "BY PAYMENT",
            Self::ByAcceptance => "BY ACCEPTANCE",
            Self::ByNegotiation => "BY NEGOTIATION",
            Self::ByDefPayment => "BY DEF PAYMENT",
            Self::ByMixedPymt => "BY MIXED PYMT",
        }
    }
}

/// Fields 43P and 43T.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ShipmentPermission {
    Allowed,
    Conditional,
    NotAllowed,
}

impl ShipmentPermission {
    pub fn code(self) -> &'static str {
        match self {
            Self::Allowed => "ALLOWED",
            Self::Conditional => "CONDITIONAL",
            Self::NotAllowed => "NOT ALLOWED",
        }
    }
}

/// Field 49, confirmation instructions (UCP 600 art. 8).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConfirmationInstructions {
    Confirm,
    MayAdd,
    Without,
}

impl ConfirmationInstructions {
    pub fn code(self) -> &'static str {
        match self {
            Self::Confirm => "CONFIRM",
            Self::MayAdd => "MAY ADD",
            Self::Without => "WITHOUT",
        }
    }

    pub fn confirmation_requested(self) -> bool {
        !matches!(self, Self::Without)
    }
}

/// Field 48 (`3n[/35x]`): days after shipment within which documents must
/// be presented.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PresentationPeriod {
    pub days: u16,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub narrative: Option<SwiftText>,
}

/// The terms of a documentary credit (MT700). Field names are the API's and
/// the events'; the MT700 tag of each is in its `F..` constant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreditTerms {
    /// The bank that issues (sender of the MT700).
    pub issuing_bank: Uuid,
    /// The bank that advises (receiver of the MT700, UCP 600 art. 9).
    pub advising_bank: Uuid,
    pub form_of_credit: FormOfCredit,
    pub credit_number: SwiftText,
    #[serde(default)]
    pub pre_advice_reference: Option<SwiftText>,
    pub applicable_rules: ApplicableRules,
    pub expiry: Expiry,
    #[serde(default)]
    pub applicant_bank: Option<BankParty>,
    pub applicant: Party,
    pub beneficiary: Party,
    pub amount: Amount,
    #[serde(default)]
    pub tolerance: Option<Tolerance>,
    #[serde(default)]
    pub additional_amounts: Option<SwiftText>,
    pub available_with: Availability,
    #[serde(default)]
    pub drafts_at: Option<SwiftText>,
    #[serde(default)]
    pub drawee: Option<BankParty>,
    #[serde(default)]
    pub mixed_payment_details: Option<SwiftText>,
    #[serde(default)]
    pub deferred_payment_details: Option<SwiftText>,
    #[serde(default)]
    pub partial_shipments: Option<ShipmentPermission>,
    #[serde(default)]
    pub transhipment: Option<ShipmentPermission>,
    #[serde(default)]
    pub place_of_dispatch: Option<SwiftText>,
    #[serde(default)]
    pub port_of_loading: Option<SwiftText>,
    #[serde(default)]
    pub port_of_discharge: Option<SwiftText>,
    #[serde(default)]
    pub place_of_final_destination: Option<SwiftText>,
    #[serde(default)]
    pub latest_shipment_date: Option<NaiveDate>,
    #[serde(default)]
    pub shipment_period: Option<SwiftText>,
    #[serde(default)]
    pub goods_description: Option<SwiftText>,
    #[serde(default)]
    pub documents_required: Option<SwiftText>,
    #[serde(default)]
    pub additional_conditions: Option<SwiftText>,
    #[serde(default)]
    pub special_payment_conditions_beneficiary: Option<SwiftText>,
    #[serde(default)]
    pub special_payment_conditions_bank: Option<SwiftText>,
    #[serde(default)]
    pub charges: Option<SwiftText>,
    #[serde(default)]
    pub presentation_period: Option<PresentationPeriod>,
    pub confirmation: ConfirmationInstructions,
    #[serde(default)]
    pub requested_confirmation_party: Option<BankParty>,
    #[serde(default)]
    pub reimbursing_bank: Option<BankParty>,
    #[serde(default)]
    pub instructions_to_bank: Option<SwiftText>,
    #[serde(default)]
    pub advise_through_bank: Option<BankParty>,
    #[serde(default)]
    pub sender_to_receiver_information: Option<SwiftText>,
    /// Structured copy of the unit price stated in 45A, so a transfer can
    /// be checked against it (UCP 600 art. 38(g)).
    #[serde(default)]
    pub unit_price: Option<Amount>,
    /// Insurance cover in percent of the value, as 46A requires it (UCP
    /// 600 art. 28(f)); the one figure a transfer may raise (38(g)).
    #[serde(default)]
    pub insurance_cover_percent: Option<u16>,
}

fn push_all(violations: &mut Vec<RuleViolation>, more: Vec<RuleViolation>) {
    violations.extend(more);
}

fn check_text(
    violations: &mut Vec<RuleViolation>,
    field: &FieldTag,
    text: Option<&SwiftText>,
    format: TextFormat,
) {
    if let Some(text) = text {
        push_all(violations, text.check(field, format));
    }
}

fn check_reference(violations: &mut Vec<RuleViolation>, field: &FieldTag, text: &SwiftText) {
    push_all(violations, text.check(field, X16));
    let value = text.as_str();
    // SWIFT network validated rule T26
    if value.starts_with('/') || value.ends_with('/') || value.contains("//") {
        violations.push(field.violation(
            "a reference must not start or end with '/' nor contain '//' (network rule T26)",
        ));
    }
}

fn check_bank(
    violations: &mut Vec<RuleViolation>,
    field: &FieldTag,
    bank: Option<&BankParty>,
    option_b_allowed: bool,
) {
    let Some(bank) = bank else { return };
    match &bank.identifier {
        BankIdentifier::Bic { .. } => {}
        BankIdentifier::Location { location } => {
            if option_b_allowed {
                push_all(violations, location.check(field, X35));
            } else {
                violations.push(field.violation("only options A and D are allowed here"));
            }
        }
        BankIdentifier::NameAndAddress { name_and_address } => {
            push_all(violations, name_and_address.check(field, X4_35));
        }
    }
}

impl CreditTerms {
    /// The period for presentation after shipment: field 48, or 21 days
    /// (UCP 600 art. 14(c)).
    pub fn presentation_days(&self) -> u16 {
        self.presentation_period
            .as_ref()
            .map_or(DEFAULT_PRESENTATION_DAYS, |p| p.days)
    }

    pub fn is_transferable(&self) -> bool {
        self.form_of_credit == FormOfCredit::IrrevocableTransferable
    }

    /// The nominated bank, if it is an organisation of the platform.
    pub fn nominated_bank(&self) -> Option<Uuid> {
        match &self.available_with.with {
            AvailableWith::AnyBank => None,
            AvailableWith::Bank { bank } => bank.organisation_id,
        }
    }

    /// The bank asked to add its confirmation (58a), if on the platform.
    pub fn requested_confirming_bank(&self) -> Option<Uuid> {
        self.requested_confirmation_party
            .as_ref()
            .and_then(|bank| bank.organisation_id)
    }

    /// Every way these terms break the MT700 format, the SWIFT network
    /// rules or UCP 600; empty when they may be issued.
    pub fn validate(&self) -> Vec<RuleViolation> {
        let mut v = Vec::new();
        check_reference(&mut v, &F20, &self.credit_number);
        if let Some(reference) = &self.pre_advice_reference {
            check_reference(&mut v, &F23, reference);
        }
        if let ApplicableRules::Other { narrative } = &self.applicable_rules {
            push_all(&mut v, narrative.check(&F40E, X35));
        }
        push_all(&mut v, self.expiry.place.check(&F31D, X29));
        check_bank(&mut v, &F51A, self.applicant_bank.as_ref(), false);

        push_all(&mut v, self.applicant.name_and_address.check(&F50, X4_35));
        if self.applicant.account.is_some() {
            v.push(F50.violation("field 50 carries no account; only 59 does"));
        }
        push_all(&mut v, self.beneficiary.name_and_address.check(&F59, X4_35));
        check_text(&mut v, &F59, self.beneficiary.account.as_ref(), X34);
        if self.applicant.organisation_id == self.beneficiary.organisation_id {
            v.push(
                RuleViolation::new(
                    "UCP 600 art. 2",
                    "the applicant and the beneficiary must be different parties",
                )
                .at(F59.path),
            );
        }

        check_text(&mut v, &F39C, self.additional_amounts.as_ref(), X4_35);
        if let AvailableWith::Bank { bank } = &self.available_with.with {
            check_bank(&mut v, &F41A, Some(bank), false);
        }
        self.validate_payment_fields(&mut v);

        check_text(&mut v, &F44A, self.place_of_dispatch.as_ref(), X65);
        check_text(&mut v, &F44E, self.port_of_loading.as_ref(), X65);
        check_text(&mut v, &F44F, self.port_of_discharge.as_ref(), X65);
        check_text(&mut v, &F44B, self.place_of_final_destination.as_ref(), X65);
        check_text(&mut v, &F44D, self.shipment_period.as_ref(), X6_65);
        if self.latest_shipment_date.is_some() && self.shipment_period.is_some() {
            v.push(F44D.violation(
                "44C (latest date of shipment) and 44D (shipment period) are mutually exclusive (network rule C1)",
            ));
        }
        if let Some(latest) = self.latest_shipment_date
            && latest > self.expiry.date
        {
            v.push(
                RuleViolation::new(
                    "UCP 600 art. 14(c)",
                    format!(
                        "the latest shipment date {latest} is after the expiry date {}; documents could never be presented in time",
                        self.expiry.date
                    ),
                )
                .at(F44C.path),
            );
        }

        check_text(&mut v, &F45A, self.goods_description.as_ref(), Z100_65);
        check_text(&mut v, &F46A, self.documents_required.as_ref(), Z100_65);
        check_text(&mut v, &F47A, self.additional_conditions.as_ref(), Z100_65);
        check_text(
            &mut v,
            &F49G,
            self.special_payment_conditions_beneficiary.as_ref(),
            Z100_65,
        );
        check_text(
            &mut v,
            &F49H,
            self.special_payment_conditions_bank.as_ref(),
            Z100_65,
        );
        check_text(&mut v, &F71D, self.charges.as_ref(), Z6_35);

        if let Some(period) = &self.presentation_period {
            if !(1..=999).contains(&period.days) {
                v.push(F48.violation(format!(
                    "the period for presentation is 1 to 999 days (3n), not {}",
                    period.days
                )));
            }
            check_text(&mut v, &F48, period.narrative.as_ref(), X35);
        }

        let requested = self.confirmation.confirmation_requested();
        match (requested, &self.requested_confirmation_party) {
            (true, None) => v.push(F58A.violation(format!(
                "field 49 is {}, so 58a must name the bank requested to confirm",
                self.confirmation.code()
            ))),
            (false, Some(_)) => {
                v.push(F58A.violation("field 49 is WITHOUT, so no confirmation party may be named"))
            }
            _ => {}
        }
        check_bank(
            &mut v,
            &F58A,
            self.requested_confirmation_party.as_ref(),
            false,
        );
        check_bank(&mut v, &F53A, self.reimbursing_bank.as_ref(), false);
        check_text(&mut v, &F78, self.instructions_to_bank.as_ref(), X12_65);
        check_bank(&mut v, &F57A, self.advise_through_bank.as_ref(), true);
        check_text(
            &mut v,
            &F72Z,
            self.sender_to_receiver_information.as_ref(),
            Z6_35,
        );

        if let Some(price) = &self.unit_price
            && price.currency() != self.amount.currency()
        {
            v.push(
                RuleViolation::new(
                    "UCP 600 art. 18(a)(iii)",
                    "the unit price must be in the currency of the credit",
                )
                .at("terms.unit_price"),
            );
        }
        if self.insurance_cover_percent == Some(0) {
            v.push(
                RuleViolation::new(
                    "UCP 600 art. 28(f)",
                    "an insurance cover of 0 % is no cover",
                )
                .at("terms.insurance_cover_percent"),
            );
        }
        v
    }

    /// 41a, 42C/42a, 42M, 42P together, and UCP 600 art. 6(c).
    fn validate_payment_fields(&self, v: &mut Vec<RuleViolation>) {
        check_text(v, &F42C, self.drafts_at.as_ref(), X3_35);
        check_bank(v, &F42A, self.drawee.as_ref(), false);
        check_text(v, &F42M, self.mixed_payment_details.as_ref(), X4_35);
        check_text(v, &F42P, self.deferred_payment_details.as_ref(), X4_35);

        let drafts = self.drafts_at.is_some() || self.drawee.is_some();
        if self.drafts_at.is_some() != self.drawee.is_some() {
            v.push(F42A.violation(
                "42C (drafts at) and 42a (drawee) are used together or not at all (network rule C2)",
            ));
        }
        let combinations = [
            drafts,
            self.mixed_payment_details.is_some(),
            self.deferred_payment_details.is_some(),
        ];
        if combinations.iter().filter(|&&present| present).count() > 1 {
            v.push(F42M.violation(
                "only one of 42C/42a together, 42M alone or 42P alone may be present (network rule C3)",
            ));
        }
        match self.available_with.by {
            AvailableBy::ByDefPayment if self.deferred_payment_details.is_none() => {
                v.push(F42P.violation(
                    "a credit available by deferred payment states how the maturity is determined (UCP 600 art. 7(a)(iii))",
                ));
            }
            AvailableBy::ByMixedPymt if self.mixed_payment_details.is_none() => {
                v.push(F42M.violation("a credit available by mixed payment states the mix"));
            }
            AvailableBy::ByAcceptance if !drafts => {
                v.push(F42C.violation(
                    "a credit available by acceptance names the tenor and drawee of the draft (UCP 600 art. 7(a)(iv))",
                ));
            }
            _ => {}
        }
        if let Some(drawee) = &self.drawee {
            let drawn_on_applicant = drawee.organisation_id == Some(self.applicant.organisation_id)
                || matches!(
                    &drawee.identifier,
                    BankIdentifier::NameAndAddress { name_and_address }
                        if name_and_address == &self.applicant.name_and_address
                );
            if drawn_on_applicant {
                v.push(
                    RuleViolation::new(
                        "UCP 600 art. 6(c)",
                        "a credit must not be issued available by a draft drawn on the applicant",
                    )
                    .at(F42A.path),
                );
            }
        }
    }

    /// The dates against today: a credit that has expired cannot be
    /// submitted or issued (UCP 600 art. 6(d)(i)).
    pub fn validate_dates(&self, today: NaiveDate) -> Vec<RuleViolation> {
        let mut v = Vec::new();
        if self.expiry.date < today {
            v.push(
                RuleViolation::new(
                    "UCP 600 art. 6(d)(i)",
                    format!(
                        "the expiry date {} is before today {today}",
                        self.expiry.date
                    ),
                )
                .at(F31D.path),
            );
        }
        v
    }

    /// Field by field, what differs from `proposed`: the diff an amendment
    /// or a transfer carries. Fields are compared on their canonical JSON.
    pub fn changes_to(&self, proposed: &CreditTerms) -> Result<Vec<FieldChange>, RuleViolation> {
        let from = as_object(self)?;
        let to = as_object(proposed)?;
        let keys: std::collections::BTreeSet<&String> = from.keys().chain(to.keys()).collect();
        Ok(keys
            .into_iter()
            .filter_map(|key| {
                let old = from.get(key).cloned().unwrap_or(serde_json::Value::Null);
                let new = to.get(key).cloned().unwrap_or(serde_json::Value::Null);
                (old != new).then(|| FieldChange {
                    field: key.clone(),
                    tag: mt700_tag(key).to_owned(),
                    from: old,
                    to: new,
                })
            })
            .collect())
    }

    /// These terms with `changes` applied (each field set to its `to`).
    pub fn with_changes(&self, changes: &[FieldChange]) -> Result<CreditTerms, RuleViolation> {
        let mut object = as_object(self)?;
        for change in changes {
            object.insert(change.field.clone(), change.to.clone());
        }
        serde_json::from_value(serde_json::Value::Object(object.into_iter().collect())).map_err(
            |e| {
                RuleViolation::new(
                    "UCP 600 art. 10",
                    format!("the amended terms do not hold: {e}"),
                )
            },
        )
    }
}

fn as_object(terms: &CreditTerms) -> Result<BTreeMap<String, serde_json::Value>, RuleViolation> {
    match serde_json::to_value(terms) {
        Ok(serde_json::Value::Object(map)) => Ok(map.into_iter().collect()),
        _ => Err(RuleViolation::new(
            "canonical form",
            "credit terms did not serialise to an object",
        )),
    }
}

/// The MT700 tag a terms field travels in ("" for platform-only fields).
pub fn mt700_tag(field: &str) -> &'static str {
    [
        F20, F23, F31D, F32B, F39C, F40A, F40E, F41A, F42C, F42A, F42M, F42P, F44A, F44B, F44C,
        F44D, F44E, F44F, F45A, F46A, F47A, F48, F49, F49G, F49H, F50, F51A, F53A, F57A, F58A, F59,
        F71D, F72Z, F78,
    ]
    .into_iter()
    .find(|tag| tag.path.strip_prefix("terms.") == Some(field))
    .map_or(
        match field {
            "tolerance" => "39A",
            "unit_price" => "45A",
            "insurance_cover_percent" => "46A",
            _ => "",
        },
        |tag| tag.tag,
    )
}

#[cfg(test)]
pub(crate) mod fixtures {
    use super::*;
    use crate::domain::credit::money::Currency;

    pub fn text(s: &str) -> SwiftText {
        SwiftText::try_from(s.to_owned()).unwrap()
    }

    pub fn date(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    pub fn usd(value: &str) -> Amount {
        Amount::parse(Currency::parse("USD").unwrap(), value).unwrap()
    }

    pub const APPLICANT: Uuid = Uuid::from_u128(0xA1);
    pub const BENEFICIARY: Uuid = Uuid::from_u128(0xB1);
    pub const SECOND_BENEFICIARY: Uuid = Uuid::from_u128(0xB2);
    pub const ISSUING: Uuid = Uuid::from_u128(0x1B);
    pub const ADVISING: Uuid = Uuid::from_u128(0xAB);

    /// A sight credit for USD 100,000, advised through ADVISING, no
    /// confirmation, valid until the end of 2026.
    pub fn terms() -> CreditTerms {
        CreditTerms {
            issuing_bank: ISSUING,
            advising_bank: ADVISING,
            form_of_credit: FormOfCredit::Irrevocable,
            credit_number: text("LC2026-0001"),
            pre_advice_reference: None,
            applicable_rules: ApplicableRules::UcpLatestVersion,
            expiry: Expiry {
                date: date("2026-12-31"),
                place: text("FRANKFURT"),
            },
            applicant_bank: None,
            applicant: Party {
                organisation_id: APPLICANT,
                account: None,
                name_and_address: text("IMPORT GMBH\nHAFENSTRASSE 1\nHAMBURG"),
            },
            beneficiary: Party {
                organisation_id: BENEFICIARY,
                account: Some(text("DE89370400440532013000")),
                name_and_address: text("EXPORT LTD\n1 HARBOUR ROAD\nSINGAPORE"),
            },
            amount: usd("100000"),
            tolerance: Some(Tolerance::new(5, 5).unwrap()),
            additional_amounts: None,
            available_with: Availability {
                with: AvailableWith::Bank {
                    bank: BankParty {
                        organisation_id: Some(ADVISING),
                        identifier: BankIdentifier::Bic {
                            bic: Bic::parse("DBSSSGSG").unwrap(),
                        },
                    },
                },
                by: AvailableBy::ByPayment,
            },
            drafts_at: None,
            drawee: None,
            mixed_payment_details: None,
            deferred_payment_details: None,
            partial_shipments: Some(ShipmentPermission::Allowed),
            transhipment: Some(ShipmentPermission::NotAllowed),
            place_of_dispatch: None,
            port_of_loading: Some(text("SINGAPORE")),
            port_of_discharge: Some(text("HAMBURG")),
            place_of_final_destination: None,
            latest_shipment_date: Some(date("2026-12-01")),
            shipment_period: None,
            goods_description: Some(text("10,000 UNITS OF ELECTRIC MOTORS AT USD 10 PER UNIT")),
            documents_required: Some(text(
                "+COMMERCIAL INVOICE IN 3 COPIES\n+FULL SET CLEAN ON BOARD BILL OF LADING",
            )),
            additional_conditions: None,
            special_payment_conditions_beneficiary: None,
            special_payment_conditions_bank: None,
            charges: Some(text("ALL CHARGES OUTSIDE GERMANY\nFOR BENEFICIARY")),
            presentation_period: None,
            confirmation: ConfirmationInstructions::Without,
            requested_confirmation_party: None,
            reimbursing_bank: None,
            instructions_to_bank: None,
            advise_through_bank: None,
            sender_to_receiver_information: None,
            unit_price: Some(usd("10")),
            insurance_cover_percent: Some(110),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::fixtures::*;
    use super::*;

    fn rules(terms: &CreditTerms) -> Vec<String> {
        terms.validate().into_iter().map(|v| v.rule).collect()
    }

    #[test]
    fn a_complete_credit_has_no_violations() {
        assert_eq!(terms().validate(), vec![]);
        assert_eq!(terms().presentation_days(), 21);
    }

    #[test]
    fn ucp600_art14c_presentation_period_defaults_to_21_days() {
        let mut t = terms();
        assert_eq!(t.presentation_days(), DEFAULT_PRESENTATION_DAYS);
        t.presentation_period = Some(PresentationPeriod {
            days: 10,
            narrative: None,
        });
        assert_eq!(t.presentation_days(), 10);
        t.presentation_period = Some(PresentationPeriod {
            days: 1000,
            narrative: None,
        });
        assert_eq!(rules(&t), vec!["SWIFT MT700 field 48"]);
    }

    #[test]
    fn validate_returns_every_violation_not_only_the_first() {
        let mut t = terms();
        t.place_of_dispatch = Some(text("HAMBURG & BREMEN"));
        t.shipment_period = Some(text("JANUARY 2026"));
        t.charges = Some(text("ONE\nTWO\nTHREE\nFOUR\nFIVE\nSIX\nSEVEN"));
        t.credit_number = text("LC//1");
        let found = rules(&t);
        for rule in [
            "SWIFT MT700 field 44A",
            "SWIFT MT700 field 44D",
            "SWIFT MT700 field 71D",
            "SWIFT MT700 field 20",
        ] {
            assert!(found.contains(&rule.to_owned()), "{rule} in {found:?}");
        }
    }

    #[test]
    fn swift_mt700_44c_and_44d_are_mutually_exclusive() {
        let mut t = terms();
        t.shipment_period = Some(text("JANUARY 2026"));
        assert_eq!(rules(&t), vec!["SWIFT MT700 field 44D"]);
        t.latest_shipment_date = None;
        assert_eq!(rules(&t), Vec::<String>::new());
    }

    #[test]
    fn swift_mt700_42c_and_42a_go_together() {
        let mut t = terms();
        t.drafts_at = Some(text("AT SIGHT"));
        assert_eq!(rules(&t), vec!["SWIFT MT700 field 42a"]);
        t.drawee = Some(BankParty {
            organisation_id: Some(ISSUING),
            identifier: BankIdentifier::Bic {
                bic: Bic::parse("COBADEFF").unwrap(),
            },
        });
        assert_eq!(rules(&t), Vec::<String>::new());
        t.deferred_payment_details = Some(text("180 DAYS AFTER B/L DATE"));
        assert_eq!(rules(&t), vec!["SWIFT MT700 field 42M"]);
    }

    #[test]
    fn swift_mt700_41a_deferred_payment_needs_42p_and_acceptance_needs_a_draft() {
        let mut t = terms();
        t.available_with.by = AvailableBy::ByDefPayment;
        assert_eq!(rules(&t), vec!["SWIFT MT700 field 42P"]);
        t.deferred_payment_details = Some(text("180 DAYS AFTER B/L DATE"));
        assert!(t.validate().is_empty());
        let mut t = terms();
        t.available_with.by = AvailableBy::ByAcceptance;
        assert_eq!(rules(&t), vec!["SWIFT MT700 field 42C"]);
        let mut t = terms();
        t.available_with.by = AvailableBy::ByMixedPymt;
        assert_eq!(rules(&t), vec!["SWIFT MT700 field 42M"]);
    }

    #[test]
    fn ucp600_art6c_no_draft_drawn_on_the_applicant() {
        let mut t = terms();
        t.drafts_at = Some(text("90 DAYS SIGHT"));
        t.drawee = Some(BankParty {
            organisation_id: Some(APPLICANT),
            identifier: BankIdentifier::NameAndAddress {
                name_and_address: text("IMPORT GMBH"),
            },
        });
        assert_eq!(rules(&t), vec!["UCP 600 art. 6(c)"]);
        t.drawee = Some(BankParty {
            organisation_id: None,
            identifier: BankIdentifier::NameAndAddress {
                name_and_address: t.applicant.name_and_address.clone(),
            },
        });
        assert_eq!(rules(&t), vec!["UCP 600 art. 6(c)"]);
    }

    #[test]
    fn ucp600_art8_confirm_or_may_add_needs_58a_and_without_forbids_it() {
        let mut t = terms();
        t.confirmation = ConfirmationInstructions::Confirm;
        assert_eq!(rules(&t), vec!["SWIFT MT700 field 58a"]);
        t.confirmation = ConfirmationInstructions::MayAdd;
        assert_eq!(rules(&t), vec!["SWIFT MT700 field 58a"]);
        t.requested_confirmation_party = Some(BankParty {
            organisation_id: Some(ADVISING),
            identifier: BankIdentifier::Bic {
                bic: Bic::parse("DBSSSGSG").unwrap(),
            },
        });
        assert!(t.validate().is_empty());
        t.confirmation = ConfirmationInstructions::Without;
        assert_eq!(rules(&t), vec!["SWIFT MT700 field 58a"]);
    }

    #[test]
    fn swift_mt700_40a_forms_of_credit() {
        assert_eq!(
            FormOfCredit::parse_40a("IRREVOCABLE TRANSFERABLE").unwrap(),
            FormOfCredit::IrrevocableTransferable
        );
        assert_eq!(
            FormOfCredit::IrrevocableTransferable.code(),
            "IRREVOCABLE TRANSFERABLE"
        );
        // UCP 600 art. 3: a credit is irrevocable even if it does not say so
        assert!(FormOfCredit::parse_40a("REVOCABLE").is_err());
    }

    #[test]
    fn swift_mt700_40e_rules_and_othr_narrative() {
        assert_eq!(
            ApplicableRules::parse_40e("UCP LATEST VERSION").unwrap(),
            ApplicableRules::UcpLatestVersion
        );
        assert!(matches!(
            ApplicableRules::parse_40e("OTHR/URC 522").unwrap(),
            ApplicableRules::Other { .. }
        ));
        assert!(ApplicableRules::parse_40e("OTHR").is_err());
        assert!(ApplicableRules::parse_40e("UCP LATEST VERSION/X").is_err());
        assert_eq!(
            ApplicableRules::parse_40e("ISP LATEST VERSION")
                .unwrap_err()
                .rule,
            "SWIFT SR2021 MT700 field 40E"
        );
    }

    #[test]
    fn swift_mt700_31d_place_is_29x_and_50_is_4x35x() {
        let mut t = terms();
        t.expiry.place = text(&"P".repeat(30));
        t.applicant.name_and_address = text("IMPORT & CO");
        t.applicant.account = Some(text("123"));
        let found = rules(&t);
        assert_eq!(
            found,
            vec![
                "SWIFT MT700 field 31D",
                "SWIFT MT700 field 50",
                "SWIFT MT700 field 50"
            ]
        );
    }

    #[test]
    fn ucp600_art14c_shipment_after_expiry_is_flagged() {
        let mut t = terms();
        t.latest_shipment_date = Some(date("2027-01-15"));
        assert_eq!(rules(&t), vec!["UCP 600 art. 14(c)"]);
    }

    #[test]
    fn ucp600_art6d_an_expired_credit_cannot_be_issued() {
        let t = terms();
        assert!(t.validate_dates(date("2026-12-31")).is_empty());
        assert_eq!(
            t.validate_dates(date("2027-01-01"))[0].rule,
            "UCP 600 art. 6(d)(i)"
        );
    }

    #[test]
    fn diff_names_fields_and_tags_and_applies_back() {
        let old = terms();
        let mut new = terms();
        new.amount = usd("120000");
        new.expiry.date = date("2027-03-31");
        let changes = old.changes_to(&new).unwrap();
        let fields: Vec<_> = changes
            .iter()
            .map(|c| (c.field.as_str(), c.tag.as_str()))
            .collect();
        assert_eq!(fields, vec![("amount", "32B"), ("expiry", "31D")]);
        assert_eq!(old.with_changes(&changes).unwrap(), new);
        assert!(old.changes_to(&old).unwrap().is_empty());
    }

    #[test]
    fn terms_round_trip_through_json_with_amounts_as_strings() {
        let t = terms();
        let json = serde_json::to_value(&t).unwrap();
        assert_eq!(json["amount"]["value"], serde_json::json!("100000.00"));
        assert_eq!(serde_json::from_value::<CreditTerms>(json).unwrap(), t);
    }
}
