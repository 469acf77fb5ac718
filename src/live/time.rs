//! ISO-8601 timestamps as the agent APIs send them (`2021-02-03T17:59:07.650Z`, CXone's
//! `StartTimeUTC`), read into epoch milliseconds so that events can be ordered and "since when"
//! shown. Plain arithmetic, no date crate.

/// Milliseconds since the Unix epoch of `text` (`YYYY-MM-DDTHH:MM:SS[.fff][Z|±HH:MM]`), or
/// `None` for anything else. A missing zone is read as UTC (CXone names the field `...UTC`).
pub fn parse_iso_ms(text: &str) -> Option<u64> {
    let text = text.trim();
    let bytes = text.as_bytes();
    if bytes.len() < 19 || !text.is_ascii() {
        return None;
    }
    let number = |range: std::ops::Range<usize>| -> Option<i64> {
        let part = &text[range];
        part.bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| part.parse().ok())
            .flatten()
    };
    let separators_ok = bytes[4] == b'-'
        && bytes[7] == b'-'
        && matches!(bytes[10], b'T' | b't' | b' ')
        && bytes[13] == b':'
        && bytes[16] == b':';
    if !separators_ok {
        return None;
    }
    let (year, month, day) = (number(0..4)?, number(5..7)?, number(8..10)?);
    let (hour, minute, second) = (number(11..13)?, number(14..16)?, number(17..19)?);
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || hour > 23 || minute > 59 {
        return None;
    }
    if second > 60 {
        return None;
    }
    let mut rest = &text[19..];
    let mut millis = 0i64;
    if let Some(fraction) = rest.strip_prefix('.') {
        let digits = fraction.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return None;
        }
        let padded: String = fraction[..digits]
            .chars()
            .chain("000".chars())
            .take(3)
            .collect();
        millis = padded.parse().ok()?;
        rest = &fraction[digits..];
    }
    let offset_minutes = match rest {
        "" | "Z" | "z" => 0,
        _ => {
            let sign = match rest.as_bytes()[0] {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let zone = &rest[1..];
            let (h, m) = match zone.len() {
                5 if zone.as_bytes()[2] == b':' => (&zone[..2], &zone[3..]),
                4 => (&zone[..2], &zone[2..]),
                _ => return None,
            };
            let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
            if !all_digits(h) || !all_digits(m) {
                return None;
            }
            sign * (h.parse::<i64>().ok()? * 60 + m.parse::<i64>().ok()?)
        }
    };
    let days = days_from_civil(year, month, day);
    let seconds = days * 86_400 + hour * 3_600 + minute * 60 + second - offset_minutes * 60;
    let total = seconds.checked_mul(1_000)?.checked_add(millis)?;
    u64::try_from(total).ok()
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_index = (month + 9) % 12;
    let day_of_year = (153 * month_index + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// `12 s`, `4 min`, `1 h 02 min`: how long ago, for "since" labels and "N s since last event".
pub fn format_elapsed(elapsed_ms: u64) -> String {
    let secs = elapsed_ms / 1000;
    match (secs / 3600, secs % 3600 / 60, secs % 60) {
        (0, 0, s) => format!("{s} s"),
        (0, m, _) => format!("{m} min"),
        (h, m, _) => format!("{h} h {m:02} min"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_shapes_the_apis_send() {
        // The channel example from the Genesys CLI sample.
        assert_eq!(
            parse_iso_ms("2021-02-03T17:59:07.650Z"),
            Some(1_612_375_147_650)
        );
        assert_eq!(
            parse_iso_ms("2021-02-03T17:59:07Z"),
            Some(1_612_375_147_000)
        );
        assert_eq!(parse_iso_ms("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(
            parse_iso_ms("2021-02-03T17:59:07.6Z"),
            Some(1_612_375_147_600)
        );
        assert_eq!(
            parse_iso_ms("2021-02-03T17:59:07.650123Z"),
            Some(1_612_375_147_650),
            "microseconds are cut, not rounded"
        );
        assert_eq!(
            parse_iso_ms("2021-02-03T18:59:07.650+01:00"),
            Some(1_612_375_147_650)
        );
        assert_eq!(
            parse_iso_ms("2021-02-03T16:59:07.650-0100"),
            Some(1_612_375_147_650)
        );
        assert_eq!(
            parse_iso_ms("2021-02-03T17:59:07.650"),
            Some(1_612_375_147_650),
            "no zone: UTC"
        );
        assert_eq!(
            parse_iso_ms("2024-02-29T00:00:00Z"),
            Some(1_709_164_800_000)
        );
    }

    #[test]
    fn refuses_what_is_not_a_timestamp() {
        for text in [
            "",
            "yesterday",
            "2021-02-03",
            "2021-13-03T17:59:07Z",
            "2021-02-03T24:59:07Z",
            "2021-02-03T17:59:07.Z",
            "2021-02-03T17:59:07+1",
            "2021-02-03X17:59:07Z",
            "+021-02-03T17:59:07Z",
            "1969-12-31T23:59:59Z",
            "2021-02-03T17:59:07Zjunk",
            "2021-02-03T17:59:07.650+ab:cd",
            "2021-02-03T17:59:0é",
        ] {
            assert_eq!(parse_iso_ms(text), None, "{text}");
        }
    }

    #[test]
    fn elapsed_reads_naturally() {
        assert_eq!(format_elapsed(0), "0 s");
        assert_eq!(format_elapsed(12_999), "12 s");
        assert_eq!(format_elapsed(245_000), "4 min");
        assert_eq!(format_elapsed(3_720_000), "1 h 02 min");
    }
}
