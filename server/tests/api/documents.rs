//! The JSON Schema served at `/api/v1/schema/…` and the Rust types cannot drift: generated valid
//! documents (tours, tooltips, checklists, with targeting and text variants) pass both and
//! round-trip through the real `cairn import` / `cairn export` code unchanged; a corpus of invalid
//! documents is refused by both, and by the API with the right pointers.

use std::path::Path;

use cairn_server::transfer::{self, DocumentFile};
use cairn_shared::content::{
    Advance, Checklist, ChecklistAction, ChecklistItem, ContentKind, Placement, Step,
    Strategy as Find, Target, TextVariant, Tooltip, TooltipTrigger, Tour, WhenAbsent,
};
use cairn_shared::targeting::{AttributeRule, Frequency, Proficiency, Schedule, Targeting};
use proptest::prelude::*;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use crate::helpers::{assert_error, spawn_app};

// ---------- generators of valid documents ----------

/// Text that is not blank: a letter, then anything printable (markup, quotes, non-ASCII).
fn text() -> impl Strategy<Value = String> {
    "[A-Za-zÄé][^\\p{C}]{0,24}"
}

fn any_text() -> impl Strategy<Value = String> {
    prop_oneof!["", "[^\\p{C}]{0,40}", "line one\nline **two** <b>&amp;"].prop_map(String::from)
}

fn strategy() -> impl Strategy<Value = Find> {
    prop_oneof![
        text().prop_map(|value| Find::Id { value }),
        (text(), text()).prop_map(|(name, value)| Find::Attr { name, value }),
        (text(), text()).prop_map(|(role, name)| Find::Role { role, name }),
        (text(), text()).prop_map(|(tag, value)| Find::Text { tag, value }),
        text().prop_map(|value| Find::Css { value }),
    ]
}

fn target() -> impl Strategy<Value = Target> {
    prop::collection::vec(strategy(), 1..4).prop_map(|strategies| Target { strategies })
}

fn proficiency() -> impl Strategy<Value = Proficiency> {
    prop::sample::select(Proficiency::ALL.to_vec())
}

fn targeting() -> impl Strategy<Value = Targeting> {
    let rule = (
        "[a-z_]{1,10}",
        prop::collection::vec(text(), 1..3),
        any::<bool>(),
    )
        .prop_map(|(attribute, one_of, negate)| AttributeRule {
            attribute,
            one_of,
            negate,
        });
    let schedule = (
        prop::option::of(0i64..4_000_000_000_000),
        prop::option::of(0i64..4_000_000_000_000),
    )
        .prop_map(|(starts_at, ends_at)| Schedule { starts_at, ends_at });
    (
        prop::collection::vec("(/[a-z*]{0,8}){1,3}|https://[a-z]{1,8}\\.test/\\*", 0..3),
        prop::collection::vec(rule, 0..3),
        prop::collection::vec(proficiency(), 0..3),
        prop::sample::select(vec![
            Frequency::Once,
            Frequency::EveryVisit,
            Frequency::UntilCompleted,
            Frequency::Manual,
        ]),
        prop::option::of(schedule),
    )
        .prop_map(
            |(url_patterns, attributes, proficiency, frequency, schedule)| Targeting {
                url_patterns,
                attributes,
                proficiency,
                frequency,
                schedule,
            },
        )
}

/// Variants with distinct (locale, level) keys, each naming at least one of them.
fn variants() -> impl Strategy<Value = Vec<TextVariant>> {
    let mut keys = Vec::new();
    for locale in [None, Some("de"), Some("fr-CA"), Some("zh-Hant-TW")] {
        for level in [None, Some(Proficiency::Beginner), Some(Proficiency::Expert)] {
            if locale.is_some() || level.is_some() {
                keys.push((locale.map(String::from), level));
            }
        }
    }
    prop::sample::subsequence(keys, 0..4).prop_flat_map(|keys| {
        let n = keys.len();
        (
            Just(keys),
            prop::collection::vec((prop::option::of(text()), prop::option::of(any_text())), n),
        )
            .prop_map(|(keys, texts)| {
                keys.into_iter()
                    .zip(texts)
                    .map(|((locale, proficiency), (title, body))| TextVariant {
                        locale,
                        proficiency,
                        title,
                        body,
                    })
                    .collect()
            })
    })
}

