//! Running a tour: which step is on screen, moving between steps (buttons, keys, a click or input
//! on the element, reaching a URL), remembering progress across page loads (sessionStorage, so a tour
//! can span pages) and outcomes across visits (localStorage), and reporting each move as an event.

use std::cell::RefCell;
use std::rc::Rc;

use cairn_shared::api::PublishedTour;
use cairn_shared::content::Advance;
use cairn_shared::events::EventKind;
use cairn_shared::targeting::{Outcome, Targeting};
use wasm_bindgen::JsValue;
use web_sys::Element;

use crate::codec::{self, Obj};
use crate::dom::{self, Listener, Timer};
use crate::events::{self, Subject};
use crate::popover::{self, StepInfo, StepView};
use crate::resolve::{self, Waiter};
use crate::storage::{self, Store};
use crate::{launcher, runtime, stuck};

/// How long a step waits for its element before showing without it.
const WAIT_MS: i32 = 3000;
/// How often a shown step follows its element and checks the URL.
const TICK_MS: i32 = 250;
/// An `input` step moves on once typing has paused this long.
const INPUT_SETTLE_MS: i32 = 700;

/// Outcomes stored under `cairn:{appKey}:done:{tourId}`.
pub const COMPLETED: &str = "completed";
const DISMISSED: &str = "dismissed";

/// A tour in progress.
struct Run {
    tour: Rc<PublishedTour>,
    index: usize,
    /// Step ids shown in this run, oldest first (goes on tickets).
    seen: Vec<String>,
    /// The URL when the current step was shown: a URL step moves on when the page leaves it.
    shown_url: String,
    /// Bumped on every step change, so late callbacks for an old step do nothing.
    generation: u32,
    shown: Option<Shown>,
    waiter: Option<Waiter>,
    /// Where focus goes back to when the tour ends.
    return_focus: Option<Element>,
}

/// The current step on screen.
struct Shown {
    view: StepView,
    target: Option<Element>,
    found: Option<bool>,
    advance: Vec<Listener>,
    _tick: Timer,
}

/// What survives a page load, in sessionStorage.
struct Progress {
    tour_id: String,
    index: usize,
    seen: Vec<String>,
    shown_url: String,
}

impl Progress {
    fn read(json: &str) -> Option<Progress> {
        let v = codec::parse(json)?;
        Some(Progress {
            tour_id: codec::opt_string(&v, "tour_id")?,
            index: codec::number(&v, "index")? as usize,
            seen: codec::list(&v, "seen", JsValue::as_string),
            shown_url: codec::string(&v, "shown_url"),
        })
    }
}

thread_local! {
    /// Tours that started by themselves during this page load.
    static AUTO_STARTED: RefCell<Vec<String>> = RefCell::default();
    static RUN: &'static RefCell<Option<Run>> = Box::leak(Box::default());
}

fn run_cell() -> &'static RefCell<Option<Run>> {
    RUN.with(|r| *r)
}

/// Takes the tour in progress out, to end or replace it.
fn take_run() -> Option<Run> {
    run_cell().try_borrow_mut().ok()?.take()
}

/// Runs `f` on the tour in progress. `None` when there is none, or when called back while the run is
/// already borrowed (re-entrancy from a synchronous DOM event), which is skipped rather than panicking.
fn with_run<R>(f: impl FnOnce(&mut Run) -> R) -> Option<R> {
    run_cell().try_borrow_mut().ok()?.as_mut().map(f)
}

/// Like [`with_run`], only while step `generation` is still the current one.
fn with_current<R>(generation: u32, f: impl FnOnce(&mut Run) -> R) -> Option<R> {
    with_run(|run| (run.generation == generation).then(|| f(run))).flatten()
}

pub fn is_running() -> bool {
    run_cell().try_borrow().map(|r| r.is_some()).unwrap_or(true)
}

fn outcome_key(tour_id: &str) -> Option<String> {
    runtime::get().map(|rt| rt.key(&dom::cat(&["done:", tour_id])))
}

/// `completed` or `dismissed` once this browser has finished the tour.
pub fn outcome(tour_id: &str) -> Option<String> {
    storage::get(Store::Local, &outcome_key(tour_id)?)
}

fn progress_key() -> String {
    runtime::get().map(|rt| rt.key("run")).unwrap_or_default()
}

fn find_tour(tour_id: &str) -> Option<Rc<PublishedTour>> {
    let content = runtime::get()?.content();
    content
        .tours
        .iter()
        .find(|t| t.id == tour_id && !t.doc.steps.is_empty())
        .cloned()
}

