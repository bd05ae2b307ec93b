//! Analytics reports over the rollups: tour funnel, steps ranked by tickets per 1,000 views, trend per
//! version, segment comparison, deflection rate, elements not found by step and browser. Each answers
//! JSON, or CSV with `?format=csv` or `Accept: text/csv`. Readers: admins, authors and analysts
//! (`analytics:read`).

use std::collections::HashMap;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, web};
use cairn_shared::content::{ContentKind, Tour};
use cairn_shared::reports::{
    AlertList, DeflectionReport, DeflectionRow, FunnelReport, FunnelStep, NotFoundReport,
    NotFoundRow, Period, RankedStep, ReportQuery, SEGMENT_DIMENSIONS, SegmentReport, SegmentRow,
    StepRanking, StepTrend, TrendReport, VersionPoint, civil_from_days, day_of_ms, drop_off,
    parse_day, per_thousand, ratio, trend_summary,
};
use serde::Serialize;

use crate::auth::CurrentUser;
use crate::error::ApiError;
use crate::roles::Permission;
use crate::startup::AppState;
use crate::store::{self, reports::Span};

/// Longest period a report covers.
const MAX_DAYS: i64 = 400;
const DEFAULT_DAYS: i64 = 30;

/// The days and version a query asks for.
fn span(state: &AppState, q: &ReportQuery) -> Result<(Span, Period), ApiError> {
    let day = |s: &Option<String>, name: &str| -> Result<Option<i64>, ApiError> {
        s.as_deref()
            .map(|v| {
                parse_day(v).ok_or_else(|| {
                    ApiError::BadRequest(format!("{name} must be a date YYYY-MM-DD"))
                })
            })
            .transpose()
    };
    let to = day(&q.to, "to")?.unwrap_or_else(|| day_of_ms(state.clock.now_ms()));
    let from = day(&q.from, "from")?.unwrap_or(to - (DEFAULT_DAYS - 1));
    if from > to {
        return Err(ApiError::BadRequest("from is after to".into()));
    }
    if to - from >= MAX_DAYS {
        return Err(ApiError::BadRequest(format!(
            "a report covers at most {MAX_DAYS} days"
        )));
    }
    let version = q.version.map_or(-1, i64::from);
    Ok((
        Span {
            from_day: from,
            to_day: to,
            version,
        },
        Period {
            from: civil_from_days(from),
            to: civil_from_days(to),
        },
    ))
}

/// The tour as employees last saw it: the latest published version, else the draft.
async fn tour(state: &AppState, org_id: &str, id: &str) -> Result<Tour, ApiError> {
    let row = store::content::get(&state.db, org_id, ContentKind::Tour, id)
        .await?
        .ok_or(ApiError::NotFound("tour"))?;
    let document = match row.published_version {
        Some(v) => store::content::version_document(&state.db, org_id, id, v)
            .await?
            .unwrap_or(row.draft),
        None => row.draft,
    };
    Ok(serde_json::from_str(&document)?)
}

fn index(i: i64) -> u32 {
    u32::try_from(i).unwrap_or(0)
}

/// A report as JSON or CSV.
fn respond<T: Serialize + ToCsv>(
    req: &HttpRequest,
    q: &ReportQuery,
    name: &str,
    report: &T,
) -> HttpResponse {
    let wants_csv = q.format.as_deref() == Some("csv")
        || req
            .headers()
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|a| a.contains("text/csv"));
    if wants_csv {
        HttpResponse::Ok()
            .content_type("text/csv; charset=utf-8")
            .insert_header((
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"cairn-{name}.csv\""),
            ))
            .body(report.to_csv())
    } else {
        HttpResponse::Ok().json(report)
    }
}

/// Tour funnel: views, advances, completions, dismissals, not found, "Still stuck?", tickets, drop-off
/// and time on step (median, p90) for each step.
#[utoipa::path(tag = "reports", params(ReportQuery), responses(
    (status = 200, body = FunnelReport, description = "The report as JSON, or as CSV with ?format=csv or Accept: text/csv"),
    (status = 400, body = cairn_shared::api::ErrorBody), (status = 404, body = cairn_shared::api::ErrorBody)))]