fn step(index: usize) -> impl Strategy<Value = Step> {
    let advance = prop_oneof![
        Just(Advance::Next),
        Just(Advance::Click),
        Just(Advance::Input),
        "/[a-z*]{0,10}".prop_map(|pattern| Advance::Url { pattern }),
    ];
    (
        "[a-z0-9-]{0,6}",
        text(),
        any_text(),
        prop::option::of(target()),
        prop::sample::select(vec![
            Placement::Auto,
            Placement::Top,
            Placement::Bottom,
            Placement::Left,
            Placement::Right,
        ]),
        advance,
        any::<bool>(),
        variants(),
        any::<bool>(),
    )
        .prop_map(
            move |(id, title, body, target, placement, advance, optional, variants, skip)| Step {
                // A branch needs an element that can be absent; `tour()` turns some into gotos.
                when_absent: (skip && target.is_some()).then_some(WhenAbsent::Skip),
                // Unique within the tour by construction.
                id: format!("s{index}{id}"),
                title,
                body,
                target,
                placement,
                advance,
                optional,
                variants,
            },
        )
}

fn tour() -> impl Strategy<Value = Tour> {
    (1usize..5)
        .prop_flat_map(|n| (0..n).map(step).collect::<Vec<_>>())
        .prop_flat_map(|steps| {
            (
                text(),
                any_text(),
                targeting(),
                prop::option::of(prop::sample::select(vec!["en", "de-CH", "pt-BR"])),
                variants(),
                Just(steps),
            )
        })
        .prop_map(
            |(title, description, targeting, locale, variants, mut steps)| Tour {
                steps: {
                    // Even-indexed skips jump to the last step instead (a forward goto).
                    let last = steps.last().map(|s| s.id.clone()).unwrap_or_default();
                    let n = steps.len();
                    for (i, s) in steps.iter_mut().enumerate() {
                        if i + 1 < n && i % 2 == 0 && s.when_absent.is_some() {
                            s.when_absent = Some(WhenAbsent::Goto(last.clone()));
                        }
                    }
                    steps
                },
                title,
                description,
                targeting,
                locale: locale.map(String::from),
                variants,
            },
        )
}

fn tooltip() -> impl Strategy<Value = Tooltip> {
    (
        text(),
        any_text(),
        target(),
        prop::sample::select(vec![
            TooltipTrigger::Beacon,
            TooltipTrigger::Hover,
            TooltipTrigger::Focus,
        ]),
        targeting(),
    )
        .prop_map(|(title, body, target, trigger, targeting)| Tooltip {
            title,
            body,
            target,
            trigger,
            targeting,
        })
}

fn checklist() -> impl Strategy<Value = Checklist> {
    let action = prop_oneof![
        text().prop_map(|tour_id| ChecklistAction::StartTour { tour_id }),
        "/[a-z/#]{0,12}".prop_map(|url| ChecklistAction::Link { url }),
    ];
    let event = prop::option::of("[A-Za-z0-9_.:-]{1,64}");
    let item = ("[a-z0-9-]{1,8}", text(), action, event).prop_map(|(id, title, action, event)| {
        ChecklistItem {
            id,
            title,
            action,
            done_on_event: event,
        }
    });
    (text(), prop::collection::vec(item, 1..4), targeting()).prop_map(
        |(title, items, targeting)| Checklist {
            title,
            items,
            targeting,
        },
    )
}

// ---------- helpers ----------

async fn served_validators(
    app: &crate::helpers::TestApp,
) -> Vec<(ContentKind, jsonschema::Validator)> {
    let mut out = Vec::new();
    for kind in [
        ContentKind::Tour,
        ContentKind::Tooltip,
        ContentKind::Checklist,
    ] {
        let schema: Value = app
            .anon
            .get(app.url(&format!("/api/v1/schema/{}.v1.json", kind.as_str())))
            .send()
            .await
            .expect("schema")
            .json()
            .await
            .expect("json");
        out.push((
            kind,
            jsonschema::validator_for(&schema).expect("valid schema"),
        ));
    }
    out
}

fn validator(
    validators: &[(ContentKind, jsonschema::Validator)],
    kind: ContentKind,
) -> &jsonschema::Validator {
    &validators
        .iter()
        .find(|(k, _)| *k == kind)
        .expect("validator")
        .1
}

