//! Hash routing: `#/tours`, `#/tours/{id}`, `#/tooltips[/{id}]`, `#/checklists[/{id}]`,
//! `#/{kind}/{id}/versions`, `#/tickets`, `#/tickets/{id}`, `#/reports`, `#/apps`. The hash keeps
//! the server out of routing (it serves one `index.html`) and makes every screen linkable.

use wasm_bindgen::JsValue;

/// A screen of the editor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    Tours,
    Tour(String),
    /// A tour opened at one step (`#/tours/{id}/steps/{step id}`), e.g. from a ticket.
    TourStep(String, String),
    /// A document's published versions, diff and rollback.
    Versions(Kind, String),
    Tooltips,
    Tooltip(String),
    Checklists,
    Checklist(String),
    Tickets,
    Ticket(String),
    Apps,
    /// Outbound deliveries to webhooks and help desks.
    Deliveries,
    /// Analytics reports, for all tours or opened on one (`#/reports/{tour id}`).
    Reports(Option<String>),
    /// Anything else, kept so the page can say what was not found.
    NotFound(String),
}

/// A kind of content document: tours, tooltips, checklists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Tours,
    Tooltips,
    Checklists,
}

impl Kind {
    /// The API's plural, also the route's first segment.
    pub fn plural(self) -> &'static str {
        match self {
            Kind::Tours => "tours",
            Kind::Tooltips => "tooltips",
            Kind::Checklists => "checklists",
        }
    }

    /// "tour", "tooltip", "checklist".
    pub fn noun(self) -> &'static str {
        match self {
            Kind::Tours => "tour",
            Kind::Tooltips => "tooltip",
            Kind::Checklists => "checklist",
        }
    }

    /// The builder of document `id` of this kind.
    pub fn route(self, id: String) -> Route {
        match self {
            Kind::Tours => Route::Tour(id),
            Kind::Tooltips => Route::Tooltip(id),
            Kind::Checklists => Route::Checklist(id),
        }
    }

    fn of_plural(plural: &str) -> Option<Kind> {
        [Kind::Tours, Kind::Tooltips, Kind::Checklists]
            .into_iter()
            .find(|k| k.plural() == plural)
    }
}

/// The top-level sections, one per nav link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Tours,
    Tooltips,
    Checklists,
    Tickets,
    Reports,
    Apps,
}

impl Section {
    pub const ALL: [Section; 6] = [
        Section::Tours,
        Section::Tooltips,
        Section::Checklists,
        Section::Tickets,
        Section::Reports,
        Section::Apps,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Section::Tours => "Tours",
            Section::Tooltips => "Tooltips",
            Section::Checklists => "Checklists",
            Section::Tickets => "Tickets",
            Section::Reports => "Reports",
            Section::Apps => "Install",
        }
    }

    /// The nav link's `data-test` value.
    pub fn test_id(self) -> &'static str {
        match self {
            Section::Tours => "nav-tours",
            Section::Tooltips => "nav-tooltips",
            Section::Checklists => "nav-checklists",
            Section::Tickets => "nav-tickets",
            Section::Reports => "nav-reports",
            Section::Apps => "nav-apps",
        }
    }

    pub fn route(self) -> Route {
        match self {
            Section::Tours => Route::Tours,
            Section::Tooltips => Route::Tooltips,
            Section::Checklists => Route::Checklists,
            Section::Tickets => Route::Tickets,
            Section::Reports => Route::Reports(None),
            Section::Apps => Route::Apps,
        }
    }
}

