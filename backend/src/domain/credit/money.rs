//! Currencies, amounts and tolerances: MT700 fields 32B and 39A, UCP 600
//! art. 30.
//!
//! An [`Amount`] is always positive, in a known ISO 4217 currency, never
//! finer than that currency's minor unit, and short enough for SWIFT's
//! `15d` (15 characters including the decimal comma). Arithmetic on it is
//! exact decimal arithmetic; there is no float anywhere.

use std::fmt;
use std::str::FromStr;

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

use super::RuleViolation;

const ISO_4217: &str = "ISO 4217";

/// ISO 4217 alphabetic codes with their minor units: the most traded
/// currencies (BIS triennial survey) and the trade-finance currencies of the
/// Gulf and North Africa, which have three decimals.
const CURRENCIES: &[(&str, u32)] = &[
    ("AED", 2),
    ("ARS", 2),
    ("AUD", 2),
    ("BDT", 2),
    ("BGN", 2),
    ("BHD", 3),
    ("BRL", 2),
    ("CAD", 2),
    ("CHF", 2),
    ("CLP", 0),
    ("CNY", 2),
    ("COP", 2),
    ("CZK", 2),
    ("DKK", 2),
    ("EGP", 2),
    ("EUR", 2),
    ("GBP", 2),
    ("HKD", 2),
    ("HUF", 2),
    ("IDR", 2),
    ("ILS", 2),
    ("INR", 2),
    ("IQD", 3),
    ("ISK", 0),
    ("JOD", 3),
    ("JPY", 0),
    ("KES", 2),
    ("KRW", 0),
    ("KWD", 3),
    ("KZT", 2),
    ("LKR", 2),
    ("LYD", 3),
    ("MAD", 2),
    ("MXN", 2),
    ("MYR", 2),
    ("NGN", 2),
    ("NOK", 2),
    ("NZD", 2),
    ("OMR", 3),
    ("PEN", 2),
    ("PHP", 2),
    ("PKR", 2),
    ("PLN", 2),
    ("QAR", 2),
    ("RON", 2),
    ("RUB", 2),
    ("SAR", 2),
    ("SEK", 2),
    ("SGD", 2),
    ("THB", 2),
    ("TND", 3),
    ("TRY", 2),
    ("TWD", 2),
    ("UAH", 2),
    ("USD", 2),
    ("VND", 0),
    ("XAF", 0),
    ("XOF", 0),
    ("ZAR", 2),
];

/// An ISO 4217 currency the platform knows, with its minor units.
/// Serialised as its code, `"USD"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(into = "String")]
pub struct Currency {
    code: &'static str,
    minor_units: u32,
}

impl Currency {
    pub fn parse(code: &str) -> Result<Self, RuleViolation> {
        CURRENCIES
            .iter()
            .find(|(known, _)| *known == code)
            .map(|&(code, minor_units)| Self { code, minor_units })
            .ok_or_else(|| {
                RuleViolation::new(
                    ISO_4217,
                    format!(
                        "`{code}` is not an ISO 4217 alphabetic currency code the platform knows"
                    ),
                )
            })
    }

    pub fn code(self) -> &'static str {
        self.code
    }

    /// Decimal places of the minor unit (JPY 0, USD 2, KWD 3).
    pub fn minor_units(self) -> u32 {
        self.minor_units
    }

    pub fn all() -> impl Iterator<Item = Currency> {
        CURRENCIES
            .iter()
            .map(|&(code, minor_units)| Self { code, minor_units })
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code)
    }
}

impl FromStr for Currency {
    type Err = RuleViolation;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<String> for Currency {
    type Error = RuleViolation;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl<'de> Deserialize<'de> for Currency {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let code = String::deserialize(deserializer)?;
        Currency::parse(&code).map_err(serde::de::Error::custom)
    }
}

impl From<Currency> for String {
    fn from(c: Currency) -> String {
        c.code.to_owned()
    }
}

/// SWIFT `15d`: at most 15 characters, the decimal comma included.
const SWIFT_15D_CHARACTERS: usize = 15;

/// A positive amount of money in one currency (MT700 field 32B).
/// Serialised as `{"currency": "USD", "value": "1000.00"}`: the value is a
/// decimal string, never a float.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "AmountRepr", into = "AmountRepr")]
pub struct Amount {
    currency: Currency,
    value: Decimal,
}

#[derive(Serialize, Deserialize)]
struct AmountRepr {
    currency: Currency,
    value: Decimal,
}

impl TryFrom<AmountRepr> for Amount {
    type Error = RuleViolation;
    fn try_from(repr: AmountRepr) -> Result<Self, Self::Error> {
        Amount::new(repr.currency, repr.value)
    }
}

impl From<Amount> for AmountRepr {
    fn from(a: Amount) -> Self {
        AmountRepr {
            currency: a.currency,
            value: a.value,
        }
    }
}

impl Amount {
    /// The rule an amount breaks is the field that carries it.
    const RULE: &'static str = "SWIFT MT700 field 32B";

