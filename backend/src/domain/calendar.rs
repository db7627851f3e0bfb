//! Banking days of a place. The credit rules count in them: the examination
//! deadline is the fifth banking day following presentation (UCP 600 art.
//! 14(b)); an expiry date or last presentation day that falls on a day the
//! bank is closed moves to its next banking day (UCP 600 art. 29(a)); ISP98
//! (rule 5.01) and URDG 758 (art. 20) count business days the same way.
//!
//! A calendar knows its holidays only for the period it covers. Counting
//! that needs a day outside it is refused rather than guessed, because a
//! wrong deadline is a liability for the bank.

use std::collections::BTreeSet;

use chrono::{Datelike, Days, NaiveDate, Weekday};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BankingCalendar {
    code: String,
    /// Indexed by days from Monday.
    weekend: [bool; 7],
    holidays: BTreeSet<NaiveDate>,
    covered_from: NaiveDate,
    covered_until: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    #[error(
        "calendar {code} knows its holidays only from {covered_from} to {covered_until}; {date} is outside"
    )]
    NotCovered {
        code: String,
        date: NaiveDate,
        covered_from: NaiveDate,
        covered_until: NaiveDate,
    },
    #[error(
        "weekend days are ISO weekday numbers 1 (Monday) to 7 (Sunday), and at least one day of the week must be a working day"
    )]
    InvalidWeekend,
    #[error("a calendar's coverage must start on or before it ends")]
    InvalidCoverage,
}

impl BankingCalendar {
    /// `weekend_days` are ISO weekday numbers, 1 = Monday ... 7 = Sunday.
    pub fn new(
        code: impl Into<String>,
        weekend_days: &[i16],
        holidays: impl IntoIterator<Item = NaiveDate>,
        covered_from: NaiveDate,
        covered_until: NaiveDate,
    ) -> Result<Self, CalendarError> {
        let mut weekend = [false; 7];
        for &day in weekend_days {
            let index = usize::try_from(day - 1).map_err(|_| CalendarError::InvalidWeekend)?;
            *weekend
                .get_mut(index)
                .ok_or(CalendarError::InvalidWeekend)? = true;
        }
        if weekend.iter().all(|&closed| closed) {
            return Err(CalendarError::InvalidWeekend);
        }
        if covered_from > covered_until {
            return Err(CalendarError::InvalidCoverage);
        }
        Ok(Self {
            code: code.into(),
            weekend,
            holidays: holidays.into_iter().collect(),
            covered_from,
            covered_until,
        })
    }

    pub fn code(&self) -> &str {
        &self.code
    }

    pub fn is_weekend(&self, weekday: Weekday) -> bool {
        self.weekend[weekday.num_days_from_monday() as usize]
    }

    /// Whether banks of this place are open on `date`.
    pub fn is_banking_day(&self, date: NaiveDate) -> Result<bool, CalendarError> {
        self.check_covered(date)?;
        Ok(!self.is_weekend(date.weekday()) && !self.holidays.contains(&date))
    }

    /// `date` itself if it is a banking day, otherwise the first banking day
    /// after it (UCP 600 art. 29(a)).
    pub fn next_banking_day_on_or_after(
        &self,
        date: NaiveDate,
    ) -> Result<NaiveDate, CalendarError> {
        let mut day = date;
        while !self.is_banking_day(day)? {
            day = self.day_after(day)?;
        }
        Ok(day)
    }

    /// The `count`-th banking day following `date`, not counting `date`
    /// itself (UCP 600 art. 14(b): "a maximum of five banking days following
    /// the day of presentation").
    pub fn add_banking_days(
        &self,
        date: NaiveDate,
        count: u32,
    ) -> Result<NaiveDate, CalendarError> {
        self.check_covered(date)?;
        let mut day = date;
        let mut remaining = count;
        while remaining > 0 {
            day = self.day_after(day)?;
            if self.is_banking_day(day)? {
                remaining -= 1;
            }
        }
        Ok(day)
    }