impl Route {
    /// Parses `location.hash` (with or without the leading `#`). An empty hash is the tours list.
    pub fn parse(hash: &str) -> Route {
        let path = hash
            .trim_start_matches('#')
            .trim_start_matches('/')
            .trim_end_matches('/');
        let parts: Vec<&str> = path.split('/').collect();
        match parts.as_slice() {
            [kind, id, "versions"] if !id.is_empty() => {
                if let Some(kind) = Kind::of_plural(kind) {
                    return Route::Versions(kind, decode(id));
                }
            }
            ["tours", id, "steps", step] if !id.is_empty() && !step.is_empty() => {
                return Route::TourStep(decode(id), decode(step));
            }
            _ => {}
        }
        let mut parts = parts.into_iter();
        let first = parts.next().unwrap_or_default();
        let second = parts.next().filter(|s| !s.is_empty());
        if parts.next().is_some() {
            return Route::NotFound(path.to_string());
        }
        match (first, second) {
            ("" | "tours", None) => Route::Tours,
            ("tours", Some(id)) => Route::Tour(decode(id)),
            ("tooltips", None) => Route::Tooltips,
            ("tooltips", Some(id)) => Route::Tooltip(decode(id)),
            ("checklists", None) => Route::Checklists,
            ("checklists", Some(id)) => Route::Checklist(decode(id)),
            ("tickets", None) => Route::Tickets,
            ("tickets", Some(id)) => Route::Ticket(decode(id)),
            ("apps", None) => Route::Apps,
            ("deliveries", None) => Route::Deliveries,
            ("reports", tour) => Route::Reports(tour.map(decode)),
            _ => Route::NotFound(path.to_string()),
        }
    }

    /// The `href` that leads here.
    pub fn href(&self) -> String {
        match self {
            Route::Tours => "#/tours".to_string(),
            Route::Tour(id) => format!("#/tours/{}", encode(id)),
            Route::TourStep(id, step) => format!("#/tours/{}/steps/{}", encode(id), encode(step)),
            Route::Versions(kind, id) => format!("#/{}/{}/versions", kind.plural(), encode(id)),
            Route::Deliveries => "#/deliveries".to_string(),
            Route::Tooltips => "#/tooltips".to_string(),
            Route::Tooltip(id) => format!("#/tooltips/{}", encode(id)),
            Route::Checklists => "#/checklists".to_string(),
            Route::Checklist(id) => format!("#/checklists/{}", encode(id)),
            Route::Reports(None) => "#/reports".to_string(),
            Route::Reports(Some(id)) => format!("#/reports/{}", encode(id)),
            Route::Tickets => "#/tickets".to_string(),
            Route::Ticket(id) => format!("#/tickets/{}", encode(id)),
            Route::Apps => "#/apps".to_string(),
            Route::NotFound(path) => format!("#/{path}"),
        }
    }

    /// The nav section this screen belongs to, for `aria-current`.
    pub fn section(&self) -> Option<Section> {
        match self {
            Route::Tours
            | Route::Tour(_)
            | Route::TourStep(..)
            | Route::Versions(Kind::Tours, _) => Some(Section::Tours),
            Route::Tooltips | Route::Tooltip(_) | Route::Versions(Kind::Tooltips, _) => {
                Some(Section::Tooltips)
            }
            Route::Checklists | Route::Checklist(_) | Route::Versions(Kind::Checklists, _) => {
                Some(Section::Checklists)
            }
            Route::Tickets | Route::Ticket(_) | Route::Deliveries => Some(Section::Tickets),
            Route::Reports(_) => Some(Section::Reports),
            Route::Apps => Some(Section::Apps),
            Route::NotFound(_) => None,
        }
    }
}

