//! Standby credits (ISP98) and demand guarantees (URDG 758), issued by
//! MT760 since SWIFT SR2021. Data and their key rules; their life cycle
//! follows the documentary credit's once presentation is built.

use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::RuleViolation;
use super::money::Amount;
use super::swift::{Charset, FieldTag, SwiftText, TextFormat};
use super::terms::Party;

const fn mt760(tag: &'static str, path: &'static str) -> FieldTag {
    FieldTag::new("MT760", tag, path)
}

const F20: FieldTag = mt760("20", "terms.reference");
const F35G: FieldTag = mt760("35G", "terms.expiry.event");
const F45C: FieldTag = mt760("45C", "terms.demand_requirements");
const F45L: FieldTag = mt760("45L", "terms.underlying_relationship");
const F50: FieldTag = mt760("50", "terms.applicant");
const F59: FieldTag = mt760("59", "terms.beneficiary");
const F77U: FieldTag = mt760("77U", "terms.undertaking_terms");

const X16: TextFormat = TextFormat::new(1, 16, Charset::X);
const X4_35: TextFormat = TextFormat::new(4, 35, Charset::X);
const Z50_65: TextFormat = TextFormat::new(50, 65, Charset::Z);
const Z100_65: TextFormat = TextFormat::new(100, 65, Charset::Z);
const Z150_65: TextFormat = TextFormat::new(150, 65, Charset::Z);

/// MT760 field 23B and 31E/35G: how the undertaking ends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum UndertakingExpiry {
    /// FIXD: on a date.
    Fixed { date: NaiveDate },
    /// COND: on an event (35G), optionally also on a date, whichever is
    /// earlier (URDG 758 art. 2, "expiry").
    Conditional {
        #[serde(default)]
        date: Option<NaiveDate>,
        event: SwiftText,
    },
    /// OPEN: no expiry stated.
    Open,
}

/// MT760 field 40C for a standby.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StandbyRules {
    /// ISPR
    Isp98,
    /// UCPR
    Ucp600,
}

/// A standby letter of credit (ISP98 rule 1.01), form of undertaking STBY.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StandbyTerms {
    pub issuer: Uuid,
    pub advising_bank: Option<Uuid>,
    pub reference: SwiftText,
    pub rules: StandbyRules,
    pub applicant: Party,
    pub beneficiary: Party,
    pub amount: Amount,
    pub expiry: UndertakingExpiry,
    /// Whether the issuer may terminate on notice (ISP98 rule 9.01(b)).
    #[serde(default)]
    pub issuer_may_terminate: bool,
    /// What the demand must contain and which documents go with it (45C).
    pub demand_requirements: SwiftText,
    #[serde(default)]
    pub undertaking_terms: Option<SwiftText>,
}

impl StandbyTerms {
    pub fn validate(&self) -> Vec<RuleViolation> {
        let mut v = common(
            &self.reference,
            &self.applicant,
            &self.beneficiary,
            &self.demand_requirements,
            self.undertaking_terms.as_ref(),
        );
        match &self.expiry {
            UndertakingExpiry::Open if !self.issuer_may_terminate => v.push(
                RuleViolation::new(
                    "ISP98 rule 9.01",
                    "a standby must contain an expiry date or permit the issuer to terminate it",
                )
                .at("terms.expiry"),
            ),
            UndertakingExpiry::Conditional { date: None, .. } if !self.issuer_may_terminate => v
                .push(
                    RuleViolation::new(
                        "ISP98 rule 9.01",
                        "an expiry event without an expiry date leaves the standby without an end; add a date",
                    )
                    .at("terms.expiry"),
                ),
            UndertakingExpiry::Conditional { event, .. } => {
                v.extend(event.check(&F35G, Z50_65));
            }
            _ => {}
        }
        v
    }
}

/// URDG 758 art. 15(a) and (c): a demand is supported by a statement of the
/// applicant's breach unless the guarantee expressly excludes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StatementOfBreach {
    Required,
    ExpresslyExcluded,
}

