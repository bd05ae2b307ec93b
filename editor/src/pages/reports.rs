//! The Reports screen: which steps cause tickets, and did fixing them help. For the chosen tour: its
//! funnel, the trend per published version and the segment comparison; for the organisation: steps
//! ranked by tickets per 1,000 views, the deflection rate and elements not found by step and
//! browser; and broken-step alerts. Each report has a chart ([`super::charts`]) with its data table,
//! and a "Download CSV" link to the same report with `format=csv`.
//!
//! The filters (tour, period, segment attribute, minimum views) re-run every report; the tour goes
//! in the address (`#/reports/{tour id}`) so a report can be linked.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use cairn_shared::api::TourSummary;
use cairn_shared::reports::{
    AlertList, DeflectionReport, FunnelReport, NotFoundReport, SEGMENT_DIMENSIONS, SegmentReport,
    StepAlert, StepRanking, TrendReport,
};
use serde::de::DeserializeOwned;
use wasm_bindgen_futures::spawn_local;
use web_sys::Element;

use crate::api;
use crate::chart::{self, Bar};
use crate::dom::{self, el};
use crate::format;
use crate::pages::charts::{self, Series};
use crate::pages::{self, Ctx};
use crate::router::{self, Route};

/// Bars in a ranking chart; the table below lists every row.
const TOP: usize = 10;

/// One report on the page: its section, the slot its content goes in and its CSV link.
struct Report {
    body: Element,
    csv: Element,
}

struct Page {
    ctx: Ctx,
    tour: Element,
    from: Element,
    to: Element,
    dimension: Element,
    min_views: Element,
    version: Element,
    tours: RefCell<Vec<TourSummary>>,
    status: Element,
    funnel: Report,
    trend: Report,
    segments: Report,
    ranking: Report,
    deflection: Report,
    not_found: Report,
}

pub fn render(ctx: &Ctx, tour: Option<String>) {
    dom::set_title("Reports");
    ctx.append(pages::heading("Reports"));
    ctx.append(el("p").class("lead").text(
        "Which steps send employees to the help desk, where targets break, and whether a new version helped.",
    ));
    ctx.append(alert_banner(ctx));

    let tour_select = el("select")
        .attr("id", "report-tour")
        .attr("data-test", "report-tour")
        .build();
    let date = |id: &str| {
        el("input")
            .attr("type", "date")
            .attr("id", id)
            .attr("data-test", id)
            .attr("min", "1970-01-01")
            .attr("aria-describedby", "report-period-hint")
            .build()
    };
    let from = date("report-from");
    let to = date("report-to");
    let dimension = el("select")
        .attr("id", "report-dimension")
        .attr("data-test", "report-dimension")
        .children(SEGMENT_DIMENSIONS.iter().map(|d| {
            el("option")
                .attr("value", d)
                .text(&format!("By {}", dimension_label(d)))
        }))
        .build();
    let min_views = el("input")
        .attr("type", "number")
        .attr("id", "report-min-views")
        .attr("data-test", "report-min-views")
        .attr("min", "1")
        .attr("step", "1")
        .attr("inputmode", "numeric")
        .attr("value", "100")
        .build();
    let version = el("select")
        .attr("id", "report-version")
        .attr("data-test", "report-version")
        .child(el("option").attr("value", "").text("All versions"))
        .build();
    let status = el("p")
        .class("feedback")
        .attr("role", "status")
        .attr("data-test", "report-status")
        .build();
    let field = |id: &str, label: &str, control: &Element| {
        el("div")
            .class("field inline")
            .child(el("label").attr("for", id).text(label))
            .child(control)
    };
    ctx.append(
        el("form")
            .class("filters")
            .attr("aria-label", "Report filters")
            .attr("data-test", "report-filters")
            .child(field("report-tour", "Tour", &tour_select))
            .child(field("report-from", "From", &from))
            .child(field("report-to", "To", &to))
            .child(field("report-version", "Funnel and segments", &version))
            .child(field("report-dimension", "Compare segments", &dimension))
            .child(field(
                "report-min-views",
                "Ranking: minimum views",
                &min_views,
            ))
            .on("submit", |e| e.prevent_default()),
    );
    ctx.append(
        el("p")
            .class("hint")
            .attr("id", "report-period-hint")
            .text("Days are UTC and inclusive. Without dates, reports cover the last 30 days."),
    );
    ctx.append(&status);

    let page = Rc::new(Page {
        ctx: ctx.clone(),
        funnel: section(
            ctx,
            "funnel",
            "Funnel",
            "How many employees view each step, and the share who leave before the next one.",
        ),
        trend: section(
            ctx,
            "trend",
            "Trend per version",
            "Tickets per 1,000 views on each step, for each published version: did a fix help?",
        ),
        segments: section(
            ctx,
            "segments",
            "Segment comparison",
            "The tour's figures by one attribute of the employees.",
        ),
        ranking: section(
            ctx,
            "ranking",
            "Steps that cause tickets",
            "Steps of every tour ranked by tickets per 1,000 views.",
        ),
        deflection: section(
            ctx,
            "deflection",
            "Deflection",
            "“Still stuck?” suggestions that solved the problem, against tickets filed.",
        ),
        not_found: section(
            ctx,
            "not-found",
            "Elements not found",
            "Where a step's target was missing, by step and browser.",
        ),
        tour: tour_select,
        from,
        to,
        dimension,
        min_views,
        version,
        tours: RefCell::new(Vec::new()),
        status,
    });
    ctx.append(alerts_section(ctx));

    {
        // Another tour has other versions: back to all of them.
        let p = page.clone();
        dom::on(&page.tour, "change", move |_| {
            p.fill_versions();
            p.run();
        });
    }
    for control in [
        &page.version,
        &page.from,
        &page.to,
        &page.dimension,
        &page.min_views,
    ] {
        let p = page.clone();
        dom::on(control, "change", move |_| p.run());
    }

    // The tour list fills the selector; then every report runs.
    let p = page.clone();
    spawn_local(async move {
        let tours = api::tours().await;
        if !p.ctx.is_current() {
            return;
        }
        match tours {
            Ok(mut tours) => {
                tours.sort_by_key(|t| t.title.to_lowercase());
                fill_tours(&p.tour, &tours, tour.as_deref());
                *p.tours.borrow_mut() = tours;
                p.fill_versions();
                p.run();
            }
            Err(e) if e.is_unauthorized() => crate::app::signed_out(),
            Err(e) => {
                p.status.set_text_content(Some(&format!(
                    "The tour list did not load: {}",
                    e.message()
                )));
                p.run();
            }
        }
    });
}