/// Ids are server-chosen (uuids), but a pasted link may carry anything: percent-decode it
/// leniently rather than fail.
fn decode(segment: &str) -> String {
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (
            bytes[i],
            bytes.get(i + 1).and_then(|&b| hex(b)),
            bytes.get(i + 2).and_then(|&b| hex(b)),
        ) {
            (b'%', Some(h), Some(l)) => {
                out.push((h * 16 + l) as u8);
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Percent-encodes everything but unreserved characters, so an id can never add a path segment.
fn encode(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len());
    for b in segment.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The route in the address bar now.
pub fn current() -> Route {
    let hash = web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .unwrap_or_default();
    Route::parse(&hash)
}

/// Goes to `route`; the `hashchange` listener renders it.
pub fn go(route: &Route) {
    if let Some(w) = web_sys::window() {
        let _ = w.location().set_hash(&route.href());
    }
}

/// Rewrites the address bar without adding a history entry or firing `hashchange` (used to put
/// `#/tours` on a bare `/editor/`).
pub fn replace(route: &Route) {
    if let Some(history) = web_sys::window().and_then(|w| w.history().ok()) {
        let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(&route.href()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_screen() {
        assert_eq!(Route::parse(""), Route::Tours);
        assert_eq!(Route::parse("#"), Route::Tours);
        assert_eq!(Route::parse("#/"), Route::Tours);
        assert_eq!(Route::parse("#/tours"), Route::Tours);
        assert_eq!(Route::parse("#/tours/"), Route::Tours);
        assert_eq!(Route::parse("#/tours/abc-1"), Route::Tour("abc-1".into()));
        assert_eq!(Route::parse("#/tickets"), Route::Tickets);
        assert_eq!(Route::parse("#/tickets/t%2F1"), Route::Ticket("t/1".into()));
        assert_eq!(Route::parse("#/apps"), Route::Apps);
        assert_eq!(Route::parse("#/nope"), Route::NotFound("nope".into()));
        assert_eq!(
            Route::parse("#/tours/a/b"),
            Route::NotFound("tours/a/b".into())
        );
    }

    #[test]
    fn hrefs_round_trip() {
        for r in [
            Route::Tours,
            Route::Tour("3f2a-11".into()),
            Route::Tickets,
            Route::Ticket("a/b c%".into()),
            Route::Apps,
        ] {
            assert_eq!(Route::parse(&r.href()), r);
        }
        assert_eq!(Route::Tour("a/b".into()).href(), "#/tours/a%2Fb");
    }

    #[test]
    fn nested_tour_routes_round_trip() {
        for r in [
            Route::TourStep("t 1".into(), "s/2".into()),
            Route::Versions(Kind::Tours, "t1".into()),
            Route::Versions(Kind::Tooltips, "tip 1".into()),
            Route::Versions(Kind::Checklists, "c/1".into()),
            Route::Deliveries,
            Route::Tooltips,
            Route::Tooltip("tip 1".into()),
            Route::Checklists,
            Route::Checklist("c/1".into()),
            Route::Reports(None),
            Route::Reports(Some("t/1".into())),
        ] {
            assert_eq!(Route::parse(&r.href()), r);
        }
        assert_eq!(
            Route::parse("#/tours/t1/steps/"),
            Route::NotFound("tours/t1/steps".into())
        );
        assert_eq!(
            Route::parse("#/tours/t1/nope"),
            Route::NotFound("tours/t1/nope".into())
        );
    }

    #[test]
    fn sections() {
        assert_eq!(Route::Tour("x".into()).section(), Some(Section::Tours));
        assert_eq!(Route::Ticket("x".into()).section(), Some(Section::Tickets));
        assert_eq!(Route::NotFound("x".into()).section(), None);
        assert_eq!(Section::Apps.test_id(), "nav-apps");
        assert_eq!(
            Route::Checklist("x".into()).section(),
            Some(Section::Checklists)
        );
        assert_eq!(Route::Tooltips.section(), Some(Section::Tooltips));
        assert_eq!(
            Route::Reports(Some("t".into())).section(),
            Some(Section::Reports)
        );
        assert_eq!(Route::parse("#/reports/"), Route::Reports(None));
        assert_eq!(
            Route::Versions(Kind::Tooltips, "x".into()).section(),
            Some(Section::Tooltips)
        );
        assert_eq!(
            Route::parse("#/tooltips/t1/versions").href(),
            "#/tooltips/t1/versions"
        );
        assert_eq!(
            Route::parse("#/tickets/t1/versions"),
            Route::NotFound("tickets/t1/versions".into())
        );
    }
}