    pub fn new(currency: Currency, value: Decimal) -> Result<Self, RuleViolation> {
        if value <= Decimal::ZERO {
            return Err(RuleViolation::new(
                Self::RULE,
                format!("the amount must be positive, not {value}"),
            ));
        }
        let value = value.normalize();
        if value.scale() > currency.minor_units() {
            return Err(RuleViolation::new(
                ISO_4217,
                format!(
                    "{} has {} decimal places; {value} is finer than its minor unit",
                    currency.code(),
                    currency.minor_units()
                ),
            ));
        }
        // canonical: always at the currency's minor units, so equal amounts
        // serialise to equal strings ("1000.00" for USD, "1000" for JPY)
        let mut value = value;
        value.rescale(currency.minor_units());
        let amount = Self { currency, value };
        let characters = amount.swift_value().len();
        if characters > SWIFT_15D_CHARACTERS {
            return Err(RuleViolation::new(
                Self::RULE,
                format!(
                    "{value} needs {characters} characters; SWIFT 15d allows 15 including the decimal comma"
                ),
            ));
        }
        Ok(amount)
    }

    /// Parses a decimal with a point (`1000.50`), as the API carries it.
    pub fn parse(currency: Currency, value: &str) -> Result<Self, RuleViolation> {
        let decimal = Decimal::from_str_exact(value).map_err(|_| {
            RuleViolation::new(Self::RULE, format!("`{value}` is not a decimal number"))
        })?;
        Self::new(currency, decimal)
    }

    /// Parses MT700 field 32B, `3!a15d`: `USD1000,50`.
    pub fn parse_32b(field: &str) -> Result<Self, RuleViolation> {
        let (code, number) = field
            .char_indices()
            .nth(3)
            .map(|(i, _)| field.split_at(i))
            .ok_or_else(|| {
                RuleViolation::new(
                    Self::RULE,
                    "expected a currency code and an amount (3!a15d)",
                )
            })?;
        let currency = Currency::parse(code)?;
        let well_formed = number.matches(',').count() == 1
            && number.chars().all(|c| c.is_ascii_digit() || c == ',')
            && number.starts_with(|c: char| c.is_ascii_digit());
        if !well_formed {
            return Err(RuleViolation::new(
                Self::RULE,
                format!(
                    "`{number}` is not a SWIFT decimal: digits with exactly one decimal comma, at least one digit before it"
                ),
            ));
        }
        if number.len() > SWIFT_15D_CHARACTERS {
            return Err(RuleViolation::new(
                Self::RULE,
                "SWIFT 15d allows 15 characters including the decimal comma",
            ));
        }
        Self::parse(currency, &number.replace(',', "."))
    }

    pub fn currency(&self) -> Currency {
        self.currency
    }

    pub fn value(&self) -> Decimal {
        self.value
    }

    /// The amount in SWIFT's decimal form: `1000,5`, `1000,`.
    pub fn swift_value(&self) -> String {
        let text = self.value.normalize().to_string();
        match text.split_once('.') {
            Some((whole, fraction)) => format!("{whole},{fraction}"),
            None => format!("{text},"),
        }
    }

    /// Field 32B as it goes into the message: `USD1000,5`.
    pub fn to_32b(&self) -> String {
        format!("{}{}", self.currency, self.swift_value())
    }

    /// The most that may be drawn under a credit for this amount: the
    /// amount plus the 39A plus-percentage (UCP 600 art. 30(a) for
    /// "about"), rounded down to the currency's minor unit, since a bank
    /// cannot pay a fraction of it. Exact: no rounding before the last step.
    /// The result is a computed ceiling, not a message field, so it is not
    /// held to the 15-character limit.
    pub fn max_drawable(&self, tolerance: Option<Tolerance>) -> Amount {
        let plus = tolerance.map_or(0, |t| t.plus_percent());
        let ceiling = self.value * Decimal::from(100 + u32::from(plus)) / Decimal::ONE_HUNDRED;
        let mut value =
            ceiling.round_dp_with_strategy(self.currency.minor_units(), RoundingStrategy::ToZero);
        value.rescale(self.currency.minor_units());
        Amount {
            currency: self.currency,
            value,
        }
    }

    /// The least a drawing for the full credit may be: the amount less the
    /// 39A minus-percentage, rounded up to the minor unit.
    pub fn min_drawable(&self, tolerance: Option<Tolerance>) -> Decimal {
        let minus = tolerance.map_or(0, |t| t.minus_percent());
        let floor = self.value * Decimal::from(100 - u32::from(minus)) / Decimal::ONE_HUNDRED;
        floor
            .round_dp_with_strategy(self.currency.minor_units(), RoundingStrategy::AwayFromZero)
            .normalize()
    }
}

impl fmt::Display for Amount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.currency, self.value)
    }
}

