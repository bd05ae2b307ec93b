//! Targeting in plain language, for authors who never see the rules as JSON: "Shown to: beginners in
//! Finance on /orders/*, once". The editor shows it live while the rules are edited; it is pure so
//! the exact wording is unit-tested here.

use crate::targeting::{AttributeRule, Frequency, Proficiency, Schedule, Targeting};

/// The whole sentence: who, where, how often and when.
pub fn targeting(t: &Targeting) -> String {
    let mut out = format!("Shown to: {} {}", audience(t), pages(&t.url_patterns));
    out.push_str(", ");
    out.push_str(frequency(t.frequency));
    if let Some(s) = t.schedule.as_ref().and_then(schedule) {
        out.push_str(", ");
        out.push_str(&s);
    }
    out
}

/// Who: proficiency levels and attribute rules ("beginners in Finance", "everyone").
pub fn audience(t: &Targeting) -> String {
    let mut levels: Vec<Proficiency> = t.proficiency.clone();
    levels.sort();
    levels.dedup();
    let rules: Vec<String> = t.attributes.iter().filter_map(attribute).collect();
    // Every level listed is the same as none listed.
    let base = if levels.is_empty() || levels.len() == Proficiency::ALL.len() {
        if rules.is_empty() {
            "everyone".to_string()
        } else {
            "users".to_string()
        }
    } else {
        join_or(
            &levels.iter().map(|p| plural(*p)).collect::<Vec<_>>(),
            "and",
        )
    };
    if rules.is_empty() {
        base
    } else {
        format!("{base} {}", rules.join(" and "))
    }
}

fn plural(p: Proficiency) -> String {
    match p {
        Proficiency::Beginner => "beginners",
        Proficiency::Intermediate => "intermediate users",
        Proficiency::Expert => "experts",
    }
    .to_string()
}

/// One attribute rule as a phrase; `None` for an incomplete rule (no name or no values yet).
pub fn attribute(rule: &AttributeRule) -> Option<String> {
    let name = rule.attribute.trim();
    let values: Vec<String> = rule
        .one_of
        .iter()
        .map(|v| v.trim())
        .filter(|v| !v.is_empty())
        .map(str::to_string)
        .collect();
    if name.is_empty() || values.is_empty() {
        return None;
    }
    let list = join_or(&values, "or");
    let lower = name.to_ascii_lowercase();
    Some(match (lower.as_str(), rule.negate) {
        ("department", false) => format!("in {list}"),
        ("department", true) => format!("outside {list}"),
        ("role", false) => format!("with role {list}"),
        ("role", true) => format!("without role {list}"),
        ("locale", false) => format!("reading {list}"),
        ("locale", true) => format!("not reading {list}"),
        (_, false) => format!("whose {name} is {list}"),
        (_, true) => format!("whose {name} is not {list}"),
    })
}

/// Where: "on /orders/*", "on /a or /b", "on every page".
pub fn pages(patterns: &[String]) -> String {
    let list: Vec<String> = patterns
        .iter()
        .map(|p| p.trim())
        .filter(|p| !p.is_empty())
        .map(str::to_string)
        .collect();
    if list.is_empty() {
        "on every page".to_string()
    } else {
        format!("on {}", join_or(&list, "or"))
    }
}

pub fn frequency(f: Frequency) -> &'static str {
    match f {
        Frequency::Once => "once",
        Frequency::EveryVisit => "on every visit",
        Frequency::UntilCompleted => "until completed",
        Frequency::Manual => "only when started from the launcher",
    }
}

/// "from 2026-01-05 until 2026-02-01" (UTC days); `None` for an open window.
pub fn schedule(s: &Schedule) -> Option<String> {
    match (s.starts_at, s.ends_at) {
        (None, None) => None,
        (Some(a), None) => Some(format!("from {}", date(a))),
        (None, Some(b)) => Some(format!("until {}", date(b))),
        (Some(a), Some(b)) => Some(format!("from {} until {}", date(a), date(b))),
    }
}

/// `a`, `a or b`, `a, b or c`.
fn join_or(items: &[String], word: &str) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} {word} {last}", init.join(", ")),
    }
}