/// Starts a tour from its first step (`cairn.start`, the launcher, a checklist), whatever its outcome.
pub fn start(tour_id: &str) -> bool {
    match find_tour(tour_id) {
        Some(tour) => {
            begin(tour, Vec::new());
            show(0);
            true
        }
        None => {
            dom::warn("no published tour with this id", &tour_id.into());
            false
        }
    }
}

/// Starts the first tour for this user and page whose frequency allows it, given how this browser
/// last finished it. A tour starts by itself at most once per page load, so a single-page app's
/// route changes do not bring back an `every_visit` tour the user just closed.
pub fn auto_start() -> bool {
    let Some(rt) = runtime::get() else {
        return false;
    };
    let content = rt.content();
    let tour = content.tours.iter().find(|t| {
        let history = match outcome(&t.id).as_deref() {
            Some(COMPLETED) => Some(Outcome::Completed),
            Some(_) => Some(Outcome::Dismissed),
            None => None,
        };
        !t.doc.steps.is_empty()
            && !AUTO_STARTED.with(|a| a.borrow().contains(&t.id))
            && t.doc.targeting.frequency.auto_starts(history)
            && runtime::shows(&t.doc.targeting)
    });
    match tour {
        Some(t) => {
            AUTO_STARTED.with(|a| a.borrow_mut().push(t.id.clone()));
            start(&t.id)
        }
        None => false,
    }
}

/// Carries on with the tour this tab was running before the page loaded. A URL step whose URL the
/// page has now reached moves on at once.
pub fn resume() -> bool {
    let key = progress_key();
    let Some(json) = storage::get(Store::Session, &key) else {
        return false;
    };
    let resumed = Progress::read(&json).and_then(|p| {
        let tour = find_tour(&p.tour_id)?;
        let step = tour.doc.steps.get(p.index)?;
        let url = runtime::page_url();
        let reached = match &step.advance {
            Advance::Url { pattern } => url != p.shown_url && url_matches(pattern, &url),
            _ => false,
        };
        begin(tour, p.seen);
        with_run(|run| run.index = p.index);
        Some(reached)
    });
    match resumed {
        Some(true) => next(),
        Some(false) => show(with_run(|run| run.index).unwrap_or(0)),
        None => storage::remove(Store::Session, &key),
    }
    resumed.is_some()
}

/// Ends the tour without recording an outcome (`cairn.stop`).
pub fn stop() {
    finish(None);
}

/// Makes `tour` the tour in progress, replacing any other; the caller then shows a step.
fn begin(tour: Rc<PublishedTour>, seen: Vec<String>) {
    let previous = take_run();
    let return_focus = previous
        .as_ref()
        .and_then(|p| p.return_focus.clone())
        .or_else(dom::active_element);
    drop(previous);
    stuck::discard(stuck::Owner::Tour);
    let run = Run {
        tour,
        index: 0,
        seen,
        shown_url: String::new(),
        generation: 0,
        shown: None,
        waiter: None,
        return_focus,
    };
    if let Ok(mut r) = run_cell().try_borrow_mut() {
        *r = Some(run);
    }
}

/// Shows step `index`: at once if its element is there (or it has none), else once it appears.
fn show(index: usize) {
    let Some((tour, generation, old)) = with_run(|run| {
        run.tour.doc.steps.get(index)?;
        run.generation += 1;
        run.index = index;
        run.shown_url = runtime::page_url();
        run.waiter = None;
        save_progress(run);
        Some((run.tour.clone(), run.generation, run.shown.take()))
    })
    .flatten() else {
        return;
    };
    drop(old);
    stuck::discard(stuck::Owner::Tour);
    let Some(target) = &tour.doc.steps[index].target else {
        render(generation, None, None);
        return;
    };
    match resolve::find(target) {
        Some(el) => render(generation, Some(el), Some(true)),
        None => {
            let find = move || {
                tour.doc.steps[index]
                    .target
                    .as_ref()
                    .and_then(resolve::find)
            };
            let waiter = resolve::wait(find, WAIT_MS, move |found| waited(generation, found));
            with_current(generation, |run| run.waiter = Some(waiter));
        }
    }
}

/// The wait for a step's element is over. Absent, the step's branch is taken (skip, or go to a
/// later step); without one it shows floating, and the miss is reported with the strategies that
/// found nothing.
fn waited(generation: u32, found: Option<Element>) {
    if let Some(el) = found {
        render(generation, Some(el), Some(true));
        return;
    }
    let Some((tour, index)) = with_current(generation, |run| (run.tour.clone(), run.index)) else {
        return;
    };
    match tour.doc.absent_branch(index) {
        Some(Some(to)) => show(to),
        // Skipping the last step ends the tour as completed.
        Some(None) => forward(false),
        None => {
            let failed = tour.doc.steps[index]
                .target
                .as_ref()
                .map(resolve::failed_strategies);
            if let Some(f) = &failed {
                dom::warn(
                    "a step's element was not found; strategies tried",
                    &f.as_str().into(),
                );
            }
            emit_with(EventKind::ElementNotFound, &tour, index, failed);
            render(generation, None, Some(false));
        }
    }
}