/// A demand guarantee subject to URDG 758, form of undertaking DGAR.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GuaranteeTerms {
    pub guarantor: Uuid,
    pub advising_bank: Option<Uuid>,
    pub reference: SwiftText,
    /// The instructing party / applicant (URDG 758 art. 2).
    pub applicant: Party,
    pub beneficiary: Party,
    pub amount: Amount,
    pub expiry: UndertakingExpiry,
    /// The contract or tender the guarantee secures (45L, URDG 758 art.
    /// 8(d)).
    pub underlying_relationship: SwiftText,
    pub demand_requirements: SwiftText,
    pub statement_of_breach: StatementOfBreach,
    #[serde(default)]
    pub undertaking_terms: Option<SwiftText>,
}

/// A demand under a guarantee, as far as its form can be checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GuaranteeDemand {
    pub amount: Amount,
    #[serde(default)]
    pub statement_of_breach: Option<SwiftText>,
}

impl GuaranteeTerms {
    pub fn validate(&self) -> Vec<RuleViolation> {
        let mut v = common(
            &self.reference,
            &self.applicant,
            &self.beneficiary,
            &self.demand_requirements,
            self.undertaking_terms.as_ref(),
        );
        v.extend(self.underlying_relationship.check(&F45L, Z50_65));
        if let UndertakingExpiry::Conditional { event, .. } = &self.expiry {
            v.extend(event.check(&F35G, Z50_65));
        }
        v
    }

    /// The day the guarantee ends at the latest: its expiry date, or, with
    /// neither date nor event, three years after issue (URDG 758 art.
    /// 25(c)). `None` when only an event ends it.
    pub fn latest_expiry(&self, issued_on: NaiveDate) -> Option<NaiveDate> {
        match &self.expiry {
            UndertakingExpiry::Fixed { date } => Some(*date),
            UndertakingExpiry::Conditional { date, .. } => *date,
            UndertakingExpiry::Open => issued_on.checked_add_months(Months::new(36)),
        }
    }

    /// The form of a demand: the statement of breach (URDG 758 art. 15(a),
    /// unless excluded, 15(c)) and the amount (art. 17).
    pub fn check_demand(&self, demand: &GuaranteeDemand) -> Vec<RuleViolation> {
        let mut v = Vec::new();
        if self.statement_of_breach == StatementOfBreach::Required
            && demand.statement_of_breach.is_none()
        {
            v.push(
                RuleViolation::new(
                    "URDG 758 art. 15(a)",
                    "the demand must be supported by a statement indicating in what respect the applicant is in breach",
                )
                .at("demand.statement_of_breach"),
            );
        }
        if demand.amount.currency() != self.amount.currency()
            || demand.amount.value() > self.amount.value()
        {
            v.push(
                RuleViolation::new(
                    "URDG 758 art. 17",
                    format!(
                        "a demand for {} exceeds the amount available, {}",
                        demand.amount, self.amount
                    ),
                )
                .at("demand.amount"),
            );
        }
        v
    }
}

