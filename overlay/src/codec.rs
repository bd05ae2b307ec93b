//! The JSON shapes of `cairn_shared`, read from and written to plain JS values; the browser's
//! `JSON.parse` / `JSON.stringify` handle the text. This is written by hand because serde's generic
//! code (derives, visitors, a deserializer) measured +160 KB raw / +45 KB gzipped, about as much as
//! the whole rest of the overlay, which the 60 KB budget cannot afford.
//!
//! It mirrors the serde attributes of the shared types (tags `kind`, `on`, `type`; snake_case;
//! defaults for missing fields): a change there needs the same change here. Reading is lenient like
//! serde's defaults, and an entry that lacks what it cannot do without is skipped, not fatal.

use cairn_shared::api::{OverlayContent, PublishedChecklist, PublishedTooltip, PublishedTour};
use cairn_shared::content::{
    Advance, Checklist, ChecklistAction, ChecklistItem, Placement, Step, Strategy, Target,
    TextVariant, Tooltip, TooltipTrigger, Tour, WhenAbsent,
};
use cairn_shared::events::OverlayEvent;
use cairn_shared::targeting::{AttributeRule, Frequency, Proficiency, Schedule, Targeting};
use cairn_shared::tickets::{ExternalTicket, MyTicket, PublicReply, TicketStatus};
use js_sys::{Array, JSON, Object, Reflect};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

// ---- reading -------------------------------------------------------------------------------

pub fn parse(text: &str) -> Option<JsValue> {
    JSON::parse(text).ok()
}