fn dimension_label(d: &str) -> &str {
    match d {
        "proficiency" => "proficiency",
        "department" => "department",
        "locale" => "language",
        _ => "role",
    }
}

/// Options for every tour; the one in the address, else the first published one, is chosen.
fn fill_tours(select: &Element, tours: &[TourSummary], chosen: Option<&str>) {
    for t in tours {
        let label = match t.published_version {
            Some(v) => format!("{} (version {v})", t.title),
            None => format!("{} (not published)", t.title),
        };
        let _ = select.append_child(&el("option").attr("value", &t.id).text(&label).build());
    }
    let pick = chosen
        .filter(|c| tours.iter().any(|t| t.id == *c))
        .map(str::to_string)
        .or_else(|| {
            tours
                .iter()
                .find(|t| t.published_version.is_some())
                .or(tours.first())
                .map(|t| t.id.clone())
        });
    if let Some(id) = pick {
        dom::set_value(select, &id);
    }
}

/// A report's `<section>`: heading, what it shows, the CSV link and the slot for its content.
fn section(ctx: &Ctx, key: &str, title: &str, hint: &str) -> Report {
    let heading_id = format!("report-{key}-heading");
    let body = el("div").class("report-body").build();
    let csv = el("a")
        .class("button quiet small")
        .attr("data-test", &format!("csv-{key}"))
        .attr("download", "")
        .attr("href", "#")
        .text("Download CSV")
        .child(
            el("span")
                .class("visually-hidden")
                .text(&format!(" ({title})")),
        )
        .build();
    ctx.append(
        el("section")
            .class("report")
            .attr("aria-labelledby", &heading_id)
            .attr("data-test", &format!("report-{key}"))
            .child(
                el("div")
                    .class("report-head")
                    .child(el("h2").attr("id", &heading_id).text(title))
                    .child(&csv),
            )
            .child(el("p").class("hint").text(hint))
            .child(&body),
    );
    Report { body, csv }
}