fn write_file(dir: &Path, id: &str, kind: ContentKind, app_id: &str, document: Value) {
    let folder = dir.join(format!("{}s", kind.as_str()));
    std::fs::create_dir_all(&folder).expect("mkdir");
    let file = DocumentFile {
        schema: format!("/api/v1/schema/{}.v1.json", kind.as_str()),
        id: id.to_string(),
        kind,
        app_id: app_id.to_string(),
        document,
    };
    std::fs::write(
        folder.join(format!("{id}.json")),
        serde_json::to_string_pretty(&file).expect("json"),
    )
    .expect("write");
}

fn read_document(dir: &Path, kind: ContentKind, id: &str) -> Value {
    let text = std::fs::read_to_string(dir.join(format!("{}s/{id}.json", kind.as_str())))
        .expect("exported file");
    let file: DocumentFile = serde_json::from_str(&text).expect("document file");
    file.document
}

fn parses<T: DeserializeOwned>(v: &Value) -> bool {
    serde_json::from_value::<T>(v.clone()).is_ok()
}

// ---------- the property ----------

/// Any valid tour, tooltip and checklist: the served schema accepts it, serde reads back the same
/// value, and `cairn import` then `cairn export` (the real code, on the test database) gives back
/// exactly the document.
#[test]
fn valid_documents_pass_the_schema_and_round_trip_through_import_and_export() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let (app, db, app_id, validators) = rt.block_on(async {
        let app = spawn_app().await;
        let db = app.server.db().await.expect("db");
        let app_id = app.demo_app_id().await;
        let validators = served_validators(&app).await;
        (app, db, app_id, validators)
    });
    let config = ProptestConfig {
        cases: 32,
        failure_persistence: None,
        ..ProptestConfig::default()
    };
    let mut runner = proptest::test_runner::TestRunner::new(config);
    let case = std::cell::Cell::new(0u32);
    runner
        .run(
            &(tour(), tooltip(), checklist()),
            |(tour, tooltip, checklist)| {
                case.set(case.get() + 1);
                let n = case.get();
                let docs = [
                    (
                        ContentKind::Tour,
                        serde_json::to_value(&tour).expect("json"),
                    ),
                    (
                        ContentKind::Tooltip,
                        serde_json::to_value(&tooltip).expect("json"),
                    ),
                    (
                        ContentKind::Checklist,
                        serde_json::to_value(&checklist).expect("json"),
                    ),
                ];
                prop_assert!(tour.validate().is_empty(), "{:?}", tour.validate());
                prop_assert_eq!(
                    serde_json::from_value::<Tour>(docs[0].1.clone()).ok(),
                    Some(tour.clone())
                );
                prop_assert_eq!(
                    serde_json::from_value::<Tooltip>(docs[1].1.clone()).ok(),
                    Some(tooltip.clone())
                );
                prop_assert_eq!(
                    serde_json::from_value::<Checklist>(docs[2].1.clone()).ok(),
                    Some(checklist.clone())
                );
                for (kind, doc) in &docs {
                    let errors: Vec<String> = validator(&validators, *kind)
                        .iter_errors(doc)
                        .map(|e| format!("{}: {e}", e.instance_path().as_str()))
                        .collect();
                    prop_assert!(
                        errors.is_empty(),
                        "{kind:?} {doc} failed the served schema: {errors:?}"
                    );
                }
                let tmp = tempfile::tempdir().expect("tmp");
                let (input, output) = (tmp.path().join("in"), tmp.path().join("out"));
                let ids: Vec<String> = (0..3).map(|k| format!("prop-{n}-{k}")).collect();
                for ((kind, doc), id) in docs.iter().zip(&ids) {
                    write_file(&input, id, *kind, &app_id, doc.clone());
                }
                let imported = rt.block_on(transfer::import(&db, std::slice::from_ref(&input)));
                prop_assert!(
                    imported.is_ok(),
                    "import refused a valid document: {:?}",
                    imported
                        .err()
                        .map(|e| e.iter().map(ToString::to_string).collect::<Vec<_>>())
                );
                rt.block_on(transfer::export(&db, &output)).expect("export");
                for ((kind, doc), id) in docs.iter().zip(&ids) {
                    prop_assert_eq!(
                        &read_document(&output, *kind, id),
                        doc,
                        "{:?} changed in the round trip",
                        kind
                    );
                }
                Ok(())
            },
        )
        .unwrap_or_else(|e| panic!("{e}"));
    let case = case.get();
    println!("documents: {case} generated cases (tour + tooltip + checklist each) round-tripped");
    drop(app);
}

// ---------- the invalid corpus ----------

