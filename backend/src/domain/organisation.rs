//! Who takes part: kinds of organisation and the roles their people hold.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrganisationKind {
    Bank,
    Corporate,
    Regulator,
    Operator,
}

/// What a person may do for their organisation. Business roles carry the
/// four-eyes split (a maker prepares, a different checker releases).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    ApplicantMaker,
    ApplicantChecker,
    BeneficiaryUser,
    CorporateAdministrator,
    BankMaker,
    BankChecker,
    BankAdministrator,
    /// Reads everything its mandate covers, writes nothing; every read is audited.
    Regulator,
    /// Health, keys and participants; no business data.
    Operator,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what} `{value}`")]
pub struct UnknownName {
    pub what: &'static str,
    pub value: String,
}

impl OrganisationKind {
    pub const ALL: [OrganisationKind; 4] =
        [Self::Bank, Self::Corporate, Self::Regulator, Self::Operator];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Bank => "bank",
            Self::Corporate => "corporate",
            Self::Regulator => "regulator",
            Self::Operator => "operator",
        }
    }
}

impl Role {
    pub const ALL: [Role; 9] = [
        Self::ApplicantMaker,
        Self::ApplicantChecker,
        Self::BeneficiaryUser,
        Self::CorporateAdministrator,
        Self::BankMaker,
        Self::BankChecker,
        Self::BankAdministrator,
        Self::Regulator,
        Self::Operator,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::ApplicantMaker => "applicant_maker",
            Self::ApplicantChecker => "applicant_checker",
            Self::BeneficiaryUser => "beneficiary_user",
            Self::CorporateAdministrator => "corporate_administrator",
            Self::BankMaker => "bank_maker",
            Self::BankChecker => "bank_checker",
            Self::BankAdministrator => "bank_administrator",
            Self::Regulator => "regulator",
            Self::Operator => "operator",
        }
    }

    /// The kind of organisation a role belongs to: a bank's checker cannot
    /// sit at a corporate, a regulator's reader cannot sit at a bank.
    pub fn organisation_kind(self) -> OrganisationKind {
        match self {
            Self::ApplicantMaker
            | Self::ApplicantChecker
            | Self::BeneficiaryUser
            | Self::CorporateAdministrator => OrganisationKind::Corporate,
            Self::BankMaker | Self::BankChecker | Self::BankAdministrator => OrganisationKind::Bank,
            Self::Regulator => OrganisationKind::Regulator,
            Self::Operator => OrganisationKind::Operator,
        }
    }
}

macro_rules! named_enum {
    ($ty:ident, $what:literal) => {
        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $ty {
            type Err = UnknownName;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::ALL
                    .into_iter()
                    .find(|v| v.as_str() == s)
                    .ok_or_else(|| UnknownName {
                        what: $what,
                        value: s.to_owned(),
                    })
            }
        }
    };
}

named_enum!(OrganisationKind, "organisation kind");
named_enum!(Role, "role");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_match_serde() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>().unwrap(), role);
            assert_eq!(serde_json::to_value(role).unwrap(), role.as_str());
        }
        for kind in OrganisationKind::ALL {
            assert_eq!(kind.as_str().parse::<OrganisationKind>().unwrap(), kind);
            assert_eq!(serde_json::to_value(kind).unwrap(), kind.as_str());
        }
        assert!("bank_teller".parse::<Role>().is_err());
    }

    #[test]
    fn bank_roles_sit_at_banks_and_applicant_roles_at_corporates() {
        assert_eq!(
            Role::BankChecker.organisation_kind(),
            OrganisationKind::Bank
        );
        assert_eq!(
            Role::ApplicantChecker.organisation_kind(),
            OrganisationKind::Corporate
        );
        assert_eq!(
            Role::Regulator.organisation_kind(),
            OrganisationKind::Regulator
        );
    }
}
