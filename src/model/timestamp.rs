//! `Timestamp`: an instant in UTC with millisecond precision, written as ISO-8601.
//!
//! Owns the date format of the wire (`2024-05-01T12:00:00.000Z`) and its parsing.
//! It does not read the clock: the service is handed the current time, so rules are
//! testable and the wasm build uses `Date.now()`.

use super::error::{MembersError, MembersResult};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// Milliseconds since the Unix epoch, UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(pub i64);

impl Timestamp {
    /// Milliseconds since the epoch.
    pub fn millis(self) -> i64 {
        self.0
    }

    /// Parses an RFC 3339 date-time (`YYYY-MM-DDTHH:MM:SS[.fff]Z` or with
    /// `±HH:MM`), as JSON input and the OpenAPI document's `date-time` have it.
    pub fn parse(text: &str) -> Option<Timestamp> {
        let b = text.as_bytes();
        if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't') {
            return None;
        }
        Timestamp::parse_spaced(text)
    }

    /// As `parse`, also with a space for the `T` (`2024-01-02 10:00:00Z`), as
    /// spreadsheets and other exports (CSV rows) write dates.
    pub fn parse_spaced(text: &str) -> Option<Timestamp> {
        let b = text.as_bytes();
        if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't' | b' ') {
            return None;
        }
        let num = |from: usize, to: usize| -> Option<i64> {
            let part = text.get(from..to)?;
            part.bytes()
                .all(|c| c.is_ascii_digit())
                .then(|| part.parse().ok())?
        };
        let (year, month, day) = (num(0, 4)?, num(5, 7)?, num(8, 10)?);
        if b[13] != b':' || b[16] != b':' {
            return None;
        }
        let (hour, minute, second) = (num(11, 13)?, num(14, 16)?, num(17, 19)?);
        if !(1..=12).contains(&month)
            || day < 1
            || day > days_in_month(year, month)
            || hour > 23
            || minute > 59
            || second > 60
        {
            return None;
        }
        let mut rest = &text[19..];
        let mut millis = 0i64;
        if let Some(fraction) = rest.strip_prefix('.') {
            let digits = fraction.bytes().take_while(u8::is_ascii_digit).count();
            if digits == 0 {
                return None;
            }
            // The first three digits, padded with zeros: ".5" is 500 ms.
            millis = fraction[..digits]
                .bytes()
                .chain(std::iter::repeat(b'0'))
                .take(3)
                .fold(0, |ms, digit| ms * 10 + i64::from(digit - b'0'));
            rest = &fraction[digits..];
        }
        let offset_minutes = match rest {
            "Z" | "z" => 0,
            _ if rest.len() == 6
                && (rest.starts_with('+') || rest.starts_with('-'))
                && rest.as_bytes()[3] == b':' =>
            {
                let sign = if rest.starts_with('-') { -1 } else { 1 };
                let two = |from: usize| -> Option<i64> {
                    let part = rest.get(from..from + 2)?;
                    part.bytes()
                        .all(|c| c.is_ascii_digit())
                        .then(|| part.parse().ok())?
                };
                let (hours, minutes) = (two(1)?, two(4)?);
                if hours > 23 || minutes > 59 {
                    return None;
                }
                sign * (hours * 60 + minutes)
            }
            _ => return None,
        };
        let days = days_from_civil(year, month, day);
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offset_minutes * 60;
        let instant = seconds * 1000 + millis;
        // Only what is written back with a four-digit year: an offset (or a leap
        // second) can push 0000-01-01 or 9999-12-31 past it.
        let years =
            days_from_civil(0, 1, 1) * 86_400_000..days_from_civil(10_000, 1, 1) * 86_400_000;
        years.contains(&instant).then_some(Timestamp(instant))
    }

    /// Parses a value given for `field`, naming it in the error.
    pub fn parse_field(text: &str, field: &str) -> MembersResult<Timestamp> {
        Timestamp::parse(text).ok_or_else(|| {
            MembersError::invalid_field(
                field,
                "FORMAT",
                format!("{text:?} is not an ISO-8601 date-time"),
            )
        })
    }
}

impl Timestamp {
    /// Year, month, day, hour, minute, second and millisecond, in UTC.
    fn parts(self) -> [i64; 7] {
        let millis = self.0.rem_euclid(1000);
        let seconds = self.0.div_euclid(1000);
        let of_day = seconds.rem_euclid(86_400);
        let (year, month, day) = civil_from_days(seconds.div_euclid(86_400));
        let (hour, minute, second) = (of_day / 3600, of_day % 3600 / 60, of_day % 60);
        [year, month, day, hour, minute, second, millis]
    }

    /// The wire text, written into `out` without the formatting machinery (every
    /// member on every reply carries two or three dates); None past year 9999,
    /// which `parse` never makes.
    fn write_iso(self, out: &mut [u8; 24]) -> Option<&str> {
        let parts = self.parts();
        if !(0..=9999).contains(&parts[0]) {
            return None;
        }
        // Where each part's digits start, and how many there are.
        let places = [(0, 4), (5, 2), (8, 2), (11, 2), (14, 2), (17, 2), (20, 3)];
        for (mut value, (at, width)) in parts.into_iter().zip(places) {
            for slot in out[at..at + width].iter_mut().rev() {
                *slot = b'0' + (value % 10) as u8;
                value /= 10;
            }
        }
        for (at, mark) in [
            (4, b'-'),
            (7, b'-'),
            (10, b'T'),
            (13, b':'),
            (16, b':'),
            (19, b'.'),
            (23, b'Z'),
        ] {
            out[at] = mark;
        }
        std::str::from_utf8(out).ok()
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(text) = self.write_iso(&mut [0; 24]) {
            return f.write_str(text);
        }
        let [year, month, day, hour, minute, second, millis] = self.parts();
        write!(
            f,
            "{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}.{millis:03}Z"
        )
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.write_iso(&mut [0; 24]) {
            Some(text) => serializer.serialize_str(text),
            None => serializer.collect_str(self),
        }
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_str(IsoText)
    }
}