/// `YYYY-MM-DD` (UTC) of a millisecond timestamp.
pub fn date(ms: i64) -> String {
    let (y, m, d) = civil_from_days(ms.div_euclid(86_400_000));
    format!("{y:04}-{m:02}-{d:02}")
}

/// Milliseconds at 00:00 UTC of `YYYY-MM-DD`; `None` if it is not a date.
pub fn parse_date(s: &str) -> Option<i64> {
    let mut parts = s.trim().splitn(3, '-');
    let y: i64 = parts.next()?.parse().ok()?;
    let m: u32 = parts.next()?.parse().ok()?;
    let d: u32 = parts.next()?.parse().ok()?;
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    let days = days_from_civil(y, m, d);
    // Reject 2026-02-31 and the like: the round trip must give the same day.
    (civil_from_days(days) == (y, m, d)).then_some(days * 86_400_000)
}

// Howard Hinnant's civil-calendar algorithms (public domain).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(attribute: &str, one_of: &[&str], negate: bool) -> AttributeRule {
        AttributeRule {
            attribute: attribute.into(),
            one_of: one_of.iter().map(|s| s.to_string()).collect(),
            negate,
        }
    }

    #[test]
    fn empty_targeting_is_everyone_everywhere_once() {
        assert_eq!(
            targeting(&Targeting::default()),
            "Shown to: everyone on every page, once"
        );
    }

    #[test]
    fn the_spec_example() {
        let t = Targeting {
            url_patterns: vec!["/orders/*".into()],
            attributes: vec![rule("department", &["Finance"], false)],
            proficiency: vec![Proficiency::Beginner],
            ..Default::default()
        };
        assert_eq!(
            targeting(&t),
            "Shown to: beginners in Finance on /orders/*, once"
        );
    }

    #[test]
    fn roles_negation_lists_and_frequency() {
        let t = Targeting {
            url_patterns: vec!["/a".into(), " ".into(), "/b/*".into(), "/c".into()],
            attributes: vec![
                rule("role", &["approver"], false),
                rule("Department", &["HR", "IT"], true),
                rule("site", &["Lyon"], false),
            ],
            proficiency: vec![Proficiency::Expert, Proficiency::Beginner],
            frequency: Frequency::EveryVisit,
            schedule: None,
        };
        assert_eq!(
            targeting(&t),
            "Shown to: beginners and experts with role approver and outside HR or IT and whose site is Lyon on /a, /b/* or /c, on every visit"
        );
        let t = Targeting {
            attributes: vec![rule("role", &["approver", "buyer"], true)],
            frequency: Frequency::Manual,
            ..Default::default()
        };
        assert_eq!(
            targeting(&t),
            "Shown to: users without role approver or buyer on every page, only when started from the launcher"
        );
    }

    #[test]
    fn incomplete_rules_and_all_levels_say_nothing() {
        let t = Targeting {
            attributes: vec![rule("", &["x"], false), rule("role", &[" "], false)],
            proficiency: Proficiency::ALL.to_vec(),
            frequency: Frequency::UntilCompleted,
            ..Default::default()
        };
        assert_eq!(
            targeting(&t),
            "Shown to: everyone on every page, until completed"
        );
    }

    #[test]
    fn schedules_read_as_utc_days() {
        let jan5 = parse_date("2026-01-05").expect("a date");
        let feb1 = parse_date("2026-02-01").expect("a date");
        assert_eq!(date(jan5), "2026-01-05");
        assert_eq!(date(jan5 + 86_399_999), "2026-01-05");
        assert_eq!(date(0), "1970-01-01");
        assert_eq!(parse_date("2026-02-31"), None);
        assert_eq!(parse_date("soon"), None);
        let t = Targeting {
            schedule: Some(Schedule {
                starts_at: Some(jan5),
                ends_at: Some(feb1),
            }),
            ..Default::default()
        };
        assert_eq!(
            targeting(&t),
            "Shown to: everyone on every page, once, from 2026-01-05 until 2026-02-01"
        );
        let open = Schedule {
            starts_at: None,
            ends_at: Some(feb1),
        };
        assert_eq!(schedule(&open).as_deref(), Some("until 2026-02-01"));
        assert_eq!(schedule(&Schedule::default()), None);
    }
}
