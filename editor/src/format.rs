//! Turns raw API values into what people read: counts with thousands separators, rates, dates and
//! short excerpts. Pure functions (the browser clock and time zone are passed in), unit-tested
//! natively with `cargo test -p cairn-editor`.

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

const MINUTE_MS: i64 = 60_000;
const HOUR_MS: i64 = 60 * MINUTE_MS;
const DAY_MS: i64 = 24 * HOUR_MS;

/// `1234567` → `"1,234,567"`.
pub fn count(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A rate with one decimal (`12.3`); an em dash when there was nothing to divide by.
pub fn rate(value: Option<f64>) -> String {
    match value {
        Some(v) if v.is_finite() => {
            let tenths = (v.abs() * 10.0).round() as i64;
            let sign = if v < 0.0 && tenths != 0 { "-" } else { "" };
            format!("{sign}{}.{}", count(tenths / 10), tenths % 10)
        }
        _ => "—".to_string(),
    }
}

/// A bar's CSS width for `value` on a scale whose top is `max`: `"42.5%"`. Integer arithmetic, so
/// no float-formatting code lands in the wasm.
pub fn bar_width(value: Option<f64>, max: f64) -> String {
    let tenths = match value {
        Some(v) if max > 0.0 && v.is_finite() => {
            (v / max * 1000.0).round().clamp(0.0, 1000.0) as u32
        }
        _ => 0,
    };
    format!("{}.{}%", tenths / 10, tenths % 10)
}

/// The text on one line, cut to `max_chars` characters with an ellipsis.
pub fn excerpt(text: &str, max_chars: usize) -> String {
    let collapsed = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if collapsed.chars().count() <= max_chars {
        return collapsed;
    }
    let cut: String = collapsed
        .chars()
        .take(max_chars.saturating_sub(1))
        .collect();
    format!("{}…", cut.trim_end())
}

/// A calendar date and wall-clock time.
#[derive(Debug, PartialEq, Eq)]
struct Civil {
    year: i64,
    month: u32,
    day: u32,
    hour: i64,
    minute: i64,
    second: i64,
}

/// Splits milliseconds since the epoch (already shifted to local time) into calendar fields, with
/// Howard Hinnant's `civil_from_days`, which is exact over the whole proleptic Gregorian calendar.
fn civil(ms: i64) -> Civil {
    let secs = ms.div_euclid(1000);
    let rem = secs.rem_euclid(86_400);
    let z = secs.div_euclid(86_400) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    Civil {
        year,
        month,
        day,
        hour: rem / 3600,
        minute: rem % 3600 / 60,
        second: rem % 60,
    }
}

fn month_name(month: u32) -> &'static str {
    MONTHS
        .get(month.saturating_sub(1) as usize)
        .copied()
        .unwrap_or("?")
}

/// `2025-11-26T16:05:09Z`, the machine-readable form for `<time datetime>`.
pub fn iso_utc(ms: i64) -> String {
    let c = civil(ms);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        c.year, c.month, c.day, c.hour, c.minute, c.second
    )
}

/// `26 Nov 2025, 16:05` in local time; `offset_minutes` is the local zone's offset east of UTC.
pub fn date_time(ms: i64, offset_minutes: i64) -> String {
    let c = civil(ms + offset_minutes * MINUTE_MS);
    format!(
        "{} {} {}, {:02}:{:02}",
        c.day,
        month_name(c.month),
        c.year,
        c.hour,
        c.minute
    )
}

/// When something happened, the way a table reads best: relative while recent ("5 min ago"),
/// then a date ("26 Nov, 16:05" this year, "26 Nov 2024" before).
pub fn when(now_ms: i64, ms: i64, offset_minutes: i64) -> String {
    let age = now_ms - ms;
    // A little clock skew between browser and server must not read "in the future".
    if (-MINUTE_MS..MINUTE_MS).contains(&age) {
        return "just now".to_string();
    }
    if (MINUTE_MS..HOUR_MS).contains(&age) {
        return format!("{} min ago", age / MINUTE_MS);
    }
    if (HOUR_MS..DAY_MS).contains(&age) {
        let hours = age / HOUR_MS;
        return format!("{hours} hour{} ago", if hours == 1 { "" } else { "s" });
    }
    let then = civil(ms + offset_minutes * MINUTE_MS);
    let now = civil(now_ms + offset_minutes * MINUTE_MS);
    if then.year == now.year {
        format!(
            "{} {}, {:02}:{:02}",
            then.day,
            month_name(then.month),
            then.hour,
            then.minute
        )
    } else {
        format!("{} {} {}", then.day, month_name(then.month), then.year)
    }
}

/// How a tour's lifecycle reads on its badge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TourState {
    Draft,
    Published,
    /// Published, and the draft has changed since.
    Changed,
}

impl TourState {
    pub fn of(published_version: Option<u32>, has_unpublished_changes: bool) -> Self {
        match (published_version, has_unpublished_changes) {
            (None, _) => TourState::Draft,
            (Some(_), false) => TourState::Published,
            (Some(_), true) => TourState::Changed,
        }
    }

