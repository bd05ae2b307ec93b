//! The arithmetic and words behind the Reports screen's charts: scales, "nice" axis ticks, bar and
//! line geometry, SVG path data, the sentences that summarise a chart for screen readers, report
//! query strings and the broken-step alert sentence. Pure (no DOM), unit-tested natively with
//! `cargo test -p cairn-editor`; `pages::charts` turns the geometry into SVG elements.
//!
//! Coordinates are printed with integer arithmetic ([`coord`]) so no float-formatting code lands in
//! the wasm, as in [`crate::format`].

use crate::format;

/// A linear map from a domain (data values) to a range (pixels).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Linear {
    pub domain: (f64, f64),
    pub range: (f64, f64),
}

impl Linear {
    pub fn new(domain: (f64, f64), range: (f64, f64)) -> Self {
        Linear { domain, range }
    }

    /// The pixel for `v`; a degenerate domain maps everything to the range's start.
    pub fn map(&self, v: f64) -> f64 {
        let (d0, d1) = self.domain;
        let (r0, r1) = self.range;
        if (d1 - d0).abs() < f64::EPSILON || !v.is_finite() {
            return r0;
        }
        r0 + (v - d0) / (d1 - d0) * (r1 - r0)
    }
}

/// The step between axis ticks: 1, 2 or 5 times a power of ten, so that about `target` ticks
/// cover `0..=max`.
pub fn nice_step(max: f64, target: usize) -> f64 {
    if !max.is_finite() || max <= 0.0 {
        return 1.0;
    }
    let raw = max / target.max(1) as f64;
    let magnitude = 10f64.powf(raw.log10().floor());
    let norm = raw / magnitude;
    let nice = if norm <= 1.0 {
        1.0
    } else if norm <= 2.0 {
        2.0
    } else if norm <= 5.0 {
        5.0
    } else {
        10.0
    };
    nice * magnitude
}

/// Axis ticks from 0 to the first multiple of the step at or above `max` (so the top tick bounds
/// the data). Without data (`max` ≤ 0) the axis is `0, 1`.
pub fn ticks(max: f64, target: usize) -> Vec<f64> {
    let step = nice_step(max, target);
    let top = if max.is_finite() && max > 0.0 {
        (max / step - 1e-9).ceil().max(1.0)
    } else {
        1.0
    };
    (0..=top as usize).map(|i| i as f64 * step).collect()
}

/// A tick's label: whole numbers with thousands separators, others with one decimal.
pub fn tick_label(v: f64) -> String {
    if (v - v.round()).abs() < 1e-9 {
        format::count(v.round() as i64)
    } else {
        format::rate(Some(v))
    }
}

/// A coordinate for an SVG attribute, to a tenth of a pixel: `12`, `12.5`, `-0.5`.
pub fn coord(v: f64) -> String {
    let tenths = if v.is_finite() {
        (v * 10.0).round() as i64
    } else {
        0
    };
    let sign = if tenths < 0 { "-" } else { "" };
    let t = tenths.unsigned_abs();
    if t % 10 == 0 {
        format!("{sign}{}", t / 10)
    } else {
        format!("{sign}{}.{}", t / 10, t % 10)
    }
}

/// A share (0–1) as a percentage with one decimal, `25.0%`; an em dash without data.
pub fn percent(share: Option<f64>) -> String {
    match share {
        Some(s) if s.is_finite() => format!("{}%", format::rate(Some(s * 100.0))),
        _ => "—".to_string(),
    }
}

/// A mark's value for its `data-value` attribute: whole numbers as plain digits, others to a tenth
/// (as the tables print them, without thousands separators).
pub fn data_value(v: f64) -> String {
    if (v - v.round()).abs() < 1e-9 {
        format!("{}", v.round() as i64)
    } else {
        format::rate(Some(v)).replace(',', "")
    }
}

/// One bar of a horizontal bar chart, as the data gives it.
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    /// What the bar is (left of it).
    pub label: String,
    pub value: f64,
    /// The value as people read it (right of the bar), e.g. `1,000 views · 25.0% drop-off`.
    pub value_text: String,
}