#[get("/reports/tours/{id}/funnel")]
pub async fn funnel(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<String>,
    q: web::Query<ReportQuery>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    user.require(Permission::ReadAnalytics)?;
    let (span, period) = span(&state, &q)?;
    let tour = tour(&state, &user.org_id, &id).await?;
    let sums = store::reports::tour_steps(&state.db, &user.org_id, &id, span).await?;
    let durations = store::reports::tour_durations(&state.db, &user.org_id, &id, span).await?;
    let get = |step: &str| sums.get(step).cloned().unwrap_or_default();
    let steps = tour
        .steps
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let this = get(&s.id);
            let next = match tour.steps.get(i + 1) {
                Some(n) => get(&n.id).views,
                None => this.completions,
            };
            let sketch = durations.get(&s.id);
            FunnelStep {
                step_id: s.id.clone(),
                step_index: u32::try_from(i).unwrap_or(u32::MAX),
                title: s.title.clone(),
                views: this.views,
                advances: this.advances,
                completions: this.completions,
                dismissals: this.dismissals,
                not_found: this.not_found,
                stuck_opened: this.stuck_opened,
                tickets: this.tickets,
                drop_off: drop_off(this.views, next),
                time_median_ms: sketch.and_then(|s| s.quantile(0.5)),
                time_p90_ms: sketch.and_then(|s| s.quantile(0.9)),
            }
        })
        .collect();
    let report = FunnelReport {
        tour_id: id.into_inner(),
        title: tour.title,
        period,
        version: q.version,
        steps,
    };
    Ok(respond(&req, &q, "funnel", &report))
}

/// Steps of every tour ranked by tickets per 1,000 views (steps under `min_views` views left out).
#[utoipa::path(tag = "reports", params(ReportQuery), responses(
    (status = 200, body = StepRanking, description = "The report as JSON, or as CSV with ?format=csv or Accept: text/csv"),
    (status = 400, body = cairn_shared::api::ErrorBody)))]
#[get("/reports/steps/ranking")]
pub async fn ranking(
    state: web::Data<AppState>,
    user: CurrentUser,
    q: web::Query<ReportQuery>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    user.require(Permission::ReadAnalytics)?;
    let (span, period) = span(&state, &q)?;
    let min_views = q.min_views.unwrap_or(100).max(1);
    let limit = usize::try_from(q.limit.unwrap_or(50).clamp(1, 1000)).unwrap_or(50);
    let titles = store::reports::titles(&state.db, &user.org_id).await?;
    let mut steps: Vec<RankedStep> = store::reports::all_steps(&state.db, &user.org_id, span)
        .await?
        .into_iter()
        .filter(|s| s.3 >= min_views)
        .map(|(tour_id, step_id, i, views, tickets)| RankedStep {
            tour_title: titles.get(&tour_id).cloned().unwrap_or_default(),
            tour_id,
            step_id,
            step_index: index(i),
            views,
            tickets,
            tickets_per_1000_views: per_thousand(tickets, views).unwrap_or(0.0),
        })
        .collect();
    steps.sort_by(|a, b| {
        b.tickets_per_1000_views
            .total_cmp(&a.tickets_per_1000_views)
            .then(b.tickets.cmp(&a.tickets))
            .then_with(|| (&a.tour_id, a.step_index).cmp(&(&b.tour_id, b.step_index)))
    });
    steps.truncate(limit);
    let report = StepRanking {
        period,
        min_views,
        steps,
    };
    Ok(respond(&req, &q, "ranking", &report))
}

/// Views, tickets and elements not found per published version, for each step of a tour (or one
/// `step_id`), with a sentence naming the biggest change.
#[utoipa::path(tag = "reports", params(ReportQuery), responses(
    (status = 200, body = TrendReport, description = "The report as JSON, or as CSV with ?format=csv or Accept: text/csv"),
    (status = 400, body = cairn_shared::api::ErrorBody), (status = 404, body = cairn_shared::api::ErrorBody)))]
