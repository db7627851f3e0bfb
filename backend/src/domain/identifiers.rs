//! Identifiers of the parties: ISO 9362 BIC for banks, ISO 17442 LEI for
//! legal entities, ISO 3166-1 alpha-2 country codes.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdentifierError {
    #[error(
        "a BIC is 8 or 11 characters: 4 letters (institution), 2 letters (country), 2 letters or digits (location), optionally 3 letters or digits (branch) (ISO 9362)"
    )]
    BicFormat,
    #[error("an LEI is 18 letters or digits followed by 2 check digits (ISO 17442)")]
    LeiFormat,
    #[error("the LEI's check digits are wrong (ISO 17442, ISO 7064 MOD 97-10)")]
    LeiCheckDigits,
    #[error("a country code is 2 capital letters (ISO 3166-1 alpha-2)")]
    CountryFormat,
}

impl IdentifierError {
    /// The standard the value breaks, for problem responses.
    pub fn rule(&self) -> &'static str {
        match self {
            IdentifierError::BicFormat => "ISO 9362",
            IdentifierError::LeiFormat | IdentifierError::LeiCheckDigits => "ISO 17442",
            IdentifierError::CountryFormat => "ISO 3166-1",
        }
    }
}

macro_rules! string_newtype {
    ($name:ident) => {
        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl FromStr for $name {
            type Err = IdentifierError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::parse(s)
            }
        }

        impl TryFrom<String> for $name {
            type Error = IdentifierError;
            fn try_from(s: String) -> Result<Self, Self::Error> {
                Self::parse(&s)
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> String {
                value.0
            }
        }
    };
}

/// ISO 3166-1 alpha-2 country code, e.g. `DE`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CountryCode(String);
string_newtype!(CountryCode);

impl CountryCode {
    pub fn parse(value: &str) -> Result<Self, IdentifierError> {
        if value.len() == 2 && value.bytes().all(|b| b.is_ascii_uppercase()) {
            Ok(Self(value.to_owned()))
        } else {
            Err(IdentifierError::CountryFormat)
        }
    }
}

/// ISO 9362 business identifier code (SWIFT address), 8 or 11 characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Bic(String);
string_newtype!(Bic);

impl Bic {
    pub fn parse(value: &str) -> Result<Self, IdentifierError> {
        let bytes = value.as_bytes();
        let alnum = |b: &u8| b.is_ascii_uppercase() || b.is_ascii_digit();
        let well_formed = matches!(bytes.len(), 8 | 11)
            && bytes[..6].iter().all(u8::is_ascii_uppercase)
            && bytes[6..].iter().all(alnum);
        if well_formed {
            Ok(Self(value.to_owned()))
        } else {
            Err(IdentifierError::BicFormat)
        }
    }

    /// The country the institution is in (characters 5 and 6).
    pub fn country(&self) -> CountryCode {
        CountryCode(self.0[4..6].to_owned())
    }
}

/// ISO 17442 legal entity identifier: 18 characters and 2 check digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Lei(String);
string_newtype!(Lei);

impl Lei {
    pub fn parse(value: &str) -> Result<Self, IdentifierError> {
        let bytes = value.as_bytes();
        let well_formed = bytes.len() == 20
            && bytes[..18]
                .iter()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
            && bytes[18..].iter().all(u8::is_ascii_digit);
        if !well_formed {
            return Err(IdentifierError::LeiFormat);
        }
        if mod97(value) != 1 {
            return Err(IdentifierError::LeiCheckDigits);
        }
        Ok(Self(value.to_owned()))
    }

    /// Completes an 18-character prefix with its check digits.
    pub fn with_check_digits(prefix: &str) -> Result<Self, IdentifierError> {
        let check = 98 - mod97(&format!("{prefix}00"));
        Self::parse(&format!("{prefix}{check:02}"))
    }
}

/// ISO 7064 MOD 97-10 over the digits, letters counting as 10..=35.
fn mod97(value: &str) -> u32 {
    value.chars().fold(0u32, |rest, c| match c.to_digit(36) {
        Some(d) if d >= 10 => (rest * 100 + d) % 97,
        Some(d) => (rest * 10 + d) % 97,
        None => rest,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn iso_9362_bics_of_8_and_11_characters_are_accepted() {
        assert_eq!(Bic::parse("DEUTDEFF").unwrap().country().as_str(), "DE");
        assert!(Bic::parse("DEUTDEFF500").is_ok());
    }

    #[test]
    fn iso_9362_malformed_bics_are_refused() {
        for bad in [
            "DEUTDEF",
            "DEUTDEFF5",
            "deutdeff",
            "DEU1DEFF",
            "DEUTD3FF",
            "DEUTDEFF50!",
        ] {
            assert_eq!(Bic::parse(bad), Err(IdentifierError::BicFormat), "{bad}");
        }
    }

    #[test]
    fn iso_17442_published_leis_pass_the_check_digits() {
        // LEIs as published in the global LEI index
        for lei in [
            "5493001KJTIIGC8Y1R12",
            "7LTWFZYICNSX8D621K86",
            "529900T8BM49AURSDO55",
        ] {
            assert!(Lei::parse(lei).is_ok(), "{lei}");
        }
    }

    #[test]
    fn iso_17442_a_changed_character_breaks_the_check_digits() {
        assert_eq!(
            Lei::parse("5493001KJTIIGC8Y1R13"),
            Err(IdentifierError::LeiCheckDigits)
        );
        assert_eq!(
            Lei::parse("5493001KJTIIGC8Y1R1"),
            Err(IdentifierError::LeiFormat)
        );
    }

    #[test]
    fn iso_3166_country_codes_are_two_capitals() {
        assert!(CountryCode::parse("SG").is_ok());
        for bad in ["sg", "SGP", "S1", ""] {
            assert_eq!(CountryCode::parse(bad), Err(IdentifierError::CountryFormat));
        }
    }

    proptest! {
        #[test]
        fn iso_17442_any_prefix_completed_with_check_digits_parses(prefix in "[A-Z0-9]{18}") {
            let lei = Lei::with_check_digits(&prefix).unwrap();
            prop_assert!(lei.as_str().starts_with(&prefix));
        }

        /// MOD 97-10 catches every substitution of a digit by another digit
        /// or a letter by another letter (the difference is below 97 and
        /// 10 is invertible modulo 97); a letter for a digit changes the
        /// length of the digit string and carries no such guarantee.
        #[test]
        fn iso_17442_a_substitution_within_digits_or_within_letters_is_always_detected(
            prefix in "[A-Z0-9]{18}", position in 0usize..18, digit in 0u8..10, letter in b'A'..=b'Z',
        ) {
            let lei = Lei::with_check_digits(&prefix).unwrap();
            let original = lei.as_str().as_bytes()[position];
            let replacement = if original.is_ascii_digit() { b'0' + digit } else { letter };
            prop_assume!(replacement != original);
            let mut altered = lei.as_str().as_bytes().to_vec();
            altered[position] = replacement;
            let altered = String::from_utf8(altered).unwrap();
            prop_assert_eq!(Lei::parse(&altered), Err(IdentifierError::LeiCheckDigits));
        }
    }
}