impl Page {
    /// Reads the filters and runs every report again.
    fn run(self: &Rc<Self>) {
        let from = dom::value(&self.from);
        let to = dom::value(&self.to);
        if !chart::valid_day(&from) || !chart::valid_day(&to) {
            self.status
                .set_text_content(Some("Enter dates as YYYY-MM-DD (for example 2026-11-01)."));
            return;
        }
        if !from.is_empty() && !to.is_empty() && from > to {
            self.status
                .set_text_content(Some("The period starts after it ends: check From and To."));
            return;
        }
        self.status.set_text_content(None);
        let period = [("from", from.as_str()), ("to", to.as_str())];
        let tour = dom::value(&self.tour);
        if !tour.is_empty() {
            router::replace(&Route::Reports(Some(tour.clone())));
            let base = format!("/reports/tours/{}", api::segment(&tour));
            let version = dom::value(&self.version);
            let mut one_version = period.to_vec();
            one_version.push(("version", &version));
            self.show(
                &self.funnel,
                format!("{base}/funnel"),
                chart::query(&one_version),
                render_funnel,
            );
            self.show(
                &self.trend,
                format!("{base}/trend"),
                chart::query(&period),
                render_trend,
            );
            let dimension = dom::value(&self.dimension);
            let mut with = one_version.clone();
            with.push(("dimension", &dimension));
            self.show(
                &self.segments,
                format!("{base}/segments"),
                chart::query(&with),
                render_segments,
            );
        } else {
            for r in [&self.funnel, &self.trend, &self.segments] {
                dom::replace(
                    &r.body,
                    el("p")
                        .class("empty")
                        .text("No tours yet: create one on the Tours page."),
                );
                dom::set_attr(&r.csv, "hidden", "");
            }
        }
        let min = dom::value(&self.min_views);
        let min = min
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|m| *m >= 1)
            .map(|m| m.to_string())
            .unwrap_or_default();
        let mut with = period.to_vec();
        with.push(("min_views", &min));
        self.show(
            &self.ranking,
            "/reports/steps/ranking".into(),
            chart::query(&with),
            render_ranking,
        );
        let q = chart::query(&period);
        self.show(
            &self.deflection,
            "/reports/deflection".into(),
            q.clone(),
            render_deflection,
        );
        self.show(
            &self.not_found,
            "/reports/not-found".into(),
            q,
            render_not_found,
        );
    }

    /// The chosen tour's published versions, newest first, after "All versions".
    fn fill_versions(&self) {
        let tour = dom::value(&self.tour);
        let latest = self
            .tours
            .borrow()
            .iter()
            .find(|t| t.id == tour)
            .and_then(|t| t.published_version)
            .unwrap_or(0);
        dom::replace(
            &self.version,
            el("option").attr("value", "").text("All versions"),
        );
        for v in (1..=latest).rev() {
            let _ = self.version.append_child(
                &el("option")
                    .attr("value", &v.to_string())
                    .text(&format!("Version {v}"))
                    .build(),
            );
        }
    }

    /// Loads one report into a fresh slot (an older, slower answer lands in the replaced one).
    fn show<T: DeserializeOwned + 'static>(
        &self,
        report: &Report,
        path: String,
        query: String,
        render: fn(&Element, T),
    ) {
        dom::set_attr(&report.csv, "href", &api::report_csv(&path, &query));
        let _ = report.csv.remove_attribute("hidden");
        let slot = el("div").build();
        dom::replace(&report.body, &slot);
        pages::load(
            &self.ctx,
            &slot,
            move || {
                let (path, query) = (path.clone(), query.clone());
                async move { api::report::<T>(&path, &query).await }
            },
            render,
        );
    }
}

fn period_text(p: &cairn_shared::reports::Period) -> String {
    format!("{} to {}", p.from, p.to)
}

fn seconds(ms: Option<f64>) -> String {
    ms.map(|ms| format!("{} s", format::rate(Some(ms / 1000.0))))
        .unwrap_or_else(|| "—".into())
}

fn append(slot: &Element, child: impl AsRef<web_sys::Node>) {
    let _ = slot.append_child(child.as_ref());
}