/// Reads a date from the text as it lies in the input: no String is made for it.
struct IsoText;

impl serde::de::Visitor<'_> for IsoText {
    type Value = Timestamp;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an ISO-8601 date")
    }

    fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<Timestamp, E> {
        Timestamp::parse(text).ok_or_else(|| E::custom(format!("{text:?} is not an ISO-8601 date")))
    }
}

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The inverse of `days_from_civil`.
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// True for a calendar date written `YYYY-MM-DD`.
pub fn is_calendar_date(text: &str) -> bool {
    let b = text.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let digits = |r: std::ops::Range<usize>| b[r.clone()].iter().all(u8::is_ascii_digit);
    if !(digits(0..4) && digits(5..7) && digits(8..10)) {
        return false;
    }
    let year: i64 = text[0..4].parse().unwrap_or(0);
    let month: i64 = text[5..7].parse().unwrap_or(0);
    let day: i64 = text[8..10].parse().unwrap_or(0);
    (1..=12).contains(&month) && day >= 1 && day <= days_in_month(year, month)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_and_parses_iso_dates_both_ways() {
        let t = Timestamp::parse("2024-02-29T23:59:58.123Z").unwrap();
        assert_eq!(t.to_string(), "2024-02-29T23:59:58.123Z");
        assert_eq!(Timestamp(0).to_string(), "1970-01-01T00:00:00.000Z");
        assert_eq!(Timestamp(-1).to_string(), "1969-12-31T23:59:59.999Z");
    }

    #[test]
    fn fractions_are_read_as_milliseconds() {
        let at = |text| Timestamp::parse(text).unwrap().0 % 1000;
        assert_eq!(at("2024-01-01T00:00:00.5Z"), 500);
        assert_eq!(at("2024-01-01T00:00:00.05Z"), 50);
        assert_eq!(at("2024-01-01T00:00:00.12345Z"), 123);
        assert_eq!(at("2024-01-01T00:00:00.999+01:00"), 999);
        assert!(Timestamp::parse("2024-01-01T00:00:00.Z").is_none());
    }

    #[test]
    fn the_fast_writer_matches_the_formatter_everywhere() {
        // The formatter's own text, as every date was written before the fast path.
        let formatted = |t: Timestamp| {
            let (millis, seconds) = (t.0.rem_euclid(1000), t.0.div_euclid(1000));
            let of_day = seconds.rem_euclid(86_400);
            let (year, month, day) = civil_from_days(seconds.div_euclid(86_400));
            format!(
                "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{millis:03}Z",
                of_day / 3600,
                of_day % 3600 / 60,
                of_day % 60
            )
        };
        let first = days_from_civil(0, 1, 1) * 86_400_000;
        let last = days_from_civil(10_000, 1, 1) * 86_400_000 - 1;
        let mut t = first;
        while t < last {
            let stamp = Timestamp(t);
            assert_eq!(stamp.to_string(), formatted(stamp));
            assert_eq!(
                serde_json::to_string(&stamp).unwrap(),
                format!("\"{}\"", formatted(stamp))
            );
            assert_eq!(Timestamp::parse(&stamp.to_string()), Some(stamp));
            t += 7_919_876_543; // about 92 days and an odd number of ms
        }
        for edge in [first, last, 0, -1] {
            assert_eq!(Timestamp(edge).to_string(), formatted(Timestamp(edge)));
        }
        // Past year 9999 (never parsed, but a stored number could be) the formatter writes it.
        let beyond = Timestamp(last + 1);
        assert_eq!(beyond.to_string(), "10000-01-01T00:00:00.000Z");
        assert_eq!(
            serde_json::to_string(&beyond).unwrap(),
            "\"10000-01-01T00:00:00.000Z\""
        );
    }

    #[test]
    fn dates_are_read_from_json_text() {
        let t: Timestamp = serde_json::from_str("\"2024-02-29T23:59:58.123Z\"").unwrap();
        assert_eq!(t.to_string(), "2024-02-29T23:59:58.123Z");
        let error = serde_json::from_str::<Timestamp>("\"soon\"").unwrap_err();
        assert!(
            error
                .to_string()
                .contains("\"soon\" is not an ISO-8601 date"),
            "{error}"
        );
        assert!(serde_json::from_str::<Timestamp>("12").is_err());
    }

    #[test]
    fn offsets_are_converted_to_utc() {
        let a = Timestamp::parse("2024-01-01T01:00:00+01:00").unwrap();
        let b = Timestamp::parse("2024-01-01T00:00:00Z").unwrap();
        assert_eq!(a, b);
    }

    #[test]
    fn impossible_dates_are_rejected() {
        assert!(Timestamp::parse("2023-02-29T00:00:00Z").is_none());
        assert!(Timestamp::parse("2023-13-01T00:00:00Z").is_none());
        assert!(Timestamp::parse("yesterday").is_none());
        assert!(!is_calendar_date("2023-02-30"));
        assert!(is_calendar_date("2000-02-29"));
    }
}
