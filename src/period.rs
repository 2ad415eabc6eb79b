//! Reporting periods: `YYYY-MM`, `YYYY-Qn`, `YYYY-Www` (ISO week), `YYYY-MM-DD` and RFC 3339
//! timestamps, each as the span of days it covers.

use jiff::civil::{Date, ISOWeekDate, Weekday};

/// One reporting period: the first and last day it covers, and how it was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Period {
    /// Last day covered (periods order by their end first: the latest period is the one
    /// that ends last).
    pub end: Date,
    /// First day covered.
    pub start: Date,
    /// How it was written.
    pub kind: PeriodKind,
}

/// The spelling of a period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PeriodKind {
    /// `YYYY-MM-DD` or an RFC 3339 timestamp (its UTC date).
    Day,
    /// `YYYY-Www`.
    Week,
    /// `YYYY-MM`.
    Month,
    /// `YYYY-Qn`.
    Quarter,
}

impl Period {
    /// The period of a kind that ends on `end` (a day that ends one: see [`Period::parse`]).
    #[must_use]
    pub fn ending(end: Date, kind: PeriodKind) -> Self {
        let start = match kind {
            PeriodKind::Day => Some(end),
            PeriodKind::Week => end.checked_sub(jiff::Span::new().days(6)).ok(),
            PeriodKind::Month => Some(end.first_of_month()),
            PeriodKind::Quarter => Date::new(end.year(), end.month() - 2, 1).ok(),
        };
        Self {
            end,
            start: start.unwrap_or(end),
            kind,
        }
    }

    /// Parses a period; `None` if it is none of the accepted forms or not a real date.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        let b = s.as_bytes();
        if b.len() < 7 || b[4] != b'-' {
            return None;
        }
        let year = digits(&b[..4])?;
        let year = i16::try_from(year).ok()?;
        match (b.len(), b[5]) {
            (7, b'Q' | b'q') => {
                let q = digits(&b[6..7])?;
                if !(1..=4).contains(&q) {
                    return None;
                }
                let month = i8::try_from(q * 3 - 2).ok()?;
                let start = Date::new(year, month, 1).ok()?;
                let end = start
                    .checked_add(jiff::Span::new().months(3))
                    .ok()?
                    .yesterday()
                    .ok()?;
                Some(Self {
                    end,
                    start,
                    kind: PeriodKind::Quarter,
                })
            }
            (8, b'W' | b'w') => {
                let week = i8::try_from(digits(&b[6..8])?).ok()?;
                let start = ISOWeekDate::new(year, week, Weekday::Monday).ok()?.date();
                let end = ISOWeekDate::new(year, week, Weekday::Sunday).ok()?.date();
                Some(Self {
                    end,
                    start,
                    kind: PeriodKind::Week,
                })
            }
            (7, _) => {
                let month = i8::try_from(digits(&b[5..7])?).ok()?;
                let start = Date::new(year, month, 1).ok()?;
                Some(Self {
                    end: start.last_of_month(),
                    start,
                    kind: PeriodKind::Month,
                })
            }
            (10, _) => {
                let day: Date = s.parse().ok()?;
                Some(Self {
                    end: day,
                    start: day,
                    kind: PeriodKind::Day,
                })
            }
            _ if b.len() > 10 && matches!(b[10], b'T' | b't' | b' ') => {
                let ts: jiff::Timestamp = s.parse().ok()?;
                let day = ts.to_zoned_datetime(jiff::tz::TimeZone::UTC).date();
                // An offset can carry year 0 or 9999 out of the four digits every other
                // form is written with (`0000-01-01 00:00+02:00` is a day of year -1).
                if !(0..=9999).contains(&day.year()) {
                    return None;
                }
                Some(Self {
                    end: day,
                    start: day,
                    kind: PeriodKind::Day,
                })
            }
            _ => None,
        }
    }
}

impl std::fmt::Display for Period {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.kind {
            PeriodKind::Day => write!(f, "{}", self.start),
            PeriodKind::Month => write!(f, "{:04}-{:02}", self.start.year(), self.start.month()),
            PeriodKind::Quarter => {
                write!(
                    f,
                    "{:04}-Q{}",
                    self.start.year(),
                    (self.start.month() - 1) / 3 + 1
                )
            }
            PeriodKind::Week => {
                let iso = self.start.iso_week_date();
                write!(f, "{:04}-W{:02}", iso.year(), iso.week())
            }
        }
    }
}

fn digits(b: &[u8]) -> Option<i32> {
    let mut v = 0i32;
    for &c in b {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v * 10 + i32::from(c - b'0');
    }
    Some(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Found by fuzzing: a timestamp whose offset moves its day out of years 0..=9999
    /// would print as a period that does not parse back.
    #[test]
    fn timestamps_stay_in_four_digit_years() {
        assert!(Period::parse("0000-01-01 00+0201").is_none());
        assert!(Period::parse("9999-12-31T23:00:00-02:00").is_none());
        let p = Period::parse("2026-10-31T23:30:00-02:00").unwrap();
        assert_eq!(p.to_string(), "2026-11-01");
    }

    fn span(s: &str) -> Option<(String, String)> {
        Period::parse(s).map(|p| (p.start.to_string(), p.end.to_string()))
    }

    #[test]
    fn months_and_leap_years() {
        assert_eq!(
            span("2026-09"),
            Some(("2026-09-01".into(), "2026-09-30".into()))
        );
        assert_eq!(
            span("2024-02"),
            Some(("2024-02-01".into(), "2024-02-29".into()))
        );
        assert_eq!(
            span("2026-02"),
            Some(("2026-02-01".into(), "2026-02-28".into()))
        );
        assert_eq!(span("2026-13"), None);
        assert_eq!(span("2026-00"), None);
    }

    #[test]
    fn quarters() {
        assert_eq!(
            span("2026-Q1"),
            Some(("2026-01-01".into(), "2026-03-31".into()))
        );
        assert_eq!(
            span("2026-Q4"),
            Some(("2026-10-01".into(), "2026-12-31".into()))
        );
        assert_eq!(span("2026-Q5"), None);
        assert_eq!(span("2026-Q0"), None);
    }

    #[test]
    fn iso_weeks_including_week_53() {
        // 2026 has 53 ISO weeks (it starts on a Thursday); 2025 has 52.
        assert_eq!(
            span("2026-W53"),
            Some(("2026-12-28".into(), "2027-01-03".into()))
        );
        assert_eq!(span("2025-W53"), None);
        assert_eq!(
            span("2026-W01"),
            Some(("2025-12-29".into(), "2026-01-04".into()))
        );
        assert_eq!(span("2026-W00"), None);
    }

    #[test]
    fn days_and_timestamps() {
        assert_eq!(
            span("2024-02-29"),
            Some(("2024-02-29".into(), "2024-02-29".into()))
        );
        assert_eq!(span("2026-02-29"), None);
        assert_eq!(
            span("2026-10-31T23:30:00-02:00"),
            Some(("2026-11-01".into(), "2026-11-01".into()))
        );
        assert_eq!(
            span("2026-10-31T10:00:00Z"),
            Some(("2026-10-31".into(), "2026-10-31".into()))
        );
        assert_eq!(span("October"), None);
        assert_eq!(
            span("2026-10-31T10:00:00"),
            None,
            "a timestamp needs an offset"
        );
    }

    #[test]
    fn display_round_trips() {
        for s in ["2026-09", "2026-Q3", "2026-W05", "2026-10-31"] {
            assert_eq!(Period::parse(s).unwrap().to_string(), s);
        }
    }
}