fn common(
    reference: &SwiftText,
    applicant: &Party,
    beneficiary: &Party,
    demand_requirements: &SwiftText,
    undertaking_terms: Option<&SwiftText>,
) -> Vec<RuleViolation> {
    let mut v = reference.check(&F20, X16);
    v.extend(applicant.name_and_address.check(&F50, X4_35));
    v.extend(beneficiary.name_and_address.check(&F59, X4_35));
    v.extend(demand_requirements.check(&F45C, Z100_65));
    if let Some(text) = undertaking_terms {
        v.extend(text.check(&F77U, Z150_65));
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::credit::terms::fixtures::*;

    fn party(id: u128, name: &str) -> Party {
        Party {
            organisation_id: Uuid::from_u128(id),
            account: None,
            name_and_address: text(name),
        }
    }

    fn guarantee() -> GuaranteeTerms {
        GuaranteeTerms {
            guarantor: ISSUING,
            advising_bank: Some(ADVISING),
            reference: text("PG-2026-17"),
            applicant: party(0xA1, "BUILDER AG"),
            beneficiary: party(0xB1, "CITY WORKS"),
            amount: usd("50000"),
            expiry: UndertakingExpiry::Fixed {
                date: date("2027-06-30"),
            },
            underlying_relationship: text("CONTRACT 2026/44 OF 2 MARCH 2026 FOR A BRIDGE"),
            demand_requirements: text("DEMAND WITH STATEMENT OF BREACH"),
            statement_of_breach: StatementOfBreach::Required,
            undertaking_terms: None,
        }
    }

    fn standby() -> StandbyTerms {
        StandbyTerms {
            issuer: ISSUING,
            advising_bank: None,
            reference: text("SB-1"),
            rules: StandbyRules::Isp98,
            applicant: party(0xA1, "IMPORT GMBH"),
            beneficiary: party(0xB1, "EXPORT LTD"),
            amount: usd("250000"),
            expiry: UndertakingExpiry::Open,
            issuer_may_terminate: false,
            demand_requirements: text("DEMAND STATING THAT THE APPLICANT FAILED TO PAY"),
            undertaking_terms: None,
        }
    }

    #[test]
    fn urdg758_art15a_a_demand_without_statement_of_breach_is_refused() {
        let g = guarantee();
        assert!(g.validate().is_empty());
        let bare = GuaranteeDemand {
            amount: usd("50000"),
            statement_of_breach: None,
        };
        assert_eq!(g.check_demand(&bare)[0].rule, "URDG 758 art. 15(a)");
        let stated = GuaranteeDemand {
            statement_of_breach: Some(text("THE BRIDGE WAS NOT DELIVERED BY 1 MAY")),
            ..bare.clone()
        };
        assert!(g.check_demand(&stated).is_empty());
        // URDG 758 art. 15(c): excluded expressly, not needed
        let excluded = GuaranteeTerms {
            statement_of_breach: StatementOfBreach::ExpresslyExcluded,
            ..g
        };
        assert!(excluded.check_demand(&bare).is_empty());
    }

    #[test]
    fn urdg758_art17_a_demand_above_the_amount_is_refused() {
        let demand = GuaranteeDemand {
            amount: usd("50000.01"),
            statement_of_breach: Some(text("BREACH")),
        };
        assert_eq!(
            guarantee().check_demand(&demand)[0].rule,
            "URDG 758 art. 17"
        );
    }

    #[test]
    fn urdg758_art25c_without_date_or_event_ends_three_years_after_issue() {
        let g = GuaranteeTerms {
            expiry: UndertakingExpiry::Open,
            ..guarantee()
        };
        assert_eq!(
            g.latest_expiry(date("2026-03-02")),
            Some(date("2029-03-02"))
        );
        assert_eq!(
            guarantee().latest_expiry(date("2026-03-02")),
            Some(date("2027-06-30"))
        );
    }

    #[test]
    fn urdg758_art8_the_underlying_relationship_is_swift_text() {
        let g = GuaranteeTerms {
            underlying_relationship: text(&vec!["CONTRACT"; 51].join("\n")),
            ..guarantee()
        };
        assert_eq!(g.validate()[0].rule, "SWIFT MT760 field 45L");
    }

    #[test]
    fn isp98_rule_9_01_a_standby_needs_an_expiry_or_a_right_to_terminate() {
        assert_eq!(standby().validate()[0].rule, "ISP98 rule 9.01");
        let terminable = StandbyTerms {
            issuer_may_terminate: true,
            ..standby()
        };
        assert!(terminable.validate().is_empty());
        let dated = StandbyTerms {
            expiry: UndertakingExpiry::Fixed {
                date: date("2027-01-31"),
            },
            ..standby()
        };
        assert!(dated.validate().is_empty());
    }
}