/// MT700 field 39A, `2n/2n`: how far a drawing may exceed or fall short of
/// the credit amount, in whole percent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "ToleranceRepr", into = "ToleranceRepr")]
pub struct Tolerance {
    plus: u8,
    minus: u8,
}

#[derive(Serialize, Deserialize)]
struct ToleranceRepr {
    plus_percent: u8,
    minus_percent: u8,
}

impl TryFrom<ToleranceRepr> for Tolerance {
    type Error = RuleViolation;
    fn try_from(r: ToleranceRepr) -> Result<Self, Self::Error> {
        Tolerance::new(r.plus_percent, r.minus_percent)
    }
}

impl From<Tolerance> for ToleranceRepr {
    fn from(t: Tolerance) -> Self {
        ToleranceRepr {
            plus_percent: t.plus,
            minus_percent: t.minus,
        }
    }
}

impl Tolerance {
    const RULE: &'static str = "SWIFT MT700 field 39A";

    pub fn new(plus_percent: u8, minus_percent: u8) -> Result<Self, RuleViolation> {
        for (side, percent) in [("plus", plus_percent), ("minus", minus_percent)] {
            if percent > 99 {
                return Err(RuleViolation::new(
                    Self::RULE,
                    format!("the {side} tolerance is two digits (0 to 99 percent), not {percent}"),
                ));
            }
        }
        Ok(Self {
            plus: plus_percent,
            minus: minus_percent,
        })
    }

    /// "About" or "approximately" before the amount: 10 % either way (UCP
    /// 600 art. 30(a)). Since SWIFT SR2018 it travels as 39A `10/10`.
    pub fn about() -> Self {
        Self {
            plus: 10,
            minus: 10,
        }
    }

    /// Parses `05/05` (each side one or two digits).
    pub fn parse_39a(field: &str) -> Result<Self, RuleViolation> {
        let parse_side = |s: &str| -> Option<u8> {
            (1..=2)
                .contains(&s.len())
                .then_some(s)
                .filter(|s| s.bytes().all(|b| b.is_ascii_digit()))
                .and_then(|s| s.parse().ok())
        };
        let (plus, minus) = field
            .split_once('/')
            .and_then(|(p, m)| Some((parse_side(p)?, parse_side(m)?)))
            .ok_or_else(|| {
                RuleViolation::new(Self::RULE, format!("`{field}` is not 2n/2n, e.g. 05/05"))
            })?;
        Self::new(plus, minus)
    }

    pub fn plus_percent(self) -> u8 {
        self.plus
    }

    pub fn minus_percent(self) -> u8 {
        self.minus
    }