/// Size of a horizontal bar chart; every bar carries its value as text, so there is no axis.
pub const BAR_WIDTH: f64 = 720.0;
pub const BAR_LABEL: f64 = 220.0;
pub const BAR_VALUE: f64 = 250.0;
pub const BAR_ROW: f64 = 30.0;
pub const BAR_THICKNESS: f64 = 18.0;

/// A bar placed in the chart: its top and its length in pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PlacedBar {
    pub y: f64,
    pub length: f64,
}

/// Lays out bars one per row, lengths relative to the largest value (a non-zero value gets at
/// least one pixel, so it never reads as zero).
pub fn place_bars(values: &[f64]) -> (Vec<PlacedBar>, f64) {
    let max = values
        .iter()
        .copied()
        .filter(|v| v.is_finite())
        .fold(0.0_f64, f64::max);
    let scale = Linear::new((0.0, max), (0.0, BAR_WIDTH - BAR_LABEL - BAR_VALUE));
    let bars = values
        .iter()
        .enumerate()
        .map(|(i, &v)| {
            let v = if v.is_finite() { v.max(0.0) } else { 0.0 };
            let length = if v > 0.0 { scale.map(v).max(1.0) } else { 0.0 };
            PlacedBar {
                y: i as f64 * BAR_ROW + (BAR_ROW - BAR_THICKNESS) / 2.0,
                length,
            }
        })
        .collect();
    (bars, values.len().max(1) as f64 * BAR_ROW)
}

/// What a screen reader hears for a bar chart: the title, then each bar's label and value.
pub fn bars_summary(title: &str, bars: &[Bar]) -> String {
    if bars.is_empty() {
        return format!("{title}: no data.");
    }
    let items: Vec<String> = bars
        .iter()
        .map(|b| format!("{}: {}", b.label, b.value_text))
        .collect();
    format!("{title}. {}.", items.join("; "))
}

/// What a screen reader hears for a line chart: each series with its value at each category
/// (categories without a value are skipped).
pub fn lines_summary(
    title: &str,
    categories: &[String],
    series: &[(String, Vec<Option<f64>>)],
) -> String {
    if series.is_empty() {
        return format!("{title}: no data.");
    }
    let parts: Vec<String> = series
        .iter()
        .map(|(name, values)| {
            let points: Vec<String> = categories
                .iter()
                .zip(values)
                .filter_map(|(c, v)| v.map(|v| format!("{c} {}", format::rate(Some(v)))))
                .collect();
            if points.is_empty() {
                format!("{name}: no data")
            } else {
                format!("{name}: {}", points.join(", "))
            }
        })
        .collect();
    format!("{title}. {}.", parts.join("; "))
}

/// Size of a line chart.
pub const LINE_WIDTH: f64 = 720.0;
pub const LINE_HEIGHT: f64 = 300.0;
pub const LINE_LEFT: f64 = 64.0;
pub const LINE_RIGHT: f64 = 110.0;
pub const LINE_TOP: f64 = 16.0;
pub const LINE_BOTTOM: f64 = 44.0;

/// The x of category `i` of `n`, evenly spread over the plot (one category in the middle).
pub fn category_x(i: usize, n: usize) -> f64 {
    let plot = LINE_WIDTH - LINE_LEFT - LINE_RIGHT;
    if n <= 1 {
        LINE_LEFT + plot / 2.0
    } else {
        LINE_LEFT + plot * i as f64 / (n - 1) as f64
    }
}

/// The y scale of a line chart whose top tick is `top`.
pub fn value_y(top: f64) -> Linear {
    Linear::new((0.0, top), (LINE_HEIGHT - LINE_BOTTOM, LINE_TOP))
}

/// SVG path data through the points; a `None` (no data at that x) breaks the line.
pub fn line_path(points: &[Option<(f64, f64)>]) -> String {
    let mut out = String::new();
    let mut pen_down = false;
    for p in points {
        match p {
            Some((x, y)) => {
                out.push(if pen_down { 'L' } else { 'M' });
                out.push_str(&coord(*x));
                out.push(',');
                out.push_str(&coord(*y));
                pen_down = true;
            }
            None => pen_down = false,
        }
    }
    out
}