/// Puts the current step on screen, anchored to `target` or floating in the middle.
fn render(generation: u32, target: Option<Element>, found: Option<bool>) {
    let Some(rt) = runtime::get() else { return };
    let Some(layer) = rt.layer() else { return };
    let Some((tour, index)) = with_current(generation, |run| (run.tour.clone(), run.index)) else {
        return;
    };
    let Some(step) = tour.doc.steps.get(index) else {
        return;
    };
    let count = tour.doc.steps.len();
    let view = popover::build(
        &StepInfo {
            step,
            index,
            count,
            found,
        },
        &layer,
    );
    runtime::on_top();
    if let Some(t) = &target {
        popover::scroll_into_view(t);
    }
    view.position(target.as_ref(), step.placement);
    let next_button = view.next.clone();
    let advance = bind_advance(&step.advance, target.as_ref(), generation);
    let tick = Timer::every(TICK_MS, move || tick(generation));
    with_current(generation, |run| {
        if run.seen.last() != Some(&step.id) {
            run.seen.push(step.id.clone());
        }
        save_progress(run);
        run.waiter = None;
        run.shown = Some(Shown {
            view,
            target,
            found,
            advance,
            _tick: tick,
        });
    });
    emit(EventKind::StepViewed, &tour, index);
    rt.announce(&dom::cat(&[
        "Step ",
        &dom::int((index + 1) as f64),
        " of ",
        &dom::int(count as f64),
        ": ",
        runtime::step_text(step).title,
    ]));
    dom::focus(&next_button);
}

/// Listeners that move the step on by themselves: a click or input on its element, or a URL change.
fn bind_advance(advance: &Advance, target: Option<&Element>, generation: u32) -> Vec<Listener> {
    match (advance, target) {
        (Advance::Click, Some(t)) => {
            vec![Listener::on(t, "click", move |_| advance_from(generation))]
        }
        (Advance::Input, Some(t)) => {
            // Wait for a pause in typing rather than moving on at the first key.
            let settle: Rc<RefCell<Option<Timer>>> = Rc::default();
            vec![
                Listener::on(t, "input", move |_| {
                    let timer = Timer::once(INPUT_SETTLE_MS, move || advance_from(generation));
                    *settle.borrow_mut() = Some(timer);
                }),
                Listener::on(t, "change", move |_| advance_from(generation)),
            ]
        }
        (Advance::Url { .. }, _) => {
            let w = dom::window();
            vec![
                Listener::new(&w, "popstate", false, move |_| tick(generation)),
                Listener::new(&w, "hashchange", false, move |_| tick(generation)),
            ]
        }
        _ => Vec::new(),
    }
}

/// Moves on from step `generation`, after the host's own handling of the event that triggered it.
fn advance_from(generation: u32) {
    dom::soon(move || {
        if with_run(|run| run.generation) == Some(generation) {
            next();
        }
    });
}

/// Follows the element as the page moves, and moves on when a URL step's URL is reached.
fn tick(generation: u32) {
    let reached = with_current(generation, |run| {
        match run.tour.doc.steps.get(run.index).map(|s| &s.advance) {
            Some(Advance::Url { pattern }) => {
                let url = runtime::page_url();
                url != run.shown_url && url_matches(pattern, &url)
            }
            _ => false,
        }
    });
    if reached == Some(true) {
        next();
    } else {
        runtime::on_top();
        reposition();
    }
}

/// The page's URL changed (a route change in a single-page app): a URL step checks it now.
pub fn url_changed() {
    if let Some(generation) = with_run(|run| run.generation) {
        tick(generation);
    }
}

fn url_matches(pattern: &str, url: &str) -> bool {
    Targeting {
        url_patterns: vec![pattern.to_string()],
        ..Targeting::default()
    }
    .matches_url(url)
}

/// Re-places the current step; finds its element again if the page replaced it.
pub fn reposition() {
    with_run(|run| {
        let step = run.tour.doc.steps.get(run.index)?;
        let shown = run.shown.as_mut()?;
        if let (Some(old), Some(spec)) = (&shown.target, &step.target)
            && !dom::is_connected(old)
            && let Some(el) = resolve::find(spec)
        {
            shown.advance = bind_advance(&step.advance, Some(&el), run.generation);
            shown.target = Some(el);
        }
        shown.view.position(shown.target.as_ref(), step.placement);
        Some(())
    });
}

/// The Next / Done button.
pub fn next() {
    forward(true);
}

