//! SWIFT text: the X and Z character sets, `n*m` line formats and dates of
//! the category 7 messages (LC-RULES.md, "MT700 fields"). A character
//! outside the set must be flagged before a message is built, so every
//! violation names the message and field tag it breaks.

use std::fmt;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use super::RuleViolation;

/// The SWIFT character sets of the free-text fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Charset {
    /// `x`: a-z A-Z 0-9 / - ? : ( ) . , ' + space CrLf.
    X,
    /// `z`: the X set plus = ! " % & * < > ; { @ # _.
    Z,
}

impl Charset {
    /// Whether `c` may appear inside a line (CrLf separates lines and is
    /// handled by the line splitting).
    pub fn contains(self, c: char) -> bool {
        let x = c.is_ascii_alphanumeric() || "/-?:().,'+ ".contains(c);
        match self {
            Charset::X => x,
            Charset::Z => x || "=!\"%&*<>;{@#_".contains(c),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Charset::X => "X",
            Charset::Z => "Z",
        }
    }
}

/// Where a value goes in a SWIFT message and where it sits in our data, so
/// a violation names both: rule "SWIFT MT700 field 45A", field
/// "terms.goods_description".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldTag {
    pub message: &'static str,
    pub tag: &'static str,
    pub path: &'static str,
}

impl FieldTag {
    pub const fn new(message: &'static str, tag: &'static str, path: &'static str) -> Self {
        Self { message, tag, path }
    }

    pub fn rule(&self) -> String {
        format!("SWIFT {} field {}", self.message, self.tag)
    }

    pub fn violation(&self, detail: impl Into<String>) -> RuleViolation {
        RuleViolation::new(self.rule(), detail).at(self.path)
    }
}

/// A free-text format such as `4*35x`: at most `lines` lines of at most
/// `width` characters of `charset`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TextFormat {
    pub lines: usize,
    pub width: usize,
    pub charset: Charset,
}

impl TextFormat {
    pub const fn new(lines: usize, width: usize, charset: Charset) -> Self {
        Self {
            lines,
            width,
            charset,
        }
    }

    /// Every way `text` breaks this format, in the order they occur.
    pub fn check(&self, tag: &FieldTag, text: &str) -> Vec<RuleViolation> {
        let mut violations = Vec::new();
        if text.trim().is_empty() {
            violations.push(tag.violation("must not be empty"));
            return violations;
        }
        let lines = split_lines(text);
        if lines.len() > self.lines {
            violations.push(tag.violation(format!(
                "{} lines; the format {self} allows {}",
                lines.len(),
                self.lines
            )));
        }
        for (index, line) in lines.iter().enumerate() {
            let number = index + 1;
            let width = line.chars().count();
            if width > self.width {
                violations.push(tag.violation(format!(
                    "line {number} longer than {} characters ({width})",
                    self.width
                )));
            }
            for c in line.chars().filter(|&c| !self.charset.contains(c)) {
                violations.push(tag.violation(format!(
                    "character '{}' not in the SWIFT {} set (line {number})",
                    c.escape_default(),
                    self.charset.name()
                )));
            }
            // a line starting with ':' or '-' would end the field or the
            // text block on the network (SWIFT network validated rule T26)
            if line.starts_with(':') || line.starts_with('-') {
                violations.push(tag.violation(format!(
                    "line {number} starts with '{}', which SWIFT reserves as a delimiter",
                    &line[..1]
                )));
            }
        }
        violations
    }
}

impl fmt::Display for TextFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let set = match self.charset {
            Charset::X => 'x',
            Charset::Z => 'z',
        };
        if self.lines == 1 {
            write!(f, "{}{set}", self.width)
        } else {
            write!(f, "{}*{}{set}", self.lines, self.width)
        }
    }
}

fn split_lines(text: &str) -> Vec<&str> {
    text.split('\n')
        .map(|line| line.strip_suffix('\r').unwrap_or(line))
        .collect()
}