/// Marker shapes, so series differ by more than colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Marker {
    Circle,
    Square,
    Triangle,
    Diamond,
}

impl Marker {
    pub const ALL: [Marker; 4] = [
        Marker::Circle,
        Marker::Square,
        Marker::Triangle,
        Marker::Diamond,
    ];

    pub fn nth(i: usize) -> Marker {
        Self::ALL[i % Self::ALL.len()]
    }

    pub fn name(self) -> &'static str {
        match self {
            Marker::Circle => "circle",
            Marker::Square => "square",
            Marker::Triangle => "triangle",
            Marker::Diamond => "diamond",
        }
    }

    /// A closed path of radius `r` around (x, y).
    pub fn path(self, x: f64, y: f64, r: f64) -> String {
        let c = coord;
        match self {
            Marker::Circle => format!(
                "M{},{}a{},{} 0 1,0 {},0a{},{} 0 1,0 -{},0Z",
                c(x - r),
                c(y),
                c(r),
                c(r),
                c(2.0 * r),
                c(r),
                c(r),
                c(2.0 * r)
            ),
            Marker::Square => format!(
                "M{},{}h{}v{}h-{}Z",
                c(x - r),
                c(y - r),
                c(2.0 * r),
                c(2.0 * r),
                c(2.0 * r)
            ),
            Marker::Triangle => format!(
                "M{},{}L{},{}L{},{}Z",
                c(x),
                c(y - r),
                c(x + r),
                c(y + r),
                c(x - r),
                c(y + r)
            ),
            Marker::Diamond => format!(
                "M{},{}L{},{}L{},{}L{},{}Z",
                c(x),
                c(y - r),
                c(x + r),
                c(y),
                c(x),
                c(y + r),
                c(x - r),
                c(y)
            ),
        }
    }
}

/// Moves labels apart vertically so none is closer than `gap` to the next, keeping their order
/// and staying within `min..=max` where there is room.
pub fn spread(ys: &[f64], gap: f64, min: f64, max: f64) -> Vec<f64> {
    let mut order: Vec<usize> = (0..ys.len()).collect();
    order.sort_by(|&a, &b| ys[a].total_cmp(&ys[b]).then(a.cmp(&b)));
    let mut placed = vec![0.0; ys.len()];
    let mut last = f64::NEG_INFINITY;
    for &i in &order {
        let y = ys[i].max(min).max(last + gap);
        placed[i] = y;
        last = y;
    }
    // Pushed past the bottom: shift the tail back up, as far as the top allows.
    if let Some(&bottom) = order.last() {
        let over = placed[bottom] - max;
        if over > 0.0 {
            let room = order.first().map_or(0.0, |&top| placed[top] - min);
            let shift = over.min(room.max(0.0));
            for y in &mut placed {
                *y -= shift;
            }
        }
    }
    placed
}

