//! Accessible SVG charts for the Reports screen, built element by element with `createElementNS`
//! (never markup). Each chart is one `<svg role="img">` whose `aria-label` reads out every value
//! (from [`chart`]); its `<table>` twin sits below in a "Data table" disclosure. Bars carry their
//! value as text and series differ by marker shape and dash pattern, so nothing relies on colour.
//! Every mark keeps `data-label`/`data-value` so tests can compare the chart with the table.

use web_sys::Element;

use crate::chart::{self, Bar, Marker};
use crate::dom::{el, svg};
use crate::format;

fn canvas(test: &str, width: f64, height: f64, summary: &str) -> crate::dom::El {
    svg("svg")
        .attr(
            "viewBox",
            &format!("0 0 {} {}", chart::coord(width), chart::coord(height)),
        )
        .attr("role", "img")
        .attr("aria-label", summary)
        .attr("data-test", test)
        .attr("class", "chart-svg")
        .attr("focusable", "false")
}

fn text(x: f64, y: f64, anchor: &str, class: &str, content: &str) -> Element {
    svg("text")
        .attr("x", &chart::coord(x))
        .attr("y", &chart::coord(y))
        .attr("text-anchor", anchor)
        .attr("class", class)
        .text(content)
        .build()
}

/// A horizontal bar chart: label, bar, value text on each row.
pub fn bars(test: &str, title: &str, bars: &[Bar]) -> Element {
    let values: Vec<f64> = bars.iter().map(|b| b.value).collect();
    let (placed, height) = chart::place_bars(&values);
    let mut root = canvas(
        test,
        chart::BAR_WIDTH,
        height,
        &chart::bars_summary(title, bars),
    );
    for (b, p) in bars.iter().zip(&placed) {
        let middle = p.y + chart::BAR_THICKNESS / 2.0 + 5.0;
        let x0 = chart::BAR_LABEL;
        root = root.child(
            svg("g")
                .attr("class", "bar-row")
                .attr("data-test", "bar")
                .attr("data-label", &b.label)
                .attr("data-value", &chart::data_value(b.value))
                // The whole label as a tooltip, where the one drawn is cut short.
                .child(svg("title").text(&format!("{}: {}", b.label, b.value_text)))
                .child(text(
                    x0 - 8.0,
                    middle,
                    "end",
                    "chart-label",
                    &format::excerpt(&b.label, 30),
                ))
                .child(
                    svg("rect")
                        .attr("x", &chart::coord(x0))
                        .attr("y", &chart::coord(p.y))
                        .attr("width", &chart::coord(p.length))
                        .attr("height", &chart::coord(chart::BAR_THICKNESS))
                        .attr("class", "chart-bar"),
                )
                .child(text(
                    x0 + p.length + 6.0,
                    middle,
                    "start",
                    "chart-value",
                    &b.value_text,
                )),
        );
    }
    root.build()
}

/// One line of a line chart: a name and a value (or nothing) per category.
pub struct Series {
    pub name: String,
    pub values: Vec<Option<f64>>,
}

