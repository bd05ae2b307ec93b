//! The overlay's global state: the configuration the loader passed, the shadow root everything
//! renders into, the content fetched from the server and the identified user. One per page.

use std::cell::{OnceCell, RefCell};
use std::rc::Rc;

use cairn_shared::api::{OverlayContent, PublishedChecklist, PublishedTooltip, PublishedTour};
use cairn_shared::content::{Step, StepText};
use cairn_shared::targeting::{Audience, Targeting};
use web_sys::Element;

use crate::dom;

/// The overlay's own part of the page.
pub struct Ui {
    /// `<div id="cairn-root">` in the host page; its open shadow root holds the rest.
    pub host: Element,
    /// The landmark every visible part of the overlay is appended to.
    pub layer: Element,
    /// Polite live region for screen-reader announcements.
    pub live: Element,
}

/// The published content, each document shared (never deep-copied) by whatever shows it.
#[derive(Default)]
pub struct Content {
    pub tours: Vec<Rc<PublishedTour>>,
    pub tooltips: Vec<Rc<PublishedTooltip>>,
    pub checklists: Vec<PublishedChecklist>,
    /// The ticket categories the stuck form offers.
    pub categories: Vec<String>,
}

pub struct Runtime {
    pub app_key: String,
    /// Base URL of the Cairn server, without a trailing slash.
    pub api: String,
    pub ui: OnceCell<Ui>,
    content: RefCell<Rc<Content>>,
    /// What the host gave `cairn.identify`, as the `Identity` JSON (`codec::identity`): on
    /// tickets, and the key to "My tickets".
    pub identity: RefCell<Option<wasm_bindgen::JsValue>>,
    /// The id given to `cairn.identify`.
    pub user_id: RefCell<Option<String>>,
    /// The attributes given to `cairn.identify`, as (name, value) pairs: what targeting reads.
    pub attributes: RefCell<Vec<(String, String)>>,
}

thread_local! {
    static RUNTIME: &'static OnceCell<&'static Runtime> = Box::leak(Box::default());
}

/// Creates the runtime; `false` when the page already has one (the snippet was included twice).
pub fn init(app_key: String, api: String) -> bool {
    // By byte: `trim_end_matches(char)` costs wasm.
    let end = api.bytes().rposition(|b| b != b'/').map_or(0, |i| i + 1);
    let api = api.get(..end).unwrap_or_default().to_string();
    let runtime = Runtime {
        app_key,
        api,
        ui: OnceCell::new(),
        content: RefCell::default(),
        identity: RefCell::default(),
        user_id: RefCell::default(),
        attributes: RefCell::default(),
    };
    // Leaked: it lives as long as the page, and a `&'static` keeps every access cheap.
    RUNTIME
        .with(|cell| *cell)
        .set(Box::leak(Box::new(runtime)))
        .is_ok()
}

pub fn get() -> Option<&'static Runtime> {
    RUNTIME.with(|cell| cell.get().copied())
}

impl Runtime {
    /// Everything published for the application (not only what targets this page).
    pub fn content(&self) -> Rc<Content> {
        self.content.borrow().clone()
    }

    pub fn set_content(&self, content: OverlayContent) {
        *self.content.borrow_mut() = Rc::new(Content {
            tours: content.tours.into_iter().map(Rc::new).collect(),
            tooltips: content.tooltips.into_iter().map(Rc::new).collect(),
            checklists: content.checklists,
            categories: content.categories,
        });
    }

    /// A storage key scoped to this application: `cairn:{appKey}:{suffix}`.
    pub fn key(&self, suffix: &str) -> String {
        dom::cat(&["cairn:", &self.app_key, ":", suffix])
    }

    /// The identified user's id.
    pub fn user_id(&self) -> Option<String> {
        self.identity
            .borrow()
            .as_ref()
            .and_then(|i| crate::codec::opt_string(i, "id"))
    }

    pub fn layer(&self) -> Option<Element> {
        self.ui.get().map(|ui| ui.layer.clone())
    }

    /// Says `text` to screen-reader users without moving focus.
    pub fn announce(&self, text: &str) {
        if let Some(ui) = self.ui.get() {
            ui.live.set_text_content(Some(text));
        }
    }
}

/// The page's current URL.
pub fn page_url() -> String {
    dom::text_prop(&dom::prop(&dom::window(), "location"), "href")
}

/// Whether content with `targeting` is for this user, on this page, now.
pub fn shows(targeting: &Targeting) -> bool {
    let Some(rt) = get() else { return false };
    let attributes = rt.attributes.borrow();
    targeting.matches(&Audience {
        url: &page_url(),
        attributes: &attributes,
        now_ms: js_sys::Date::now() as i64,
    })
}

/// A step's title and body in the user's locale (the `locale` attribute, else the browser's
/// language) and for their proficiency.
pub fn step_text(step: &Step) -> StepText<'_> {
    // Read under the borrow rather than from a clone of the attributes (no `Vec` clone compiled).
    let (locale, proficiency) = {
        let borrowed = get().map(|rt| rt.attributes.borrow());
        let audience = Audience {
            url: "",
            attributes: borrowed.as_deref().map_or(&[], Vec::as_slice),
            now_ms: 0,
        };
        (
            audience.locale().map(str::to_string),
            audience.proficiency(),
        )
    };
    let locale = locale
        .or_else(|| dom::prop(&dom::prop(&dom::window(), "navigator"), "language").as_string());
    step.text(locale.as_deref(), proficiency)
}

/// Brings the overlay back above the page's top layer if the page changed it (see
/// [`dom::stay_on_top`]).
pub fn on_top() {
    if let Some(ui) = get().and_then(|rt| rt.ui.get()) {
        dom::stay_on_top(&ui.host, &ui.layer);
    }
}