/// The loosest MT700 text format (`100*65z`): what any stored SWIFT text
/// satisfies. The field's own format is checked where the field is known
/// ([`SwiftText::parse`], `CreditTerms::validate`).
const ANY_FIELD: TextFormat = TextFormat::new(100, 65, Charset::Z);

/// Text that can travel in a SWIFT field: lines joined by `\n` (rendered
/// as CrLf), only Z-set characters, at most 100 lines of 65.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct SwiftText(String);

impl SwiftText {
    /// Parses `text` for the field `tag` in the format `format`, returning
    /// every violation.
    pub fn parse(
        tag: &FieldTag,
        text: &str,
        format: TextFormat,
    ) -> Result<Self, Vec<RuleViolation>> {
        let violations = format.check(tag, text);
        if violations.is_empty() {
            Ok(Self(split_lines(text).join("\n")))
        } else {
            Err(violations)
        }
    }

    /// Whether the text also fits `format` (used when a field's format is
    /// stricter than [`ANY_FIELD`]).
    pub fn check(&self, tag: &FieldTag, format: TextFormat) -> Vec<RuleViolation> {
        format.check(tag, &self.0)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn lines(&self) -> impl Iterator<Item = &str> {
        self.0.split('\n')
    }

    /// The text as it goes into the message, lines separated by CrLf.
    pub fn to_swift(&self) -> String {
        self.0.replace('\n', "\r\n")
    }
}

impl fmt::Display for SwiftText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for SwiftText {
    type Error = RuleViolation;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        const STORED: FieldTag = FieldTag::new("MT7xx", "text", "text");
        SwiftText::parse(&STORED, &s, ANY_FIELD).map_err(|violations| {
            violations
                .into_iter()
                .next()
                .unwrap_or_else(|| STORED.violation("not SWIFT text"))
        })
    }
}

impl From<SwiftText> for String {
    fn from(t: SwiftText) -> String {
        t.0
    }
}

/// Parses a SWIFT date `6!n`, YYMMDD. Two-digit years are read as
/// 2000-2099: credits are issued for the coming years, not the last
/// century.
pub fn parse_yymmdd(tag: &FieldTag, text: &str) -> Result<NaiveDate, RuleViolation> {
    let digits = text.len() == 6 && text.bytes().all(|b| b.is_ascii_digit());
    let date = digits
        .then(|| {
            let number = |range: std::ops::Range<usize>| text[range].parse::<u32>().ok();
            let year = i32::try_from(2000 + number(0..2)?).ok()?;
            NaiveDate::from_ymd_opt(year, number(2..4)?, number(4..6)?)
        })
        .flatten();
    date.ok_or_else(|| tag.violation(format!("`{text}` is not a date YYMMDD (6!n)")))
}

/// A date as SWIFT writes it, YYMMDD. Only dates 2000-2099 can be written.
pub fn format_yymmdd(tag: &FieldTag, date: NaiveDate) -> Result<String, RuleViolation> {
    if !(2000..=2099).contains(&date.year()) {
        return Err(tag.violation(format!("{date} cannot be written as YYMMDD")));
    }
    Ok(date.format("%y%m%d").to_string())
}