/// A line chart over categories (versions): y ticks with grid lines, one line per series with a
/// distinct marker and dash pattern, and the series' name at its last point.
pub fn lines(
    test: &str,
    title: &str,
    y_title: &str,
    categories: &[String],
    series: &[Series],
) -> Element {
    let max = series
        .iter()
        .flat_map(|s| s.values.iter().flatten().copied())
        .fold(0.0_f64, f64::max);
    let ticks = chart::ticks(max, 4);
    let top = ticks.last().copied().unwrap_or(1.0);
    let y = chart::value_y(top);
    let summary = chart::lines_summary(
        title,
        categories,
        &series
            .iter()
            .map(|s| (s.name.clone(), s.values.clone()))
            .collect::<Vec<_>>(),
    );
    let mut root = canvas(test, chart::LINE_WIDTH, chart::LINE_HEIGHT, &summary);
    let right = chart::LINE_WIDTH - chart::LINE_RIGHT;
    for t in &ticks {
        let ty = y.map(*t);
        root = root
            .child(
                svg("line")
                    .attr("x1", &chart::coord(chart::LINE_LEFT))
                    .attr("x2", &chart::coord(right))
                    .attr("y1", &chart::coord(ty))
                    .attr("y2", &chart::coord(ty))
                    .attr("class", "chart-grid"),
            )
            .child(text(
                chart::LINE_LEFT - 8.0,
                ty + 4.0,
                "end",
                "chart-tick",
                &chart::tick_label(*t),
            ));
    }
    let baseline = chart::LINE_HEIGHT - chart::LINE_BOTTOM;
    for (i, c) in categories.iter().enumerate() {
        root = root.child(text(
            chart::category_x(i, categories.len()),
            baseline + 18.0,
            "middle",
            "chart-tick",
            c,
        ));
    }
    root = root.child(text(
        chart::LINE_LEFT,
        chart::LINE_HEIGHT - 4.0,
        "start",
        "chart-axis",
        y_title,
    ));
    // End labels: at each series' last point, moved apart so they do not overlap.
    let ends: Vec<Option<(f64, f64)>> =
        series
            .iter()
            .map(|s| {
                s.values.iter().enumerate().rev().find_map(|(i, v)| {
                    v.map(|v| (chart::category_x(i, categories.len()), y.map(v)))
                })
            })
            .collect();
    let label_ys = chart::spread(
        &ends
            .iter()
            .map(|e| e.map_or(0.0, |e| e.1))
            .collect::<Vec<_>>(),
        15.0,
        chart::LINE_TOP,
        baseline,
    );
    for (n, s) in series.iter().enumerate() {
        let marker = Marker::nth(n);
        let points: Vec<Option<(f64, f64)>> = s
            .values
            .iter()
            .enumerate()
            .map(|(i, v)| v.map(|v| (chart::category_x(i, categories.len()), y.map(v))))
            .collect();
        let mut g = svg("g")
            .attr("class", &format!("series series-{}", n % 6))
            .attr("data-test", "series")
            .attr("data-label", &s.name)
            .attr("data-marker", marker.name())
            .child(
                svg("path")
                    .attr("d", &chart::line_path(&points))
                    .attr("class", &format!("series-line dash-{}", n % 3)),
            );
        for (i, p) in points.iter().enumerate() {
            if let (Some((px, py)), Some(v)) = (p, s.values[i]) {
                g = g.child(
                    svg("path")
                        .attr("d", &marker.path(*px, *py, 5.0))
                        .attr("class", "series-marker")
                        .attr("data-test", "point")
                        .attr("data-category", &categories[i])
                        .attr("data-value", &chart::data_value(v)),
                );
            }
        }
        if let Some((ex, _)) = ends[n] {
            g = g.child(text(
                ex + 10.0,
                label_ys[n] + 4.0,
                "start",
                "series-name",
                &s.name,
            ));
        }
        root = root.child(g);
    }
    root.build()
}

/// The chart in a `<figure>` with a caption, then its data table in a disclosure (keyboard
/// reachable: `<summary>` is a native control).
pub fn figure(caption: &str, chart: Element, table: Element) -> Element {
    el("div")
        .class("chart-block")
        .child(
            el("figure")
                .class("chart")
                .child(chart)
                .child(el("figcaption").class("hint").text(caption)),
        )
        .child(
            el("details")
                .class("data-table")
                .child(
                    el("summary").text("Data table").child(
                        el("span")
                            .class("visually-hidden")
                            .text(&format!(": {caption}")),
                    ),
                )
                .child(table),
        )
        .build()
}

/// A data table with a visible caption; `numeric` columns are right-aligned.
pub fn table(
    test: &str,
    caption: &str,
    headers: &[&str],
    numeric_from: usize,
) -> (Element, Element) {
    let body = el("tbody").build();
    let t = el("table")
        .class("data report-table")
        .attr("data-test", test)
        .child(el("caption").text(caption))
        .child(
            el("thead").child(el("tr").children(headers.iter().enumerate().map(|(i, h)| {
                let th = el("th").attr("scope", "col");
                if i >= numeric_from {
                    th.class("num")
                } else {
                    th
                }
                .text(h)
            }))),
        )
        .child(&body)
        .build();
    (crate::pages::table_wrap(caption, t), body)
}

/// A table row: the first cell a row header, cells from `numeric_from` right-aligned.
pub fn row(cells: &[String], numeric_from: usize) -> Element {
    el("tr")
        .children(cells.iter().enumerate().map(|(i, c)| {
            let cell = if i == 0 {
                el("th").attr("scope", "row")
            } else {
                el("td")
            };
            if i >= numeric_from {
                cell.class("num")
            } else {
                cell
            }
            .text(c)
        }))
        .build()
}