/// Documents the schema refuses, with the pointer it names (an optional object, e.g. `target` or
/// `schedule`, is `anyOf [object, null]` in the schema: its errors point at the object itself). `serde_too`: the Rust types refuse it
/// as well (wrong shapes); otherwise it is a rule only the schema and `validate` state (lengths).
fn invalid_corpus() -> Vec<(ContentKind, Value, &'static str, bool)> {
    let step = json!({ "id": "a", "title": "A" });
    let tour = |patch: Value| {
        let mut t = json!({ "title": "T", "steps": [step.clone()] });
        merge(&mut t, patch);
        t
    };
    let tip = |patch: Value| {
        let mut t =
            json!({ "title": "T", "target": { "strategies": [{ "kind": "id", "value": "x" }] } });
        merge(&mut t, patch);
        t
    };
    let list = |patch: Value| {
        let mut t = json!({ "title": "T", "items": [{ "id": "i", "title": "I", "action": { "type": "link", "url": "/x" } }] });
        merge(&mut t, patch);
        t
    };
    use ContentKind::{Checklist as C, Tooltip as P, Tour as T};
    vec![
        (T, json!({ "steps": [step.clone()] }), "", true),
        (T, tour(json!({ "title": 3 })), "/title", true),
        (T, tour(json!({ "title": "" })), "/title", false),
        (T, tour(json!({ "steps": [] })), "/steps", false),
        (
            T,
            tour(json!({ "steps": [{ "id": "a" }] })),
            "/steps/0",
            true,
        ),
        (
            T,
            tour(json!({ "steps": [{ "id": "a", "title": "A", "placement": "middle" }] })),
            "/steps/0/placement",
            true,
        ),
        (
            T,
            tour(json!({ "steps": [{ "id": "a", "title": "A", "advance": { "on": "url" } }] })),
            "/steps/0/advance",
            true,
        ),
        (
            T,
            tour(
                json!({ "steps": [{ "id": "a", "title": "A", "target": { "strategies": [{ "kind": "xpath", "value": "//a" }] } }] }),
            ),
            "/steps/0/target",
            true,
        ),
        (
            T,
            tour(json!({ "targeting": { "url_patterns": "/app/*" } })),
            "/targeting/url_patterns",
            true,
        ),
        (
            T,
            tour(json!({ "targeting": { "attributes": [{ "attribute": "role", "one_of": [] }] } })),
            "/targeting/attributes/0/one_of",
            false,
        ),
        (
            T,
            tour(json!({ "targeting": { "attributes": [{ "one_of": ["x"] }] } })),
            "/targeting/attributes/0",
            true,
        ),
        (
            T,
            tour(json!({ "targeting": { "proficiency": ["guru"] } })),
            "/targeting/proficiency/0",
            true,
        ),
        (
            T,
            tour(json!({ "targeting": { "frequency": "sometimes" } })),
            "/targeting/frequency",
            true,
        ),
        (
            T,
            tour(json!({ "targeting": { "schedule": { "starts_at": "soon" } } })),
            "/targeting/schedule",
            true,
        ),
        (T, tour(json!({ "locale": 7 })), "/locale", true),
        (
            T,
            tour(
                json!({ "steps": [{ "id": "a", "title": "A", "variants": [{ "locale": "de", "proficiency": "guru" }] }] }),
            ),
            "/steps/0/variants/0/proficiency",
            true,
        ),
        (
            T,
            tour(
                json!({ "steps": [{ "id": "a", "title": "A", "variants": [{ "locale": "de", "title": ["x"] }] }] }),
            ),
            "/steps/0/variants/0/title",
            true,
        ),
        (T, tour(json!({ "variants": "de" })), "/variants", true),
        (P, json!({ "title": "T" }), "", true),
        (P, tip(json!({ "trigger": "click" })), "/trigger", true),
        (
            P,
            tip(json!({ "targeting": { "proficiency": "expert" } })),
            "/targeting/proficiency",
            true,
        ),
        (C, json!({ "title": "T" }), "", true),
        (C, list(json!({ "items": [] })), "/items", false),
        (
            C,
            list(json!({ "items": [{ "id": "i", "title": "I", "action": { "type": "call" } }] })),
            "/items/0/action",
            true,
        ),
        (
            C,
            list(
                json!({ "items": [{ "id": "i", "title": "I", "action": { "type": "start_tour" } }] }),
            ),
            "/items/0/action",
            true,
        ),
        (
            C,
            list(json!({ "targeting": { "schedule": { "ends_at": 1.5 } } })),
            "/targeting/schedule",
            true,
        ),
    ]
}