    pub fn to_39a(self) -> String {
        format!("{:02}/{:02}", self.plus, self.minus)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn cur(code: &str) -> Currency {
        Currency::parse(code).unwrap()
    }

    fn dec(s: &str) -> Decimal {
        Decimal::from_str_exact(s).unwrap()
    }

    #[test]
    fn iso_4217_minor_units_follow_the_currency() {
        assert_eq!(cur("JPY").minor_units(), 0);
        assert_eq!(cur("USD").minor_units(), 2);
        assert_eq!(cur("KWD").minor_units(), 3);
        assert_eq!(cur("BHD").minor_units(), 3);
        assert!(Currency::all().count() >= 40);
    }

    #[test]
    fn iso_4217_unknown_codes_are_refused_naming_the_standard() {
        for bad in ["XYZ", "usd", "US", ""] {
            let error = Currency::parse(bad).unwrap_err();
            assert_eq!(error.rule, "ISO 4217", "{bad}");
        }
    }

    #[test]
    fn iso_4217_an_amount_finer_than_the_minor_unit_is_refused() {
        assert!(Amount::parse(cur("USD"), "10.50").is_ok());
        assert_eq!(
            Amount::parse(cur("USD"), "10.505").unwrap_err().rule,
            "ISO 4217"
        );
        assert_eq!(
            Amount::parse(cur("JPY"), "1000.5").unwrap_err().rule,
            "ISO 4217"
        );
        assert!(Amount::parse(cur("KWD"), "1000.125").is_ok());
        // trailing zeros are not finer: 1000.00 yen is 1000 yen
        assert!(Amount::parse(cur("JPY"), "1000.00").is_ok());
    }

    #[test]
    fn swift_mt700_32b_the_amount_is_positive() {
        for bad in ["0", "-1", "0.00"] {
            let error = Amount::parse(cur("EUR"), bad).unwrap_err();
            assert_eq!(error.rule, "SWIFT MT700 field 32B", "{bad}");
        }
    }

    #[test]
    fn swift_15d_counts_the_decimal_comma() {
        // 14 digits and the comma: 15 characters
        assert!(Amount::parse(cur("USD"), "123456789012.34").is_ok());
        assert!(Amount::parse(cur("JPY"), "12345678901234").is_ok());
        // 15 digits and the comma: 16
        let error = Amount::parse(cur("JPY"), "123456789012345").unwrap_err();
        assert_eq!(error.rule, "SWIFT MT700 field 32B");
        assert!(Amount::parse(cur("USD"), "1234567890123.45").is_err());
    }

    #[test]
    fn swift_mt700_32b_round_trips() {
        let amount = Amount::parse_32b("USD1000,50").unwrap();
        assert_eq!(amount.value(), dec("1000.5"));
        assert_eq!(amount.to_32b(), "USD1000,5");
        assert_eq!(Amount::parse_32b("JPY5000,").unwrap().to_32b(), "JPY5000,");
        for bad in ["USD1000", "USD1.000,00", "USD,5", "USD1,0,0", "US"] {
            assert!(Amount::parse_32b(bad).is_err(), "{bad}");
        }
        assert_eq!(Amount::parse_32b("XXX10,").unwrap_err().rule, "ISO 4217");
    }

    #[test]
    fn amounts_serialise_as_decimal_strings() {
        let amount = Amount::parse(cur("KWD"), "1250.125").unwrap();
        let json = serde_json::to_value(amount).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"currency": "KWD", "value": "1250.125"})
        );
        let dollars = Amount::parse(cur("USD"), "1000").unwrap();
        assert_eq!(
            serde_json::to_value(dollars).unwrap()["value"],
            serde_json::json!("1000.00")
        );
        assert_eq!(serde_json::from_value::<Amount>(json).unwrap(), amount);
        let finer = serde_json::json!({"currency": "JPY", "value": "1.5"});
        assert!(serde_json::from_value::<Amount>(finer).is_err());
    }

    #[test]
    fn swift_mt700_39a_is_two_digits_each_way() {
        assert_eq!(
            Tolerance::parse_39a("05/05").unwrap(),
            Tolerance::new(5, 5).unwrap()
        );
        assert_eq!(Tolerance::parse_39a("10/0").unwrap().to_39a(), "10/00");
        for bad in ["100/5", "5", "a/5", "05/05/05", "/5"] {
            assert!(Tolerance::parse_39a(bad).is_err(), "{bad}");
        }
        assert!(Tolerance::new(100, 0).is_err());
    }

    #[test]
    fn ucp600_art30a_about_allows_ten_percent_more() {
        let amount = Amount::parse(cur("USD"), "100000").unwrap();
        assert_eq!(
            amount.max_drawable(Some(Tolerance::about())).value(),
            dec("110000")
        );
        assert_eq!(amount.min_drawable(Some(Tolerance::about())), dec("90000"));
        assert_eq!(amount.max_drawable(None).value(), dec("100000"));
    }

    #[test]
    fn swift_mt700_39a_max_drawable_rounds_down_to_the_minor_unit() {
        // 1.05 x 333 yen = 349.65 yen: a bank can pay 349
        let yen = Amount::parse(cur("JPY"), "333").unwrap();
        let five = Tolerance::new(5, 5).unwrap();
        assert_eq!(yen.max_drawable(Some(five)).value(), dec("349"));
        let dinar = Amount::parse(cur("KWD"), "0.333").unwrap();
        assert_eq!(dinar.max_drawable(Some(five)).value(), dec("0.349"));
    }

    proptest! {
        #[test]
        fn ucp600_art30_max_drawable_is_within_the_tolerance_and_on_the_minor_unit(
            units in 1i64..10_000_000_000, plus in 0u8..=99, minus in 0u8..=99,
            index in 0usize..CURRENCIES.len(),
        ) {
            let currency = Currency::all().nth(index).unwrap();
            let value = Decimal::new(units, currency.minor_units());
            let amount = Amount::new(currency, value).unwrap();
            let tolerance = Tolerance::new(plus, minus).unwrap();
            let max = amount.max_drawable(Some(tolerance)).value();
            let exact = value * Decimal::from(100 + u32::from(plus)) / Decimal::ONE_HUNDRED;
            let unit = Decimal::new(1, currency.minor_units());
            prop_assert!(max >= value);
            prop_assert!(max <= exact);
            prop_assert!(exact - max < unit);
            prop_assert!(max.scale() <= currency.minor_units());
            let min = amount.min_drawable(Some(tolerance));
            prop_assert!(min <= value && min >= Decimal::ZERO);
        }
    }
}