/// Parses an ISO 8601 calendar date (`2026-03-31`), as the API carries it.
pub fn parse_iso_date(tag: &FieldTag, text: &str) -> Result<NaiveDate, RuleViolation> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|_| tag.violation(format!("`{text}` is not an ISO 8601 date YYYY-MM-DD")))
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOODS: FieldTag = FieldTag::new("MT700", "45A", "terms.goods_description");
    const APPLICANT: FieldTag = FieldTag::new("MT700", "50", "terms.applicant.name_and_address");
    const EXPIRY: FieldTag = FieldTag::new("MT700", "31D", "terms.expiry.date");

    #[test]
    fn swift_x_set_is_exactly_the_listed_characters() {
        let x = "abcxyzABCXYZ0189/-?:().,'+ ";
        assert!(x.chars().all(|c| Charset::X.contains(c)));
        for c in "=!\"%&*<>;{@#_€é\t~[]$^|}`\\".chars() {
            assert!(!Charset::X.contains(c), "{c}");
        }
    }

    #[test]
    fn swift_z_set_is_x_plus_the_listed_characters() {
        assert!("=!\"%&*<>;{@#_".chars().all(|c| Charset::Z.contains(c)));
        for c in "€é\t~[]$^|}`\\".chars() {
            assert!(!Charset::Z.contains(c), "{c}");
        }
    }

    #[test]
    fn swift_mt700_45a_a_long_line_names_the_field_and_line() {
        let format = TextFormat::new(100, 65, Charset::Z);
        let text = format!("FIRST LINE\r\nSECOND\n{}", "A".repeat(66));
        let violations = format.check(&GOODS, &text);
        assert_eq!(violations.len(), 1);
        assert_eq!(
            violations[0].to_string(),
            "SWIFT MT700 field 45A: line 3 longer than 65 characters (66) (terms.goods_description)"
        );
    }

    #[test]
    fn swift_mt700_45a_a_character_outside_z_is_flagged() {
        let format = TextFormat::new(100, 65, Charset::Z);
        let violations = format.check(&GOODS, "PRICE 100 € PER UNIT");
        assert_eq!(violations.len(), 1);
        assert_eq!(violations[0].rule, "SWIFT MT700 field 45A");
        assert!(
            violations[0]
                .detail
                .starts_with("character '\\u{20ac}' not in the SWIFT Z set")
        );
    }

    #[test]
    fn swift_mt700_50_four_lines_of_35_x_returns_every_violation() {
        let format = TextFormat::new(4, 35, Charset::X);
        let text = "ACME & SONS\nA\nB\nC\nE";
        let violations = format.check(&APPLICANT, text);
        // '&' is Z, not X; five lines
        assert_eq!(violations.len(), 2, "{violations:?}");
        assert!(SwiftText::parse(&APPLICANT, "ACME LTD\r\n1 MAIN STREET", format).is_ok());
        assert!(format.check(&APPLICANT, "").len() == 1);
    }

    #[test]
    fn swift_t26_a_line_may_not_start_with_a_delimiter() {
        let format = TextFormat::new(4, 35, Charset::X);
        assert_eq!(format.check(&APPLICANT, "ACME\n-BRANCH").len(), 1);
        assert_eq!(format.check(&APPLICANT, "ACME\n:20:X").len(), 1);
    }

    #[test]
    fn stored_text_is_normalised_to_lf_and_rendered_with_crlf() {
        let text = SwiftText::parse(&GOODS, "A\r\nB", TextFormat::new(2, 65, Charset::Z)).unwrap();
        assert_eq!(text.as_str(), "A\nB");
        assert_eq!(text.to_swift(), "A\r\nB");
        let json = serde_json::to_value(&text).unwrap();
        assert_eq!(serde_json::from_value::<SwiftText>(json).unwrap(), text);
        assert!(serde_json::from_value::<SwiftText>(serde_json::json!("€")).is_err());
    }

    #[test]
    fn swift_dates_are_yymmdd() {
        let date = parse_yymmdd(&EXPIRY, "261231").unwrap();
        assert_eq!(date, NaiveDate::from_ymd_opt(2026, 12, 31).unwrap());
        assert_eq!(format_yymmdd(&EXPIRY, date).unwrap(), "261231");
        for bad in ["261331", "260230", "2612311", "26-12-3", ""] {
            let error = parse_yymmdd(&EXPIRY, bad).unwrap_err();
            assert_eq!(error.rule, "SWIFT MT700 field 31D", "{bad}");
        }
        assert!(parse_iso_date(&EXPIRY, "2026-12-31").is_ok());
        assert!(parse_iso_date(&EXPIRY, "31.12.2026").is_err());
    }
}