#[get("/reports/tours/{id}/trend")]
pub async fn trend(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<String>,
    q: web::Query<ReportQuery>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    user.require(Permission::ReadAnalytics)?;
    let (span, period) = span(&state, &q)?;
    let tour = tour(&state, &user.org_id, &id).await?;
    let rows =
        store::reports::tour_versions(&state.db, &user.org_id, &id, q.step_id.as_deref(), span)
            .await?;
    let mut by_step: HashMap<String, (i64, Vec<VersionPoint>)> = HashMap::new();
    for (step_id, version, i, views, tickets, missing) in rows {
        let entry = by_step.entry(step_id).or_insert((i, Vec::new()));
        entry.1.push(VersionPoint {
            version: u32::try_from(version).unwrap_or(0),
            views,
            tickets,
            not_found: missing,
            tickets_per_1000_views: per_thousand(tickets, views),
        });
    }
    let mut steps: Vec<StepTrend> = by_step
        .into_iter()
        .map(|(step_id, (i, versions))| {
            let (step_index, title) = tour
                .steps
                .iter()
                .position(|s| s.id == step_id)
                .map(|p| (p as u32, tour.steps[p].title.clone()))
                .unwrap_or((index(i), String::new()));
            StepTrend {
                summary: trend_summary(step_index, &versions),
                step_id,
                step_index,
                title,
                versions,
            }
        })
        .collect();
    steps.sort_by_key(|s| s.step_index);
    let report = TrendReport {
        tour_id: id.into_inner(),
        title: tour.title,
        period,
        steps,
    };
    Ok(respond(&req, &q, "trend", &report))
}

/// One tour's views, completions, dismissals and tickets by `role`, `department`, `proficiency` or
/// `locale`.
#[utoipa::path(tag = "reports", params(ReportQuery), responses(
    (status = 200, body = SegmentReport, description = "The report as JSON, or as CSV with ?format=csv or Accept: text/csv"),
    (status = 400, body = cairn_shared::api::ErrorBody), (status = 404, body = cairn_shared::api::ErrorBody)))]
#[get("/reports/tours/{id}/segments")]
pub async fn segments(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<String>,
    q: web::Query<ReportQuery>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    user.require(Permission::ReadAnalytics)?;
    let (span, period) = span(&state, &q)?;
    let dimension = q.dimension.as_deref().unwrap_or("role");
    if !SEGMENT_DIMENSIONS.contains(&dimension) {
        return Err(ApiError::BadRequest(format!(
            "dimension must be one of {}",
            SEGMENT_DIMENSIONS.join(", ")
        )));
    }
    tour(&state, &user.org_id, &id).await?;
    let rows = store::reports::tour_segments(&state.db, &user.org_id, &id, dimension, span).await?;
    let report = SegmentReport {
        tour_id: id.into_inner(),
        dimension: dimension.to_string(),
        period,
        segments: rows
            .into_iter()
            .map(
                |(value, views, completions, dismissals, tickets)| SegmentRow {
                    value,
                    views,
                    completions,
                    dismissals,
                    tickets,
                    tickets_per_1000_views: per_thousand(tickets, views),
                },
            )
            .collect(),
    };
    Ok(respond(&req, &q, "segments", &report))
}

/// Confirmed deflections ("This solved it") against tickets filed, and per suggested content.
#[utoipa::path(tag = "reports", params(ReportQuery), responses(
    (status = 200, body = DeflectionReport, description = "The report as JSON, or as CSV with ?format=csv or Accept: text/csv"),
    (status = 400, body = cairn_shared::api::ErrorBody)))]