    /// The value of the badge's `data-state` attribute and CSS modifier.
    pub fn as_str(self) -> &'static str {
        match self {
            TourState::Draft => "draft",
            TourState::Published => "published",
            TourState::Changed => "changed",
        }
    }
}

/// The badge text: `Draft`, `Published v3` or `Published v3 · unpublished changes`.
pub fn tour_status(published_version: Option<u32>, has_unpublished_changes: bool) -> String {
    match published_version {
        None => "Draft".to_string(),
        Some(v) if has_unpublished_changes => format!("Published v{v} · unpublished changes"),
        Some(v) => format!("Published v{v}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_get_thousands_separators() {
        assert_eq!(count(0), "0");
        assert_eq!(count(999), "999");
        assert_eq!(count(1000), "1,000");
        assert_eq!(count(1_234_567), "1,234,567");
        assert_eq!(count(-12_345), "-12,345");
    }

    #[test]
    fn rates_have_one_decimal_or_a_dash() {
        assert_eq!(rate(None), "—");
        assert_eq!(rate(Some(0.0)), "0.0");
        assert_eq!(rate(Some(12.345)), "12.3");
        assert_eq!(rate(Some(12.35)), "12.4");
        assert_eq!(rate(Some(1000.0)), "1,000.0");
        assert_eq!(rate(Some(0.04)), "0.0");
        assert_eq!(rate(Some(f64::NAN)), "—");
    }

    #[test]
    fn bar_widths_are_percentages_of_the_maximum() {
        assert_eq!(bar_width(Some(25.0), 25.0), "100.0%");
        assert_eq!(bar_width(Some(0.324), 25.0), "1.3%");
        assert_eq!(bar_width(Some(5.0), 0.0), "0.0%");
        assert_eq!(bar_width(None, 25.0), "0.0%");
        assert_eq!(bar_width(Some(30.0), 25.0), "100.0%");
    }

    #[test]
    fn excerpts_collapse_white_space_and_cut() {
        assert_eq!(excerpt("  short\n text ", 20), "short text");
        assert_eq!(excerpt("abcdefghij", 10), "abcdefghij");
        assert_eq!(excerpt("abcdefghijk", 10), "abcdefghi…");
        assert_eq!(excerpt("héllo wörld again", 8), "héllo w…");
        assert_eq!(excerpt("one two three", 5), "one…");
    }

    #[test]
    fn iso_dates_are_exact() {
        assert_eq!(iso_utc(0), "1970-01-01T00:00:00Z");
        assert_eq!(iso_utc(1_764_173_109_000), "2025-11-26T16:05:09Z");
        // Leap day, and a time before the epoch.
        assert_eq!(iso_utc(951_782_400_000), "2000-02-29T00:00:00Z");
        assert_eq!(iso_utc(-1000), "1969-12-31T23:59:59Z");
    }

    #[test]
    fn local_date_time_applies_the_offset() {
        let ms = 1_764_173_109_000; // 2025-11-26 16:05:09 UTC
        assert_eq!(date_time(ms, 0), "26 Nov 2025, 16:05");
        assert_eq!(date_time(ms, 60), "26 Nov 2025, 17:05");
        assert_eq!(date_time(ms, 8 * 60), "27 Nov 2025, 00:05");
        assert_eq!(date_time(ms, -5 * 60), "26 Nov 2025, 11:05");
    }

    #[test]
    fn when_is_relative_while_recent() {
        let now = 1_764_173_109_000;
        assert_eq!(when(now, now, 0), "just now");
        assert_eq!(when(now, now + 30_000, 0), "just now");
        assert_eq!(when(now, now - 59_000, 0), "just now");
        assert_eq!(when(now, now - 5 * MINUTE_MS, 0), "5 min ago");
        assert_eq!(when(now, now - HOUR_MS, 0), "1 hour ago");
        assert_eq!(when(now, now - 3 * HOUR_MS - 1, 0), "3 hours ago");
        assert_eq!(when(now, now - 2 * DAY_MS, 0), "24 Nov, 16:05");
        assert_eq!(when(now, now - 400 * DAY_MS, 0), "22 Oct 2024");
        // Far in the future (a wrong clock): a date, not "just now".
        assert_eq!(when(now, now + 2 * DAY_MS, 0), "28 Nov, 16:05");
    }

    #[test]
    fn tour_badges() {
        assert_eq!(tour_status(None, true), "Draft");
        assert_eq!(tour_status(Some(3), false), "Published v3");
        assert_eq!(
            tour_status(Some(3), true),
            "Published v3 · unpublished changes"
        );
        assert_eq!(TourState::of(None, false), TourState::Draft);
        assert_eq!(TourState::of(Some(1), false).as_str(), "published");
        assert_eq!(TourState::of(Some(1), true).as_str(), "changed");
    }
}
