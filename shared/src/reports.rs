//! The analytics reports' JSON shapes (`/api/v1/reports/*`), and the pure arithmetic behind them:
//! UTC days, rates per 1,000 views and the sentence that sums up a step's trend across versions.

use serde::{Deserialize, Serialize};

/// Days since 1970-01-01 (UTC) of a millisecond timestamp.
pub fn day_of_ms(ms: i64) -> i64 {
    ms.div_euclid(86_400_000)
}

/// Days since 1970-01-01 of a civil date (proleptic Gregorian), after Howard Hinnant.
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// `YYYY-MM-DD` of a day number.
pub fn civil_from_days(z: i64) -> String {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

/// Parses `YYYY-MM-DD` into a day number.
pub fn parse_day(s: &str) -> Option<i64> {
    let mut parts = s.splitn(3, '-');
    let y: i64 = parts.next()?.parse().ok()?;
    let m: u32 = parts.next()?.parse().ok()?;
    let d: u32 = parts.next()?.parse().ok()?;
    let valid = (1..=12).contains(&m) && (1..=31).contains(&d) && (1970..=9999).contains(&y);
    let day = days_from_civil(y, m, d);
    // Reject 2026-02-31 and the like: the day must print back as given.
    (valid && civil_from_days(day) == format!("{y:04}-{m:02}-{d:02}")).then_some(day)
}

/// `n` per 1,000 views, `None` without views.
pub fn per_thousand(n: i64, views: i64) -> Option<f64> {
    (views > 0).then(|| (n as f64) * 1000.0 / (views as f64))
}

/// Filters every report takes: `from`/`to` as `YYYY-MM-DD` (inclusive; default the last 30 days).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema, utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct ReportQuery {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    /// Only this published version (funnel, segments).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<u32>,
    /// `csv` for a CSV file (or send `Accept: text/csv`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
    /// Ranking: steps with fewer views are left out (default 100).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_views: Option<i64>,
    /// Ranking: how many steps (default 50, at most 1000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<i64>,
    /// Segments: `role`, `department`, `proficiency` or `locale`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dimension: Option<String>,
    /// Trend: the step (default: every step of the tour).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step_id: Option<String>,
}

/// The period a report covers, as `YYYY-MM-DD`, inclusive.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Period {
    pub from: String,
    pub to: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FunnelStep {
    pub step_id: String,
    pub step_index: u32,
    pub title: String,
    pub views: i64,
    pub advances: i64,
    pub completions: i64,
    pub dismissals: i64,
    pub not_found: i64,
    pub stuck_opened: i64,
    pub tickets: i64,
    /// Share of this step's views that did not reach the next step (0–1); `None` without views.
    pub drop_off: Option<f64>,
    /// Time on step, from the duration sketch (±2.5 %).
    pub time_median_ms: Option<f64>,
    pub time_p90_ms: Option<f64>,
}

/// Tour funnel: how many employees reach each step, and where they leave.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FunnelReport {
    pub tour_id: String,
    pub title: String,
    pub period: Period,
    pub version: Option<u32>,
    pub steps: Vec<FunnelStep>,
}