#[get("/reports/deflection")]
pub async fn deflection(
    state: web::Data<AppState>,
    user: CurrentUser,
    q: web::Query<ReportQuery>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    user.require(Permission::ReadAnalytics)?;
    let (span, period) = span(&state, &q)?;
    let titles = store::reports::titles(&state.db, &user.org_id).await?;
    let mut by_content: Vec<DeflectionRow> =
        store::reports::deflections(&state.db, &user.org_id, span)
            .await?
            .into_iter()
            .map(|(content_id, offered, accepted)| DeflectionRow {
                title: titles.get(&content_id).cloned().unwrap_or_default(),
                content_id,
                offered,
                accepted,
                acceptance_rate: ratio(accepted, offered),
            })
            .collect();
    by_content.sort_by(|a, b| {
        b.accepted
            .cmp(&a.accepted)
            .then_with(|| a.content_id.cmp(&b.content_id))
    });
    let deflections = by_content.iter().map(|r| r.accepted).sum();
    let tickets = store::reports::tickets_between(
        &state.db,
        &user.org_id,
        span.from_day * 86_400_000,
        (span.to_day + 1) * 86_400_000,
    )
    .await?;
    let report = DeflectionReport {
        period,
        deflections,
        tickets,
        deflection_rate: ratio(deflections, deflections + tickets),
        by_content,
    };
    Ok(respond(&req, &q, "deflection", &report))
}

/// Elements not found by step and browser, most first, beside each step's views.
#[utoipa::path(tag = "reports", params(ReportQuery), responses(
    (status = 200, body = NotFoundReport, description = "The report as JSON, or as CSV with ?format=csv or Accept: text/csv"),
    (status = 400, body = cairn_shared::api::ErrorBody)))]
#[get("/reports/not-found")]
pub async fn not_found(
    state: web::Data<AppState>,
    user: CurrentUser,
    q: web::Query<ReportQuery>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    user.require(Permission::ReadAnalytics)?;
    let (span, period) = span(&state, &q)?;
    // Three independent reads on separate pooled connections, at once.
    let (titles, found, steps) = tokio::try_join!(
        store::reports::titles(&state.db, &user.org_id),
        store::reports::not_found(&state.db, &user.org_id, span),
        store::reports::all_steps(&state.db, &user.org_id, span),
    )?;
    let views: HashMap<(String, String), i64> = steps
        .into_iter()
        .map(|(c, s, _, v, _)| ((c, s), v))
        .collect();
    let mut rows: Vec<NotFoundRow> = found
        .into_iter()
        .map(|(tour_id, step_id, i, browser, n)| NotFoundRow {
            tour_title: titles.get(&tour_id).cloned().unwrap_or_default(),
            step_views: views
                .get(&(tour_id.clone(), step_id.clone()))
                .copied()
                .unwrap_or(0),
            tour_id,
            step_id,
            step_index: index(i),
            browser,
            not_found: n,
        })
        .collect();
    rows.sort_by(|a, b| {
        b.not_found.cmp(&a.not_found).then_with(|| {
            (&a.tour_id, a.step_index, &a.browser).cmp(&(&b.tour_id, b.step_index, &b.browser))
        })
    });
    let report = NotFoundReport { period, rows };
    Ok(respond(&req, &q, "not-found", &report))
}

/// Broken-step alerts: steps whose element-not-found rate jumped (open ones first).
#[utoipa::path(tag = "reports", responses((status = 200, body = AlertList), (status = 401, body = cairn_shared::api::ErrorBody)))]
#[get("/reports/alerts")]
pub async fn alerts(
    state: web::Data<AppState>,
    user: CurrentUser,
) -> Result<web::Json<AlertList>, ApiError> {
    user.require(Permission::ReadAnalytics)?;
    Ok(web::Json(AlertList {
        alerts: store::reports::alerts(&state.db, &user.org_id).await?,
    }))
}

/// CSV rendering of a report: one header line, then one line per row.
trait ToCsv {
    fn to_csv(&self) -> String;
}