    /// Banking days after `from` up to and including `to` (zero when `to` is
    /// not after `from`): "banking days left" until a deadline.
    pub fn banking_days_between(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<u32, CalendarError> {
        let mut count = 0;
        let mut day = from;
        while day < to {
            day = self.day_after(day)?;
            if self.is_banking_day(day)? {
                count += 1;
            }
        }
        Ok(count)
    }

    fn day_after(&self, date: NaiveDate) -> Result<NaiveDate, CalendarError> {
        let next = date
            .checked_add_days(Days::new(1))
            .ok_or_else(|| self.not_covered(date))?;
        self.check_covered(next)?;
        Ok(next)
    }

    fn check_covered(&self, date: NaiveDate) -> Result<(), CalendarError> {
        if date < self.covered_from || date > self.covered_until {
            return Err(self.not_covered(date));
        }
        Ok(())
    }

    fn not_covered(&self, date: NaiveDate) -> CalendarError {
        CalendarError::NotCovered {
            code: self.code.clone(),
            date,
            covered_from: self.covered_from,
            covered_until: self.covered_until,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn date(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    /// Frankfurt banks at the end of 2026: Christmas Eve to Boxing Day and
    /// New Year's Eve closed.
    fn frankfurt() -> BankingCalendar {
        BankingCalendar::new(
            "DE-FF",
            &[6, 7],
            [
                "2026-12-24",
                "2026-12-25",
                "2026-12-26",
                "2026-12-31",
                "2027-01-01",
            ]
            .map(date),
            date("2026-01-01"),
            date("2027-12-31"),
        )
        .unwrap()
    }

    /// A Friday-Saturday weekend, as in several Gulf states.
    fn gulf() -> BankingCalendar {
        BankingCalendar::new("AE", &[5, 6], [], date("2026-01-01"), date("2026-12-31")).unwrap()
    }

    #[test]
    fn ucp600_art14b_examination_ends_on_the_fifth_banking_day_following_presentation() {
        // presented Thursday 17 Dec: Fri 18, Mon 21, Tue 22, Wed 23, then
        // the holidays and the weekend, so the fifth is Monday 28 Dec
        assert_eq!(
            frankfurt().add_banking_days(date("2026-12-17"), 5),
            Ok(date("2026-12-28"))
        );
    }

    #[test]
    fn ucp600_art14b_the_day_of_presentation_is_not_counted() {
        assert_eq!(
            frankfurt().add_banking_days(date("2026-03-02"), 1),
            Ok(date("2026-03-03"))
        );
        assert_eq!(
            frankfurt().add_banking_days(date("2026-03-02"), 0),
            Ok(date("2026-03-02"))
        );
    }

    #[test]
    fn ucp600_art29a_expiry_on_a_closed_day_moves_to_the_next_banking_day() {
        // Saturday 26 Dec (also a holiday) -> Monday 28 Dec
        assert_eq!(
            frankfurt().next_banking_day_on_or_after(date("2026-12-26")),
            Ok(date("2026-12-28"))
        );
        // 31 Dec holiday, 1 Jan holiday, then a weekend -> Monday 4 Jan
        assert_eq!(
            frankfurt().next_banking_day_on_or_after(date("2026-12-31")),
            Ok(date("2027-01-04"))
        );
        // a banking day stays as it is
        assert_eq!(
            frankfurt().next_banking_day_on_or_after(date("2026-12-23")),
            Ok(date("2026-12-23"))
        );
    }

    #[test]
    fn weekends_follow_the_place_not_a_fixed_saturday_and_sunday() {
        let gulf = gulf();
        assert_eq!(gulf.is_banking_day(date("2026-11-20")), Ok(false)); // Friday
        assert_eq!(gulf.is_banking_day(date("2026-11-22")), Ok(true)); // Sunday
        // presented Thursday 19 Nov: Sun 22, Mon 23, Tue 24, Wed 25, Thu 26
        assert_eq!(
            gulf.add_banking_days(date("2026-11-19"), 5),
            Ok(date("2026-11-26"))
        );
    }

    #[test]
    fn counting_past_the_known_holidays_is_refused_not_guessed() {
        let error = gulf().add_banking_days(date("2026-12-28"), 5).unwrap_err();
        assert!(
            matches!(error, CalendarError::NotCovered { date, .. } if date == self::date("2027-01-01"))
        );
        assert!(gulf().is_banking_day(date("2025-12-31")).is_err());
    }

    #[test]
    fn banking_days_left_until_a_deadline() {
        let cal = frankfurt();
        assert_eq!(
            cal.banking_days_between(date("2026-12-22"), date("2026-12-28")),
            Ok(2)
        );
        assert_eq!(
            cal.banking_days_between(date("2026-12-28"), date("2026-12-28")),
            Ok(0)
        );
        assert_eq!(
            cal.banking_days_between(date("2026-12-29"), date("2026-12-28")),
            Ok(0)
        );
    }

    #[test]
    fn a_week_without_working_days_is_refused() {
        let every_day = [1, 2, 3, 4, 5, 6, 7];
        assert_eq!(
            BankingCalendar::new("XX", &every_day, [], date("2026-01-01"), date("2026-12-31")),
            Err(CalendarError::InvalidWeekend)
        );
        assert_eq!(
            BankingCalendar::new("XX", &[0], [], date("2026-01-01"), date("2026-12-31")),
            Err(CalendarError::InvalidWeekend)
        );
    }

    fn any_calendar() -> impl Strategy<Value = BankingCalendar> {
        (
            proptest::sample::subsequence(vec![1i16, 2, 3, 4, 5, 6, 7], 0..=3),
            proptest::collection::btree_set(0u64..730, 0..60),
        )
            .prop_map(|(weekend, holiday_offsets)| {
                let start = date("2026-01-01");
                let holidays = holiday_offsets.into_iter().map(|d| start + Days::new(d));
                BankingCalendar::new("PT", &weekend, holidays, start, date("2029-12-31")).unwrap()
            })
    }

    proptest! {
        #[test]
        fn ucp600_art14b_the_deadline_is_a_banking_day_with_exactly_n_banking_days_after_presentation(
            calendar in any_calendar(), offset in 0u64..700, count in 1u32..10,
        ) {
            let presented = date("2026-01-01") + Days::new(offset);
            let deadline = calendar.add_banking_days(presented, count).unwrap();
            prop_assert!(deadline > presented);
            prop_assert!(calendar.is_banking_day(deadline).unwrap());
            prop_assert_eq!(calendar.banking_days_between(presented, deadline).unwrap(), count);
        }

        #[test]
        fn ucp600_art29a_no_banking_day_is_skipped(calendar in any_calendar(), offset in 0u64..700) {
            let day = date("2026-01-01") + Days::new(offset);
            let next = calendar.next_banking_day_on_or_after(day).unwrap();
            prop_assert!(next >= day);
            prop_assert!(calendar.is_banking_day(next).unwrap());
            let mut between = day;
            while between < next {
                prop_assert!(!calendar.is_banking_day(between).unwrap());
                between = between + Days::new(1);
            }
        }
    }
}