/// The query string of a report (without `?`): the period, then the report's own parameters.
/// Empty values are left out; values are percent-encoded.
pub fn query(params: &[(&str, &str)]) -> String {
    params
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={}", encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// `path?query`, with `format=csv` added for the download link.
pub fn href(base: &str, path: &str, query: &str, csv: bool) -> String {
    let mut q = query.to_string();
    if csv {
        if !q.is_empty() {
            q.push('&');
        }
        q.push_str("format=csv");
    }
    if q.is_empty() {
        format!("{base}{path}")
    } else {
        format!("{base}{path}?{q}")
    }
}

/// Percent-encodes all but unreserved characters.
pub fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Whether a date field holds `YYYY-MM-DD` (or nothing, which means the server's default).
pub fn valid_day(s: &str) -> bool {
    s.is_empty() || cairn_shared::reports::parse_day(s).is_some()
}

/// "Step 2 “Approve”" or "Step 2" without a title; "Step (abc)" when the step is not in the tour.
pub fn step_name(index: Option<u32>, title: &str, step_id: &str) -> String {
    match (index, title.trim()) {
        (Some(i), "") => format!("Step {}", i + 1),
        (Some(i), t) => format!("Step {} “{}”", i + 1, format::excerpt(t, 40)),
        (None, _) => format!("Step ({step_id})"),
    }
}

/// The broken-step alert in words: where, how much, compared with what.
pub fn alert_sentence(
    step: &str,
    tour_title: &str,
    recent: (i64, i64),
    baseline: (i64, i64),
) -> String {
    let share = |(views, nf): (i64, i64)| cairn_shared::reports::ratio(nf, views);
    format!(
        "{step} of “{tour}”: the target element was not found on {} of views today and yesterday \
         ({} of {}), against {} in the 7 days before ({} of {}).",
        percent(share(recent)),
        format::count(recent.1),
        format::count(recent.0),
        percent(share(baseline)),
        format::count(baseline.1),
        format::count(baseline.0),
        tour = if tour_title.is_empty() {
            "(untitled tour)"
        } else {
            tour_title
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nice_steps_and_ticks() {
        assert_eq!(nice_step(100.0, 5), 20.0);
        assert_eq!(nice_step(7.0, 5), 2.0);
        assert_eq!(nice_step(0.9, 5), 0.2);
        assert_eq!(nice_step(4500.0, 5), 1000.0);
        assert_eq!(nice_step(0.0, 5), 1.0);
        assert_eq!(ticks(100.0, 5), vec![0.0, 20.0, 40.0, 60.0, 80.0, 100.0]);
        assert_eq!(ticks(41.0, 4), vec![0.0, 20.0, 40.0, 60.0]);
        assert_eq!(ticks(0.0, 5), vec![0.0, 1.0]);
        assert_eq!(ticks(f64::NAN, 5), vec![0.0, 1.0]);
        let t = ticks(0.7, 4);
        assert!(t.last().is_some_and(|&top| top >= 0.7), "{t:?}");
        assert_eq!(tick_label(2000.0), "2,000");
        assert_eq!(tick_label(0.5), "0.5");
    }

    #[test]
    fn linear_scale_maps_and_inverts() {
        let y = Linear::new((0.0, 50.0), (200.0, 0.0));
        assert_eq!(y.map(0.0), 200.0);
        assert_eq!(y.map(50.0), 0.0);
        assert_eq!(y.map(25.0), 100.0);
        assert_eq!(Linear::new((3.0, 3.0), (10.0, 20.0)).map(3.0), 10.0);
    }

    #[test]
    fn coordinates_print_to_a_tenth() {
        assert_eq!(coord(12.0), "12");
        assert_eq!(coord(12.46), "12.5");
        assert_eq!(coord(-0.5), "-0.5");
        assert_eq!(coord(f64::INFINITY), "0");
        assert_eq!(percent(Some(0.25)), "25.0%");
        assert_eq!(percent(None), "—");
        assert_eq!(data_value(1200.0), "1200");
        assert_eq!(data_value(12.727), "12.7");
        assert_eq!(data_value(1234.56), "1234.6");
    }

    #[test]
    fn bars_are_proportional_and_never_vanish() {
        let (bars, height) = place_bars(&[1000.0, 500.0, 0.0, 0.001]);
        let full = BAR_WIDTH - BAR_LABEL - BAR_VALUE;
        assert_eq!(bars[0].length, full);
        assert_eq!(bars[1].length, full / 2.0);
        assert_eq!(bars[2].length, 0.0);
        assert_eq!(bars[3].length, 1.0, "a tiny value still shows");
        assert_eq!(bars[1].y - bars[0].y, BAR_ROW);
        assert_eq!(height, 4.0 * BAR_ROW);
        let (none, h) = place_bars(&[]);
        assert!(none.is_empty());
        assert_eq!(h, BAR_ROW);
    }

    #[test]
    fn summaries_name_every_bar() {
        let bars = vec![
            Bar {
                label: "Step 1".into(),
                value: 10.0,
                value_text: "10 views".into(),
            },
            Bar {
                label: "Step 2".into(),
                value: 4.0,
                value_text: "4 views".into(),
            },
        ];
        assert_eq!(
            bars_summary("Funnel", &bars),
            "Funnel. Step 1: 10 views; Step 2: 4 views."
        );
        assert_eq!(bars_summary("Funnel", &[]), "Funnel: no data.");
    }

    #[test]
    fn line_summaries_read_each_point() {
        let cats = vec!["version 1".to_string(), "version 2".to_string()];
        assert_eq!(
            lines_summary(
                "Tickets per 1,000 views",
                &cats,
                &[
                    ("Step 2".into(), vec![Some(40.0), Some(5.25)]),
                    ("Step 3".into(), vec![None, None])
                ]
            ),
            "Tickets per 1,000 views. Step 2: version 1 40.0, version 2 5.3; Step 3: no data."
        );
        assert_eq!(lines_summary("T", &cats, &[]), "T: no data.");
    }

    #[test]
    fn line_paths_break_at_gaps() {
        assert_eq!(
            line_path(&[Some((0.0, 10.0)), Some((5.5, 2.0)), None, Some((9.0, 1.0))]),
            "M0,10L5.5,2M9,1"
        );
        assert_eq!(line_path(&[]), "");
        assert_eq!(category_x(0, 1), category_x(3, 7));
        assert_eq!(category_x(0, 3), LINE_LEFT);
        assert_eq!(category_x(2, 3), LINE_WIDTH - LINE_RIGHT);
        let y = value_y(100.0);
        assert_eq!(y.map(0.0), LINE_HEIGHT - LINE_BOTTOM);
        assert_eq!(y.map(100.0), LINE_TOP);
    }

    #[test]
    fn markers_are_closed_shapes() {
        assert_eq!(Marker::Square.path(10.0, 10.0, 4.0), "M6,6h8v8h-8Z");
        assert_eq!(Marker::Triangle.path(0.0, 0.0, 2.0), "M0,-2L2,2L-2,2Z");
        assert_eq!(Marker::nth(5), Marker::Square);
        for m in Marker::ALL {
            assert!(m.path(1.0, 1.0, 3.0).ends_with('Z'), "{}", m.name());
        }
    }

    #[test]
    fn labels_spread_apart_in_order() {
        assert_eq!(
            spread(&[50.0, 52.0, 10.0], 14.0, 0.0, 300.0),
            vec![50.0, 64.0, 10.0]
        );
        // At the bottom edge the group moves up instead of overflowing.
        let ys = spread(&[100.0, 100.0, 100.0], 10.0, 0.0, 105.0);
        assert_eq!(ys, vec![85.0, 95.0, 105.0]);
        assert!(spread(&[], 10.0, 0.0, 1.0).is_empty());
    }

    #[test]
    fn report_queries_and_links() {
        assert_eq!(
            query(&[
                ("from", "2026-11-01"),
                ("to", ""),
                ("dimension", "role"),
                ("step_id", "a b&c")
            ]),
            "from=2026-11-01&dimension=role&step_id=a%20b%26c"
        );
        assert_eq!(
            href("/api/v1", "/reports/deflection", "", true),
            "/api/v1/reports/deflection?format=csv"
        );
        assert_eq!(
            href("/api/v1", "/reports/deflection", "from=2026-11-01", true),
            "/api/v1/reports/deflection?from=2026-11-01&format=csv"
        );
        assert_eq!(href("", "/x", "", false), "/x");
        assert!(valid_day(""));
        assert!(valid_day("2026-11-27"));
        assert!(!valid_day("2026-02-30"));
        assert!(!valid_day("27/11/2026"));
    }

    #[test]
    fn alert_sentences_give_both_rates() {
        assert_eq!(
            alert_sentence(
                &step_name(Some(0), "Open the form", "s1"),
                "Expenses",
                (100, 40),
                (500, 5)
            ),
            "Step 1 “Open the form” of “Expenses”: the target element was not found on 40.0% of \
             views today and yesterday (40 of 100), against 1.0% in the 7 days before (5 of 500)."
        );
        assert_eq!(step_name(None, "", "s9"), "Step (s9)");
        assert!(alert_sentence("Step 2", "", (0, 0), (0, 0)).contains("—"));
    }
}