pub fn get(v: &JsValue, key: &str) -> JsValue {
    Reflect::get(v, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

pub fn opt_string(v: &JsValue, key: &str) -> Option<String> {
    get(v, key).as_string()
}

pub fn string(v: &JsValue, key: &str) -> String {
    opt_string(v, key).unwrap_or_default()
}

pub fn number(v: &JsValue, key: &str) -> Option<f64> {
    get(v, key).as_f64()
}

fn u32_of(v: &JsValue, key: &str) -> u32 {
    number(v, key).map_or(0, |n| n as u32)
}

/// The entries of the array at `key` that `read` accepts.
pub fn list<T>(v: &JsValue, key: &str, read: impl Fn(&JsValue) -> Option<T>) -> Vec<T> {
    let mut out = Vec::new();
    each(&get(v, key), &mut |item| {
        if let Some(x) = read(item) {
            out.push(x);
        }
    });
    out
}

/// Calls `f` on each entry of `array` (nothing when it is not an array). Not generic, so the
/// iteration is compiled once for every list the codec reads.
fn each(array: &JsValue, f: &mut dyn FnMut(&JsValue)) {
    if let Some(array) = array.dyn_ref::<Array>() {
        for item in array.iter() {
            f(&item);
        }
    }
}

fn strings(v: &JsValue, key: &str) -> Vec<String> {
    list(v, key, JsValue::as_string)
}

/// `identify({id, attributes, hash})` as the `Identity` JSON the server takes, kept as a plain
/// object (no map code in the wasm): string, number and boolean attributes become strings, others
/// are left out. `None` without an id.
pub fn identity(user: &JsValue) -> Option<JsValue> {
    let id = get(user, "id");
    // Numeric ids are accepted too (as integers: ids are never fractional).
    let id = id
        .as_string()
        .or_else(|| id.as_f64().map(crate::dom::int))
        .filter(|s| !s.is_empty())?;
    let attributes = Object::new();
    let given = get(user, "attributes");
    if given.is_object() {
        each(
            &Object::entries(given.unchecked_ref()).into(),
            &mut |entry| {
                // `Object.entries` gives [key, value] arrays.
                let entry: &Array = entry.unchecked_ref();
                let (key, value) = (entry.get(0), entry.get(1));
                if value.as_string().is_some()
                    || value.as_f64().is_some()
                    || value.as_bool().is_some()
                {
                    let _ = Reflect::set(&attributes, &key, &js_sys::JsString::from(value));
                }
            },
        );
    }
    let hash = get(user, "hash").as_string().filter(|h| !h.is_empty());
    Some(
        Obj::new()
            .set("id", id)
            .set("attributes", attributes)
            .opt("hash", hash)
            .done(),
    )
}

/// `GET /api/v1/overlay/my-tickets`.
pub fn my_tickets(v: &JsValue) -> Vec<MyTicket> {
    let mut out = Vec::new();
    each(v, &mut |t| {
        if let (Some(id), Some(n), Some(status)) = (
            opt_string(t, "id"),
            number(t, "number"),
            TicketStatus::parse(&string(t, "status")),
        ) {
            out.push(MyTicket {
                id,
                number: n as i64,
                status,
                message: string(t, "message"),
                created_at: number_or_zero(t, "created_at"),
                last_reply_at: number(t, "last_reply_at").map(|n| n as i64),
                external: list(t, "external", |x| {
                    Some(ExternalTicket {
                        system: string(x, "system"),
                        id: opt_string(x, "id"),
                        url: opt_string(x, "url"),
                    })
                }),
                replies: list(t, "replies", |r| {
                    Some(PublicReply {
                        author: string(r, "author"),
                        body: string(r, "body"),
                        created_at: number_or_zero(r, "created_at"),
                    })
                }),
            });
        }
    });
    out
}

fn number_or_zero(v: &JsValue, key: &str) -> i64 {
    number(v, key).unwrap_or(0.0) as i64
}

/// `GET /api/v1/overlay/content`.
pub fn content(v: &JsValue) -> OverlayContent {
    OverlayContent {
        app_name: string(v, "app_name"),
        categories: strings(v, "categories"),
        require_verified_identity: get(v, "require_verified_identity")
            .as_bool()
            .unwrap_or(false),
        tours: list(v, "tours", |t| {
            Some(PublishedTour {
                id: opt_string(t, "id")?,
                version: u32_of(t, "version"),
                doc: tour(&get(t, "doc"))?,
            })
        }),
        tooltips: list(v, "tooltips", |t| {
            Some(PublishedTooltip {
                id: opt_string(t, "id")?,
                version: u32_of(t, "version"),
                doc: tooltip(&get(t, "doc"))?,
            })
        }),
        checklists: list(v, "checklists", |c| {
            Some(PublishedChecklist {
                id: opt_string(c, "id")?,
                version: u32_of(c, "version"),
                doc: checklist(&get(c, "doc"))?,
            })
        }),
    }
}

fn targeting(v: &JsValue) -> Targeting {
    let v = &get(v, "targeting");
    let schedule = get(v, "schedule");
    let ms = |key| number(&schedule, key).map(|n| n as i64);
    Targeting {
        url_patterns: strings(v, "url_patterns"),
        attributes: list(v, "attributes", |r| {
            Some(AttributeRule {
                attribute: opt_string(r, "attribute")?,
                one_of: strings(r, "one_of"),
                negate: get(r, "negate").as_bool().unwrap_or(false),
            })
        }),
        proficiency: list(v, "proficiency", |p| Proficiency::parse(&p.as_string()?)),
        frequency: match string(v, "frequency").as_str() {
            "every_visit" => Frequency::EveryVisit,
            "until_completed" => Frequency::UntilCompleted,
            "manual" => Frequency::Manual,
            _ => Frequency::Once,
        },
        schedule: schedule.is_object().then(|| Schedule {
            starts_at: ms("starts_at"),
            ends_at: ms("ends_at"),
        }),
    }
}

fn tour(v: &JsValue) -> Option<Tour> {
    Some(Tour {
        title: opt_string(v, "title")?,
        description: string(v, "description"),
        targeting: targeting(v),
        locale: opt_string(v, "locale"),
        steps: list(v, "steps", step),
        variants: Vec::new(),
    })
}

fn step(v: &JsValue) -> Option<Step> {
    let target = get(v, "target");
    Some(Step {
        id: opt_string(v, "id")?,
        title: string(v, "title"),
        body: string(v, "body"),
        target: if target.is_object() {
            Some(Target {
                strategies: list(&target, "strategies", strategy),
            })
        } else {
            None
        },
        placement: match string(v, "placement").as_str() {
            "top" => Placement::Top,
            "bottom" => Placement::Bottom,
            "left" => Placement::Left,
            "right" => Placement::Right,
            _ => Placement::Auto,
        },
        advance: advance(&get(v, "advance")),
        optional: get(v, "optional").as_bool().unwrap_or(false),
        // `"skip"` or `{"goto": "<step id>"}` (serde's externally tagged enum).
        when_absent: {
            let w = get(v, "when_absent");
            match (w.as_string().as_deref(), opt_string(&w, "goto")) {
                (Some("skip"), _) => Some(WhenAbsent::Skip),
                (_, Some(to)) => Some(WhenAbsent::Goto(to)),
                _ => None,
            }
        },
        variants: list(v, "variants", |t| {
            Some(TextVariant {
                locale: opt_string(t, "locale"),
                proficiency: opt_string(t, "proficiency").and_then(|p| Proficiency::parse(&p)),
                title: opt_string(t, "title"),
                body: opt_string(t, "body"),
            })
        }),
    })
}

fn strategy(v: &JsValue) -> Option<Strategy> {
    let s = |key| opt_string(v, key);
    Some(match string(v, "kind").as_str() {
        "id" => Strategy::Id { value: s("value")? },
        "attr" => Strategy::Attr {
            name: s("name")?,
            value: s("value")?,
        },
        "role" => Strategy::Role {
            role: s("role")?,
            name: s("name")?,
        },
        "text" => Strategy::Text {
            tag: s("tag")?,
            value: s("value")?,
        },
        "css" => Strategy::Css { value: s("value")? },
        _ => return None,
    })
}

fn advance(v: &JsValue) -> Advance {
    match string(v, "on").as_str() {
        "click" => Advance::Click,
        "input" => Advance::Input,
        "url" => Advance::Url {
            pattern: string(v, "pattern"),
        },
        _ => Advance::Next,
    }
}

fn tooltip(v: &JsValue) -> Option<Tooltip> {
    let target = get(v, "target");
    Some(Tooltip {
        title: opt_string(v, "title")?,
        body: string(v, "body"),
        target: Target {
            strategies: list(&target, "strategies", strategy),
        },
        trigger: match string(v, "trigger").as_str() {
            "hover" => TooltipTrigger::Hover,
            "focus" => TooltipTrigger::Focus,
            _ => TooltipTrigger::Beacon,
        },
        targeting: targeting(v),
    })
}

fn checklist(v: &JsValue) -> Option<Checklist> {
    Some(Checklist {
        title: opt_string(v, "title")?,
        items: list(v, "items", item),
        targeting: targeting(v),
    })
}

fn item(v: &JsValue) -> Option<ChecklistItem> {
    let action = get(v, "action");
    let action = match string(&action, "type").as_str() {
        "start_tour" => ChecklistAction::StartTour {
            tour_id: opt_string(&action, "tour_id")?,
        },
        "link" => ChecklistAction::Link {
            url: opt_string(&action, "url")?,
        },
        _ => return None,
    };
    Some(ChecklistItem {
        id: opt_string(v, "id")?,
        title: string(v, "title"),
        action,
        done_on_event: opt_string(v, "done_on_event"),
    })
}

// ---- writing -------------------------------------------------------------------------------

/// A plain object under construction; `None` fields are left out, as `skip_serializing_if` does.
pub struct Obj(Object);

impl Obj {
    pub fn new() -> Self {
        Obj(Object::new())
    }

    pub fn set(self, key: &str, value: impl Into<JsValue>) -> Self {
        self.put(key, value.into())
    }

    /// The one non-generic body of [`Obj::set`].
    fn put(self, key: &str, value: JsValue) -> Self {
        let _ = Reflect::set(&self.0, &JsValue::from_str(key), &value);
        self
    }

    pub fn opt(self, key: &str, value: Option<impl Into<JsValue>>) -> Self {
        match value {
            Some(v) => self.set(key, v),
            None => self,
        }
    }

    pub fn done(self) -> JsValue {
        self.0.into()
    }
}

pub fn stringify(v: &JsValue) -> Option<String> {
    JSON::stringify(v).ok().map(String::from)
}

pub fn string_array(items: &[String]) -> Array {
    items.iter().map(|s| JsValue::from_str(s)).collect()
}

/// One `OverlayEvent`.
pub fn event(e: &OverlayEvent) -> JsValue {
    Obj::new()
        .set("id", e.id.as_str())
        .set("kind", e.kind.as_str())
        .set("content_id", e.content_id.as_str())
        .opt("step_id", e.step_id.as_deref())
        .opt("step_index", e.step_index)
        .set("version", e.version)
        .set("page_url", e.page_url.as_str())
        // Milliseconds since 1970 are exact in an f64 (and JSON has no other number).
        .set("at", e.at as f64)
        .opt("duration_ms", e.details.duration_ms)
        .opt("role", e.details.role.as_deref())
        .opt("department", e.details.department.as_deref())
        .opt("proficiency", e.details.proficiency.as_deref())
        .opt("locale", e.details.locale.as_deref())
        .opt("failed_strategies", e.details.failed_strategies.as_deref())
        .done()
}

/// `POST /api/v1/overlay/tickets` (the `StuckReport` and `StepContext` JSON), without `identity`
/// (the caller adds [`identity`]'s object).
pub fn stuck_report(r: &crate::stuck::Report) -> JsValue {
    let c = r.context;
    let viewport = Obj::new()
        .set("width", c.viewport.width)
        .set("height", c.viewport.height)
        .done();
    let context = Obj::new()
        .set("page_url", c.page_url.as_str())
        .opt("tour_id", c.tour_id.as_deref())
        .opt("tour_title", c.tour_title.as_deref())
        .opt("step_id", c.step_id.as_deref())
        .opt("step_index", c.step_index)
        .opt("step_title", c.step_title.as_deref())
        .opt("version", c.version)
        .opt("element_found", c.element_found)
        .set("steps_seen", string_array(&c.steps_seen))
        .set("user_agent", c.user_agent.as_str())
        .set("viewport", viewport)
        .opt("user_id", c.user_id.as_deref())
        .done();
    Obj::new()
        .set("message", r.message)
        .set("context", context)
        .opt("category", r.category.as_deref())
        .set("impact", r.impact.as_str())
        .set("urgency", r.urgency.as_str())
        .set("deflections_offered", string_array(r.deflections_offered))
        .done()
}