fn render_funnel(slot: &Element, r: FunnelReport) {
    if r.steps.is_empty() {
        append(slot, el("p").class("empty").text("This tour has no steps."));
        return;
    }
    let bars: Vec<Bar> = r
        .steps
        .iter()
        .map(|s| Bar {
            label: chart::step_name(Some(s.step_index), &s.title, &s.step_id),
            value: s.views as f64,
            value_text: match s.drop_off {
                Some(d) => format!(
                    "{} views · {} drop-off",
                    format::count(s.views),
                    chart::percent(Some(d))
                ),
                None => "no views".into(),
            },
        })
        .collect();
    let caption = format!(
        "Views per step of “{}”{}, {}",
        r.title,
        r.version
            .map(|v| format!(", version {v}"))
            .unwrap_or_default(),
        period_text(&r.period)
    );
    let headers = [
        "Step",
        "Title",
        "Views",
        "Advances",
        "Completions",
        "Dismissals",
        "Not found",
        "“Still stuck?” opened",
        "Tickets",
        "Drop-off",
        "Median time",
        "90th percentile time",
    ];
    let (table, body) = charts::table("funnel-table", &caption, &headers, 2);
    for s in &r.steps {
        append(
            &body,
            charts::row(
                &[
                    (s.step_index + 1).to_string(),
                    s.title.clone(),
                    format::count(s.views),
                    format::count(s.advances),
                    format::count(s.completions),
                    format::count(s.dismissals),
                    format::count(s.not_found),
                    format::count(s.stuck_opened),
                    format::count(s.tickets),
                    chart::percent(s.drop_off),
                    seconds(s.time_median_ms),
                    seconds(s.time_p90_ms),
                ],
                2,
            ),
        );
    }
    append(
        slot,
        charts::figure(
            &caption,
            charts::bars("chart-funnel", &caption, &bars),
            table,
        ),
    );
}

fn render_trend(slot: &Element, r: TrendReport) {
    if r.steps.is_empty() {
        append(
            slot,
            el("p")
                .class("empty")
                .text("No published version of this tour has views in this period."),
        );
        return;
    }
    let sentences: Vec<&String> = r.steps.iter().filter_map(|s| s.summary.as_ref()).collect();
    if !sentences.is_empty() {
        append(
            slot,
            el("ul")
                .class("trend-summaries")
                .attr("data-test", "trend-summaries")
                .children(sentences.iter().map(|s| el("li").text(s))),
        );
    }
    let mut versions: Vec<u32> = r
        .steps
        .iter()
        .flat_map(|s| s.versions.iter().map(|v| v.version))
        .collect();
    versions.sort_unstable();
    versions.dedup();
    let categories: Vec<String> = versions.iter().map(|v| format!("version {v}")).collect();
    let series: Vec<Series> = r
        .steps
        .iter()
        .map(|s| Series {
            name: chart::step_name(Some(s.step_index), "", &s.step_id),
            values: versions
                .iter()
                .map(|v| {
                    s.versions
                        .iter()
                        .find(|p| p.version == *v)
                        .and_then(|p| p.tickets_per_1000_views)
                })
                .collect(),
        })
        .collect();
    let caption = format!(
        "Tickets per 1,000 views by version, “{}”, {}",
        r.title,
        period_text(&r.period)
    );
    let (table, body) = charts::table(
        "trend-table",
        &caption,
        &[
            "Step",
            "Version",
            "Views",
            "Tickets",
            "Not found",
            "Tickets per 1,000 views",
        ],
        1,
    );
    for s in &r.steps {
        for v in &s.versions {
            append(
                &body,
                charts::row(
                    &[
                        chart::step_name(Some(s.step_index), &s.title, &s.step_id),
                        v.version.to_string(),
                        format::count(v.views),
                        format::count(v.tickets),
                        format::count(v.not_found),
                        format::rate(v.tickets_per_1000_views),
                    ],
                    1,
                ),
            );
        }
    }
    append(
        slot,
        charts::figure(
            &caption,
            charts::lines(
                "chart-trend",
                &caption,
                "Tickets per 1,000 views",
                &categories,
                &series,
            ),
            table,
        ),
    );
}