/// Share of a step's viewers who did not view the next one (the last step: who did not complete).
pub fn drop_off(views: i64, next_views: i64) -> Option<f64> {
    (views > 0).then(|| (1.0 - next_views as f64 / views as f64).clamp(0.0, 1.0))
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RankedStep {
    pub tour_id: String,
    pub tour_title: String,
    pub step_id: String,
    pub step_index: u32,
    pub views: i64,
    pub tickets: i64,
    pub tickets_per_1000_views: f64,
}

/// Steps ranked by tickets per 1,000 views: the steps that send employees to the help desk.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StepRanking {
    pub period: Period,
    pub min_views: i64,
    pub steps: Vec<RankedStep>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VersionPoint {
    pub version: u32,
    pub views: i64,
    pub tickets: i64,
    pub not_found: i64,
    pub tickets_per_1000_views: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StepTrend {
    pub step_id: String,
    pub step_index: u32,
    pub title: String,
    pub versions: Vec<VersionPoint>,
    /// "Tickets per 1,000 views on step 3 fell from 41 to 6 after version 7."
    pub summary: Option<String>,
}

/// Per published version of a tour: did a fix help?
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TrendReport {
    pub tour_id: String,
    pub title: String,
    pub period: Period,
    pub steps: Vec<StepTrend>,
}

/// The sentence for the largest change between consecutive versions with views (step numbers 1-based).
pub fn trend_summary(step_index: u32, points: &[VersionPoint]) -> Option<String> {
    let rated: Vec<(u32, f64)> = points
        .iter()
        .filter_map(|p| p.tickets_per_1000_views.map(|r| (p.version, r)))
        .collect();
    let (before, after) = rated.windows(2).map(|w| (w[0], w[1])).max_by(|a, b| {
        let da = (a.1.1 - a.0.1).abs();
        let db = (b.1.1 - b.0.1).abs();
        da.total_cmp(&db)
    })?;
    let verb = match after.1.round().total_cmp(&before.1.round()) {
        std::cmp::Ordering::Less => "fell",
        std::cmp::Ordering::Greater => "rose",
        std::cmp::Ordering::Equal => return None,
    };
    Some(format!(
        "Tickets per 1,000 views on step {} {verb} from {:.0} to {:.0} after version {}.",
        step_index + 1,
        before.1,
        after.1,
        after.0
    ))
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SegmentRow {
    /// The attribute's value; empty when users did not have it.
    pub value: String,
    pub views: i64,
    pub completions: i64,
    pub dismissals: i64,
    pub tickets: i64,
    pub tickets_per_1000_views: Option<f64>,
}

/// One tour's figures by one user attribute.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SegmentReport {
    pub tour_id: String,
    pub dimension: String,
    pub period: Period,
    pub segments: Vec<SegmentRow>,
}

/// The attributes reports can compare by.
pub const SEGMENT_DIMENSIONS: [&str; 4] = ["role", "department", "proficiency", "locale"];

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeflectionRow {
    /// The suggested content.
    pub content_id: String,
    pub title: String,
    pub offered: i64,
    pub accepted: i64,
    /// accepted ÷ offered.
    pub acceptance_rate: Option<f64>,
}

/// Confirmed deflections against tickets filed: how much "Still stuck?" suggestions save.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeflectionReport {
    pub period: Period,
    pub deflections: i64,
    pub tickets: i64,
    /// deflections ÷ (deflections + tickets).
    pub deflection_rate: Option<f64>,
    pub by_content: Vec<DeflectionRow>,
}

pub fn ratio(n: i64, d: i64) -> Option<f64> {
    (d > 0).then(|| n as f64 / d as f64)
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NotFoundRow {
    pub tour_id: String,
    pub tour_title: String,
    pub step_id: String,
    pub step_index: u32,
    /// Browser family (`other` when unknown).
    pub browser: String,
    pub not_found: i64,
    /// The step's views over all browsers.
    pub step_views: i64,
}

/// Where targets break: elements not found by step and browser, most first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NotFoundReport {
    pub period: Period,
    pub rows: Vec<NotFoundRow>,
}

/// A broken-step alert: the step's element-not-found rate jumped (rule in the server's `alerts.rs`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StepAlert {
    pub id: String,
    pub tour_id: String,
    pub tour_title: String,
    pub step_id: String,
    /// Milliseconds since the Unix epoch.
    pub opened_at: i64,
    /// `None` while the episode lasts.
    pub closed_at: Option<i64>,
    /// Today and yesterday, when the alert opened.
    pub recent_views: i64,
    pub recent_not_found: i64,
    /// The 7 days before.
    pub baseline_views: i64,
    pub baseline_not_found: i64,
    /// Whether webhook deliveries were queued.
    pub notified: bool,
}

/// Open alerts first, then the latest closed ones.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AlertList {
    pub alerts: Vec<StepAlert>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_round_trip() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(civil_from_days(0), "1970-01-01");
        assert_eq!(parse_day("2026-11-27"), Some(days_from_civil(2026, 11, 27)));
        for d in [-1, 59, 365, 10_957, 20_000, 30_000] {
            assert_eq!(parse_day(&civil_from_days(d)), Some(d).filter(|&d| d >= 0));
        }
        assert_eq!(parse_day("2026-02-31"), None);
        assert_eq!(parse_day("2026-13-01"), None);
        assert_eq!(parse_day("yesterday"), None);
        assert_eq!(day_of_ms(86_400_000 * 3 + 5), 3);
        assert_eq!(day_of_ms(-1), -1);
    }

    #[test]
    fn rates() {
        assert_eq!(per_thousand(1, 0), None);
        assert_eq!(per_thousand(1, 4), Some(250.0));
        assert_eq!(drop_off(100, 25), Some(0.75));
        assert_eq!(drop_off(0, 0), None);
        assert_eq!(drop_off(10, 12), Some(0.0));
    }

    fn point(version: u32, views: i64, tickets: i64) -> VersionPoint {
        VersionPoint {
            version,
            views,
            tickets,
            not_found: 0,
            tickets_per_1000_views: per_thousand(tickets, views),
        }
    }

    #[test]
    fn trend_sentence_names_the_biggest_change() {
        let points = [point(5, 1000, 40), point(6, 1000, 41), point(7, 1000, 6)];
        assert_eq!(
            trend_summary(2, &points).as_deref(),
            Some("Tickets per 1,000 views on step 3 fell from 41 to 6 after version 7.")
        );
        assert_eq!(trend_summary(0, &points[..1]), None);
        let worse = [point(1, 100, 1), point(2, 100, 5)];
        assert!(trend_summary(0, &worse).is_some_and(|s| s.contains("rose from 10 to 50")));
    }
}
