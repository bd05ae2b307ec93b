//! `window.cairn`, the JavaScript API hosts call: `identify`, `start`, `stop`, `openLauncher`, `on`,
//! `track`. Calls that need the content (`start`, `stop`, `openLauncher`, `track`) wait until it has
//! loaded, as they did in the loader's stub.

use std::cell::RefCell;

use cairn_shared::events::OverlayEvent;
use js_sys::{Array, Function, Object, Reflect};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

use crate::{boot, codec, dom, launcher, my_tickets, runtime, tour};

const METHODS: [&str; 6] = ["identify", "start", "stop", "openLauncher", "on", "track"];

enum Command {
    Start(String),
    Stop,
    OpenLauncher,
    /// An event the application reports (`cairn.track`).
    Track(String),
}

struct Api {
    /// `cairn.on` subscriptions: event kind (or `*`) and handler.
    handlers: RefCell<Vec<(String, Function)>>,
    /// Commands waiting for the content; `None` once it has loaded.
    pending: RefCell<Option<Vec<Command>>>,
}

thread_local! {
    static API: &'static Api = Box::leak(Box::new(Api {
        handlers: RefCell::default(),
        pending: RefCell::new(Some(Vec::new())),
    }));
}

fn api() -> &'static Api {
    API.with(|a| *a)
}

/// Replaces the loader's stub with the real API and replays the calls it recorded.
pub fn install(queued: &Array) {
    let api = Object::new();
    for name in METHODS {
        let method = Closure::<dyn FnMut(JsValue, JsValue)>::new(move |a, b| call(name, a, b));
        let _ = Reflect::set(&api, &name.into(), method.as_ref());
        method.forget();
    }
    let _ = Reflect::set(&api, &"version".into(), &env!("CARGO_PKG_VERSION").into());
    if let Err(e) = Reflect::set(&dom::window(), &"cairn".into(), &api) {
        dom::warn("cannot install window.cairn", &e);
    }
    for entry in queued.iter() {
        let Ok(entry) = entry.dyn_into::<Array>() else {
            continue;
        };
        let args: Array = entry.get(1).dyn_into().unwrap_or_default();
        if let Some(name) = entry.get(0).as_string()
            && let Some(name) = METHODS.into_iter().find(|m| *m == name)
        {
            call(name, args.get(0), args.get(1));
        }
    }
}

fn call(name: &str, a: JsValue, b: JsValue) {
    match name {
        "identify" => identify(&a),
        "on" => match (a.as_string(), b.dyn_into::<Function>()) {
            (Some(kind), Ok(handler)) => api().handlers.borrow_mut().push((kind, handler)),
            _ => dom::warn(
                "cairn.on(eventName, handler): bad arguments",
                &JsValue::UNDEFINED,
            ),
        },
        "start" => match a.as_string() {
            Some(id) => command(Command::Start(id)),
            None => dom::warn("cairn.start(tourId): tourId must be a string", &a),
        },
        "stop" => command(Command::Stop),
        // Any string: only a name some item waits for (valid, as the server checked) is kept.
        "track" => match a.as_string() {
            Some(name) => command(Command::Track(name)),
            None => dom::warn("cairn.track(name): name must be a string", &a),
        },
        _ => command(Command::OpenLauncher),
    }
}

/// `identify({id, attributes, hash})`: the id goes on tickets, the attributes (string, number or
/// boolean values) decide what is shown; once the content is there, it is re-evaluated.
fn identify(user: &JsValue) {
    let id = Reflect::get(user, &"id".into()).unwrap_or_default();
    // Numeric ids are accepted too (as integers: ids are never fractional).
    let id = id.as_string().or_else(|| id.as_f64().map(crate::dom::int));
    let mut attributes = Vec::new();
    if let Ok(attrs) = Reflect::get(user, &"attributes".into())
        && attrs.is_object()
    {
        for entry in Object::entries(attrs.unchecked_ref()).iter() {
            let entry: Array = entry.unchecked_into();
            let value = entry.get(1);
            // Numbers and booleans as JSON writes them: the browser formats them, which spares
            // the wasm Rust's float formatting.
            let value = value.as_string().or_else(|| {
                (value.as_f64().is_some() || value.as_bool().is_some())
                    .then(|| crate::codec::stringify(&value))
                    .flatten()
            });
            if let (Some(name), Some(value)) = (entry.get(0).as_string(), value) {
                attributes.push((name, value));
            }
        }
    }
    let Some(rt) = runtime::get() else { return };
    // The whole identity (with its hash) travels on tickets and opens "My tickets".
    *rt.identity.borrow_mut() = codec::identity(user);
    *rt.user_id.borrow_mut() = id.filter(|s| !s.is_empty());
    *rt.attributes.borrow_mut() = attributes;
    if api().pending.borrow().is_none() {
        boot::retarget();
    }
    my_tickets::identified();
}

fn command(c: Command) {
    let queued = match api().pending.borrow_mut().as_mut() {
        Some(pending) => {
            pending.push(c);
            None
        }
        None => Some(c),
    };
    if let Some(c) = queued {
        run(c);
    }
}

fn run(c: Command) {
    match c {
        Command::Start(id) => {
            tour::start(&id);
        }
        Command::Stop => tour::stop(),
        Command::OpenLauncher => launcher::open(),
        Command::Track(name) => launcher::track(&name),
    }
}

/// The content has loaded: runs the waiting commands. Returns whether the host asked to start or
/// stop a tour, in which case no tour starts on its own.
pub fn ready() -> bool {
    let pending = api().pending.borrow_mut().take().unwrap_or_default();
    let explicit = pending
        .iter()
        .any(|c| matches!(c, Command::Start(_) | Command::Stop));
    for c in pending {
        run(c);
    }
    explicit
}

/// Calls the `cairn.on` handlers for this event with `{kind, contentId, stepId, stepIndex,
/// failedStrategies}` (`null` but on `element_not_found`), after the current task so a handler
/// calling back into `cairn` finds the overlay in a settled state.
pub fn notify(event: &OverlayEvent) {
    let kind = event.kind.as_str();
    let handlers: Vec<Function> = api()
        .handlers
        .borrow()
        .iter()
        .filter(|(k, _)| k == kind || k == "*")
        .map(|(_, f)| f.clone())
        .collect();
    if handlers.is_empty() {
        return;
    }
    let detail = Object::new();
    let step_id = event
        .step_id
        .as_deref()
        .map_or(JsValue::NULL, JsValue::from_str);
    let step_index = event.step_index.map_or(JsValue::NULL, JsValue::from);
    let failed = event
        .details
        .failed_strategies
        .as_deref()
        .map_or(JsValue::NULL, JsValue::from_str);
    for (k, v) in [
        ("kind", JsValue::from_str(kind)),
        ("contentId", JsValue::from_str(&event.content_id)),
        ("stepId", step_id),
        ("stepIndex", step_index),
        ("failedStrategies", failed),
    ] {
        let _ = Reflect::set(&detail, &k.into(), &v);
    }
    dom::soon(move || {
        for handler in handlers {
            if let Err(e) = handler.call1(&JsValue::NULL, &detail) {
                dom::warn("a cairn.on handler threw", &e);
            }
        }
    });
}