fn render_segments(slot: &Element, r: SegmentReport) {
    let name = dimension_label(&r.dimension);
    if r.segments.is_empty() {
        append(
            slot,
            el("p").class("empty").text("No views in this period."),
        );
        return;
    }
    let value = |v: &str| {
        if v.is_empty() {
            "(not set)".to_string()
        } else {
            v.to_string()
        }
    };
    let bars: Vec<Bar> = r
        .segments
        .iter()
        .map(|s| Bar {
            label: value(&s.value),
            value: s.tickets_per_1000_views.unwrap_or(0.0),
            value_text: format!(
                "{} per 1,000 views · {} views",
                format::rate(s.tickets_per_1000_views),
                format::count(s.views)
            ),
        })
        .collect();
    let caption = format!(
        "Tickets per 1,000 views by {name}, {}",
        period_text(&r.period)
    );
    let (table, body) = charts::table(
        "segments-table",
        &caption,
        &[
            name,
            "Views",
            "Completions",
            "Dismissals",
            "Tickets",
            "Tickets per 1,000 views",
        ],
        1,
    );
    for s in &r.segments {
        append(
            &body,
            charts::row(
                &[
                    value(&s.value),
                    format::count(s.views),
                    format::count(s.completions),
                    format::count(s.dismissals),
                    format::count(s.tickets),
                    format::rate(s.tickets_per_1000_views),
                ],
                1,
            ),
        );
    }
    append(
        slot,
        charts::figure(
            &caption,
            charts::bars("chart-segments", &caption, &bars),
            table,
        ),
    );
}

fn render_ranking(slot: &Element, r: StepRanking) {
    if r.steps.is_empty() {
        append(
            slot,
            el("p").class("empty").text(&format!(
                "No step has {} or more views in this period.",
                format::count(r.min_views)
            )),
        );
        return;
    }
    let where_ = |tour: &str, index: u32| {
        // The step first: a long tour title is what gets cut in the chart.
        format!(
            "Step {} · {}",
            index + 1,
            if tour.is_empty() { "(untitled)" } else { tour }
        )
    };
    let bars: Vec<Bar> = r
        .steps
        .iter()
        .take(TOP)
        .map(|s| Bar {
            label: where_(&s.tour_title, s.step_index),
            value: s.tickets_per_1000_views,
            value_text: format!(
                "{} per 1,000 views · {} tickets",
                format::rate(Some(s.tickets_per_1000_views)),
                format::count(s.tickets)
            ),
        })
        .collect();
    let caption = format!(
        "Steps by tickets per 1,000 views (at least {} views), {}",
        format::count(r.min_views),
        period_text(&r.period)
    );
    let (table, body) = charts::table(
        "ranking-table",
        &caption,
        &["Step", "Views", "Tickets", "Tickets per 1,000 views"],
        1,
    );
    for s in &r.steps {
        let tr = charts::row(
            &[
                String::new(),
                format::count(s.views),
                format::count(s.tickets),
                format::rate(Some(s.tickets_per_1000_views)),
            ],
            1,
        );
        // The step cell links to the step in the tour editor.
        if let Some(th) = tr.first_element_child() {
            let _ = th.append_child(
                &el("a")
                    .attr(
                        "href",
                        &Route::TourStep(s.tour_id.clone(), s.step_id.clone()).href(),
                    )
                    .text(&where_(&s.tour_title, s.step_index))
                    .build(),
            );
        }
        append(&body, tr);
    }
    let chart = charts::bars("chart-ranking", &caption, &bars);
    let shown = if r.steps.len() > TOP {
        format!("{caption} (top {TOP} in the chart, all in the table)")
    } else {
        caption.clone()
    };
    append(slot, charts::figure(&shown, chart, table));
}

fn render_deflection(slot: &Element, r: DeflectionReport) {
    append(
        slot,
        el("p")
            .class("big-figure")
            .attr("data-test", "deflection-rate")
            .child(el("strong").text(&chart::percent(r.deflection_rate)))
            .text(" of problems reported through “Still stuck?” were solved by a suggestion."),
    );
    let bars = vec![
        Bar {
            label: "Solved by a suggestion".into(),
            value: r.deflections as f64,
            value_text: format::count(r.deflections),
        },
        Bar {
            label: "Tickets filed".into(),
            value: r.tickets as f64,
            value_text: format::count(r.tickets),
        },
    ];
    let caption = format!("Deflections and tickets, {}", period_text(&r.period));
    let (table, body) = charts::table("deflection-table", &caption, &["Outcome", "Count"], 1);
    append(
        &body,
        charts::row(
            &[
                "Solved by a suggestion".into(),
                format::count(r.deflections),
            ],
            1,
        ),
    );
    append(
        &body,
        charts::row(&["Tickets filed".into(), format::count(r.tickets)], 1),
    );
    append(
        &body,
        charts::row(
            &["Deflection rate".into(), chart::percent(r.deflection_rate)],
            1,
        ),
    );
    append(
        slot,
        charts::figure(
            &caption,
            charts::bars("chart-deflection", &caption, &bars),
            table,
        ),
    );
    if !r.by_content.is_empty() {
        let caption = "Suggestions offered and accepted, by content";
        let (table, body) = charts::table(
            "deflection-content-table",
            caption,
            &[
                "Suggested content",
                "Offered",
                "Solved it",
                "Acceptance rate",
            ],
            1,
        );
        for c in &r.by_content {
            append(
                &body,
                charts::row(
                    &[
                        if c.title.is_empty() {
                            c.content_id.clone()
                        } else {
                            c.title.clone()
                        },
                        format::count(c.offered),
                        format::count(c.accepted),
                        chart::percent(c.acceptance_rate),
                    ],
                    1,
                ),
            );
        }
        append(slot, table);
    }
}