/// A CSV field: quoted when needed, and text that a spreadsheet would run as a formula is prefixed
/// with `'`.
fn field(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

fn opt(v: Option<f64>) -> String {
    v.map(|x| format!("{x:.3}")).unwrap_or_default()
}

fn lines(header: &str, rows: impl Iterator<Item = Vec<String>>) -> String {
    let mut out = String::from(header);
    out.push_str("\r\n");
    for r in rows {
        out.push_str(&r.join(","));
        out.push_str("\r\n");
    }
    out
}

impl ToCsv for FunnelReport {
    fn to_csv(&self) -> String {
        lines(
            "step_number,step_id,title,views,advances,completions,dismissals,not_found,stuck_opened,tickets,drop_off,time_median_ms,time_p90_ms",
            self.steps.iter().map(|s| {
                vec![
                    (s.step_index + 1).to_string(),
                    field(&s.step_id),
                    field(&s.title),
                    s.views.to_string(),
                    s.advances.to_string(),
                    s.completions.to_string(),
                    s.dismissals.to_string(),
                    s.not_found.to_string(),
                    s.stuck_opened.to_string(),
                    s.tickets.to_string(),
                    opt(s.drop_off),
                    opt(s.time_median_ms),
                    opt(s.time_p90_ms),
                ]
            }),
        )
    }
}

impl ToCsv for StepRanking {
    fn to_csv(&self) -> String {
        lines(
            "tour_id,tour_title,step_number,step_id,views,tickets,tickets_per_1000_views",
            self.steps.iter().map(|s| {
                vec![
                    field(&s.tour_id),
                    field(&s.tour_title),
                    (s.step_index + 1).to_string(),
                    field(&s.step_id),
                    s.views.to_string(),
                    s.tickets.to_string(),
                    format!("{:.3}", s.tickets_per_1000_views),
                ]
            }),
        )
    }
}

impl ToCsv for TrendReport {
    fn to_csv(&self) -> String {
        lines(
            "step_number,step_id,version,views,tickets,not_found,tickets_per_1000_views",
            self.steps.iter().flat_map(|s| {
                s.versions.iter().map(move |v| {
                    vec![
                        (s.step_index + 1).to_string(),
                        field(&s.step_id),
                        v.version.to_string(),
                        v.views.to_string(),
                        v.tickets.to_string(),
                        v.not_found.to_string(),
                        opt(v.tickets_per_1000_views),
                    ]
                })
            }),
        )
    }
}

impl ToCsv for SegmentReport {
    fn to_csv(&self) -> String {
        lines(
            &format!(
                "{},views,completions,dismissals,tickets,tickets_per_1000_views",
                self.dimension
            ),
            self.segments.iter().map(|s| {
                vec![
                    field(&s.value),
                    s.views.to_string(),
                    s.completions.to_string(),
                    s.dismissals.to_string(),
                    s.tickets.to_string(),
                    opt(s.tickets_per_1000_views),
                ]
            }),
        )
    }
}

impl ToCsv for DeflectionReport {
    fn to_csv(&self) -> String {
        let total = vec![
            String::new(),
            "(all)".into(),
            String::new(),
            self.deflections.to_string(),
            format!("tickets={}", self.tickets),
            opt(self.deflection_rate),
        ];
        lines(
            "content_id,title,offered,accepted,acceptance_rate,deflection_rate",
            std::iter::once(total).chain(self.by_content.iter().map(|r| {
                vec![
                    field(&r.content_id),
                    field(&r.title),
                    r.offered.to_string(),
                    r.accepted.to_string(),
                    opt(r.acceptance_rate),
                    String::new(),
                ]
            })),
        )
    }
}

impl ToCsv for NotFoundReport {
    fn to_csv(&self) -> String {
        lines(
            "tour_id,tour_title,step_number,step_id,browser,not_found,step_views",
            self.rows.iter().map(|r| {
                vec![
                    field(&r.tour_id),
                    field(&r.tour_title),
                    (r.step_index + 1).to_string(),
                    field(&r.step_id),
                    field(&r.browser),
                    r.not_found.to_string(),
                    r.step_views.to_string(),
                ]
            }),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::field;

    #[test]
    fn csv_fields_are_quoted_and_defused() {
        assert_eq!(field("plain"), "plain");
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(field("=HYPERLINK(1)"), "'=HYPERLINK(1)");
    }
}