fn merge(base: &mut Value, patch: Value) {
    if let (Some(b), Value::Object(p)) = (base.as_object_mut(), patch) {
        for (k, v) in p {
            b.insert(k, v);
        }
    }
}

#[tokio::test]
async fn invalid_documents_are_refused_by_schema_and_types_alike() {
    let app = spawn_app().await;
    let validators = served_validators(&app).await;
    let mut wrong = Vec::new();
    for (kind, doc, pointer, serde_too) in invalid_corpus() {
        let pointers: Vec<String> = validator(&validators, kind)
            .iter_errors(&doc)
            .map(|e| e.instance_path().as_str().to_string())
            .collect();
        if !pointers.iter().any(|p| p == pointer) {
            wrong.push(format!(
                "{kind:?} {doc}: schema pointers {pointers:?}, expected {pointer:?}"
            ));
        }
        let serde_accepts = match kind {
            ContentKind::Tour => parses::<Tour>(&doc),
            ContentKind::Tooltip => parses::<Tooltip>(&doc),
            ContentKind::Checklist => parses::<Checklist>(&doc),
        };
        if serde_accepts == serde_too {
            wrong.push(format!(
                "{kind:?} {doc}: the Rust types and the schema disagree (serde accepts: {serde_accepts})"
            ));
        }
        if kind == ContentKind::Tour
            && serde_accepts
            && (pointer == "/title" || pointer == "/steps")
        {
            // What only the schema's lengths say, the tour's own rules say too.
            let tour: Tour = serde_json::from_value(doc.clone()).expect("parses");
            if tour.validate().is_empty() {
                wrong.push(format!("{doc}: validate() accepts it"));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// Every invalid tour of the corpus, written through the API: 422 with its pointer, draft unchanged.
/// Invalid tooltips and checklists are refused by `cairn import` with file and pointer.
#[tokio::test]
async fn the_api_and_the_import_answer_the_corpus_with_pointers() {
    let app = spawn_app().await;
    let tour = app.server.demo_tour_id.clone();
    let url = app.url(&format!("/api/v1/tours/{tour}"));
    let before: Value = app
        .admin
        .get(&url)
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("json");
    let db = app.server.db().await.expect("db");
    let app_id = app.demo_app_id().await;
    for (i, (kind, doc, pointer, _)) in invalid_corpus().into_iter().enumerate() {
        if kind == ContentKind::Tour {
            let res = app.admin.put(&url).json(&doc).send().await.expect("put");
            let body = assert_error(res, 422, "unprocessable").await;
            let pointers: Vec<&str> = body["error"]["details"]["errors"]
                .as_array()
                .expect("errors")
                .iter()
                .filter_map(|e| e["pointer"].as_str())
                .collect();
            assert!(
                pointers.contains(&pointer),
                "{doc}: {pointers:?}, expected {pointer:?}"
            );
        } else {
            let tmp = tempfile::tempdir().expect("tmp");
            write_file(tmp.path(), &format!("bad-{i}"), kind, &app_id, doc.clone());
            let errors = transfer::import(&db, &[tmp.path().to_path_buf()])
                .await
                .expect_err("refused");
            let expected = format!("/document{pointer}");
            assert!(
                errors.iter().any(|e| e.pointer == expected),
                "{doc}: {:?}, expected {expected}",
                errors.iter().map(ToString::to_string).collect::<Vec<_>>()
            );
        }
    }
    // Rules beyond the schema: variant keys and tags, on steps and on the tour.
    let mut doc = before["draft"].clone();
    doc["variants"] = json!([{ "locale": "de", "title": " " }]);
    doc["steps"][0]["variants"] = json!([{ "title": "x" }, { "locale": "not a tag", "title": "y" }, { "locale": "de" }, { "locale": "DE" }]);
    let body = assert_error(
        app.admin.put(&url).json(&doc).send().await.expect("put"),
        422,
        "unprocessable",
    )
    .await;
    let mut pointers: Vec<&str> = body["error"]["details"]["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .filter_map(|e| e["pointer"].as_str())
        .collect();
    pointers.sort();
    assert_eq!(
        pointers,
        [
            "/steps/0/variants/0",
            "/steps/0/variants/1/locale",
            "/steps/0/variants/3",
            "/variants/0/title"
        ]
    );
    let after: Value = app
        .admin
        .get(&url)
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("json");
    assert_eq!(after, before, "refused writes changed nothing");
}