fn render_not_found(slot: &Element, r: NotFoundReport) {
    if r.rows.is_empty() {
        append(
            slot,
            el("p")
                .class("empty")
                .text("Every step found its target in this period."),
        );
        return;
    }
    let step = |t: &str, i: u32| {
        format!(
            "Step {} · {}",
            i + 1,
            if t.is_empty() { "(untitled)" } else { t }
        )
    };
    let label = |t: &str, i: u32, b: &str| format!("{b} · {}", step(t, i));
    let bars: Vec<Bar> = r
        .rows
        .iter()
        .take(TOP)
        .map(|n| Bar {
            label: label(&n.tour_title, n.step_index, &n.browser),
            value: n.not_found as f64,
            value_text: format!(
                "{} not found · {} views",
                format::count(n.not_found),
                format::count(n.step_views)
            ),
        })
        .collect();
    let caption = format!(
        "Elements not found by step and browser, {}",
        period_text(&r.period)
    );
    let (table, body) = charts::table(
        "not-found-table",
        &caption,
        &["Step", "Browser", "Not found", "Step views (all browsers)"],
        2,
    );
    for n in &r.rows {
        append(
            &body,
            charts::row(
                &[
                    step(&n.tour_title, n.step_index),
                    n.browser.clone(),
                    format::count(n.not_found),
                    format::count(n.step_views),
                ],
                2,
            ),
        );
    }
    let shown = if r.rows.len() > TOP {
        format!("{caption} (top {TOP} in the chart, all in the table)")
    } else {
        caption.clone()
    };
    append(
        slot,
        charts::figure(
            &shown,
            charts::bars("chart-not-found", &caption, &bars),
            table,
        ),
    );
}

/// Step number and title of each alert's step, from the tours' drafts (the alert only names the
/// step's id). A tour that fails to load leaves its steps named by id.
async fn step_names(alerts: &[StepAlert]) -> HashMap<(String, String), String> {
    let mut names = HashMap::new();
    let mut tours: Vec<&str> = alerts.iter().map(|a| a.tour_id.as_str()).collect();
    tours.sort_unstable();
    tours.dedup();
    for id in tours {
        if let Ok(t) = api::tour(id).await {
            for (i, s) in t.draft.steps.iter().enumerate() {
                names.insert(
                    (id.to_string(), s.id.clone()),
                    chart::step_name(u32::try_from(i).ok(), &s.title, &s.id),
                );
            }
        }
    }
    names
}

fn name_of(names: &HashMap<(String, String), String>, a: &StepAlert) -> String {
    names
        .get(&(a.tour_id.clone(), a.step_id.clone()))
        .cloned()
        .unwrap_or_else(|| chart::step_name(None, "", &a.step_id))
}