/// ArrowRight: like Next, but never finishes the tour by accident.
pub fn next_by_key() {
    let last = with_run(|run| run.index + 1 >= run.tour.doc.steps.len());
    if last == Some(false) {
        next();
    }
}

/// Leaves the current step forward: shows the next one, or completes the tour after the last.
fn forward(advanced: bool) {
    let Some((tour, index)) = with_run(|run| (run.tour.clone(), run.index)) else {
        return;
    };
    if index + 1 >= tour.doc.steps.len() {
        emit(EventKind::TourCompleted, &tour, index);
        finish(Some(COMPLETED));
    } else {
        if advanced {
            emit(EventKind::StepAdvanced, &tour, index);
        }
        show(index + 1);
    }
}

/// The Back button or ArrowLeft: the step seen last before this one, so a skipped step or a
/// `goto` branch is not walked back into.
pub fn back() {
    let Some(previous) = with_run(|run| {
        let steps = &run.tour.doc.steps;
        let index_of = |id: &String| steps.iter().position(|s| &s.id == id);
        run.seen
            .iter()
            .rev()
            .filter_map(index_of)
            .find(|&i| i < run.index)
    })
    .flatten() else {
        return;
    };
    show(previous);
}

/// The close button or Escape: the employee dismissed the tour.
pub fn close() {
    let Some((tour, index)) = with_run(|run| (run.tour.clone(), run.index)) else {
        return;
    };
    emit(EventKind::TourDismissed, &tour, index);
    finish(Some(DISMISSED));
}

/// Ends the tour in progress, remembering `outcome`, and gives focus back.
fn finish(outcome: Option<&str>) {
    let Some(run) = take_run() else {
        return;
    };
    if let Some(outcome) = outcome
        && let Some(key) = outcome_key(&run.tour.id)
    {
        storage::set(Store::Local, &key, outcome);
    }
    storage::remove(Store::Session, &progress_key());
    let return_focus = run.return_focus.clone();
    stuck::tour_ended(&run.tour.id);
    drop(run);
    stuck::discard(stuck::Owner::Tour);
    // Give focus back only if it was left in the overlay; a click on the page keeps it there.
    let lost = match dom::element_prop(&dom::document(), "activeElement") {
        None => true,
        Some(active) => {
            dom::body().is_some_and(|b| dom::same(&b, &active))
                || runtime::get().and_then(|rt| rt.ui.get().map(|ui| dom::same(&ui.host, &active)))
                    == Some(true)
        }
    };
    if lost && let Some(el) = return_focus.filter(|e| dom::is_connected(e)) {
        dom::focus(&el);
    }
    launcher::refresh();
}

fn emit(kind: EventKind, tour: &PublishedTour, index: usize) {
    emit_with(kind, tour, index, None);
}

/// An event with the strategies that failed to find the step's element (`element_not_found`).
fn emit_with(kind: EventKind, tour: &PublishedTour, index: usize, failed: Option<String>) {
    let step = tour
        .doc
        .steps
        .get(index)
        .map(|s| (s.id.as_str(), index as u32));
    events::emit_failed(
        kind,
        Subject {
            content_id: &tour.id,
            version: tour.version,
            step,
        },
        failed,
    );
}

fn save_progress(run: &Run) {
    let progress = Obj::new()
        .set("tour_id", run.tour.id.as_str())
        .set("index", run.index as u32)
        .set("seen", codec::string_array(&run.seen))
        .set("shown_url", run.shown_url.as_str())
        .done();
    if let Some(json) = codec::stringify(&progress) {
        storage::set(Store::Session, &progress_key(), &json);
    }
}

/// "Still stuck?" on the current step: the form opens in the popover, with the step's context.
pub fn open_stuck() {
    let Some((tour, index, context, popover, hide, stuck_button)) = with_run(|run| {
        let step = run.tour.doc.steps.get(run.index)?;
        let shown = run.shown.as_ref()?;
        let context = stuck::Context {
            tour_id: Some(run.tour.id.clone()),
            tour_title: Some(run.tour.doc.title.clone()),
            step_id: Some(step.id.clone()),
            step_index: Some(run.index as u32),
            step_title: Some(step.title.clone()),
            version: Some(run.tour.version),
            element_found: shown.found,
            steps_seen: run.seen.clone(),
            ..stuck::page_context()
        };
        let view = &shown.view;
        Some((
            run.tour.clone(),
            run.index,
            context,
            view.popover.clone(),
            vec![view.body.clone(), view.foot.clone()],
            view.stuck.clone(),
        ))
    })
    .flatten() else {
        return;
    };
    emit(EventKind::StuckOpened, &tour, index);
    let after_close = move || {
        dom::focus(&stuck_button);
        reposition();
    };
    stuck::open(stuck::Owner::Tour, &popover, hide, context, after_close);
    reposition();
}