/// Open broken-step alerts, as a banner (on the tours list and the Reports screen). Empty when
/// there are none, or when the user may not read analytics.
pub fn alert_banner(ctx: &Ctx) -> Element {
    let banner = el("div").attr("data-test", "alert-banner-slot").build();
    let (slot, ctx) = (banner.clone(), ctx.clone());
    spawn_local(async move {
        let Ok(AlertList { alerts }) = api::alerts().await else {
            return;
        };
        let open: Vec<StepAlert> = alerts
            .into_iter()
            .filter(|a| a.closed_at.is_none())
            .collect();
        if open.is_empty() {
            return;
        }
        let names = step_names(&open).await;
        if !ctx.is_current() {
            return;
        }
        let heading_id = dom::next_id("alerts");
        let title = if open.len() == 1 {
            "A step may be broken".to_string()
        } else {
            format!("{} steps may be broken", open.len())
        };
        dom::replace(
            &slot,
            el("section")
                .class("alert-banner")
                .attr("aria-labelledby", &heading_id)
                .attr("data-test", "alert-banner")
                .child(el("h2").attr("id", &heading_id).text(&title))
                .child(el("ul").children(open.iter().map(|a| {
                    el("li")
                        .attr("data-test", "alert")
                        .attr("data-step-id", &a.step_id)
                        .child(el("p").text(&chart::alert_sentence(
                            &name_of(&names, a),
                            &a.tour_title,
                            (a.recent_views, a.recent_not_found),
                            (a.baseline_views, a.baseline_not_found),
                        )))
                        .child(
                            el("p")
                                .class("hint")
                                .text("Since ")
                                .child(pages::date_time(a.opened_at))
                                .text(". ")
                                .child(
                                    el("a")
                                        .attr(
                                            "href",
                                            &Route::TourStep(a.tour_id.clone(), a.step_id.clone())
                                                .href(),
                                        )
                                        .text("Open the step"),
                                )
                                .text(" · ")
                                .child(
                                    el("a")
                                        .attr(
                                            "href",
                                            &Route::Reports(Some(a.tour_id.clone())).href(),
                                        )
                                        .text("Tour reports"),
                                ),
                        )
                }))),
        );
    });
    banner
}

/// Every alert, open and closed, as a table.
fn alerts_section(ctx: &Ctx) -> Element {
    let slot = el("div").build();
    let section = el("section")
        .class("report")
        .attr("aria-labelledby", "report-alerts-heading")
        .attr("data-test", "report-alerts")
        .child(el("h2").attr("id", "report-alerts-heading").text("Broken-step alerts"))
        .child(el("p").class("hint").text(
            "Opened when a step's element-not-found rate today and yesterday jumps to at least 10 % and three times the 7 days before; the organisation's webhooks are told too.",
        ))
        .child(&slot)
        .build();
    pages::load(
        ctx,
        &slot,
        || async {
            let list = api::alerts().await?;
            let names = step_names(&list.alerts).await;
            Ok((list.alerts, names))
        },
        |slot, (alerts, names): (Vec<StepAlert>, HashMap<(String, String), String>)| {
            if alerts.is_empty() {
                append(
                    slot,
                    el("p")
                        .class("empty")
                        .text("No alerts: every step finds its target."),
                );
                return;
            }
            let caption = "Broken-step alerts, open first";
            let (table, body) = charts::table(
                "alerts-table",
                caption,
                &[
                    "Step",
                    "Tour",
                    "Opened",
                    "Closed",
                    "Not found, recent",
                    "Not found, 7 days before",
                    "Webhooks told",
                ],
                4,
            );
            let share = |views: i64, nf: i64| {
                format!(
                    "{} ({} of {})",
                    chart::percent(cairn_shared::reports::ratio(nf, views)),
                    format::count(nf),
                    format::count(views)
                )
            };
            for a in &alerts {
                let tr = el("tr")
                    .attr("data-test", "alert-row")
                    .attr(
                        "data-open",
                        if a.closed_at.is_none() {
                            "true"
                        } else {
                            "false"
                        },
                    )
                    .child(el("th").attr("scope", "row").text(&name_of(&names, a)))
                    .child(el("td").text(&a.tour_title))
                    .child(el("td").child(pages::date_time(a.opened_at)))
                    .child(match a.closed_at {
                        Some(c) => el("td").child(pages::date_time(c)),
                        None => el("td").child(el("span").class("badge badge-alert").text("Open")),
                    })
                    .child(
                        el("td")
                            .class("num")
                            .text(&share(a.recent_views, a.recent_not_found)),
                    )
                    .child(
                        el("td")
                            .class("num")
                            .text(&share(a.baseline_views, a.baseline_not_found)),
                    )
                    .child(
                        el("td")
                            .class("num")
                            .text(if a.notified { "Yes" } else { "No" }),
                    );
                append(&body, tr);
            }
            append(slot, table);
        },
    );
    section
}
