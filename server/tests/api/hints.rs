//! Tooltips and checklists through the management API: create, validate (422 with pointers),
//! edit the draft, publish (the overlay serves it), versions, diff, rollback; a checklist item may
//! only start a tour of its own application, and be done on an event the application reports; a
//! tooltip's author link picks its element.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_error, spawn_app, tour_doc};

fn tooltip_doc(title: &str) -> Value {
    json!({
        "title": title,
        "body": "The **4-digit** code",
        "target": { "strategies": [{ "kind": "attr", "name": "name", "value": "cost_center" }] },
        "trigger": "hover",
        "targeting": { "url_patterns": ["/demo/*"] }
    })
}

fn checklist_doc(title: &str, tour_id: &str) -> Value {
    json!({
        "title": title,
        "items": [
            { "id": "tour", "title": "Take the tour", "action": { "type": "start_tour", "tour_id": tour_id } },
            { "id": "policy", "title": "Read the policy", "action": { "type": "link", "url": "/demo/#policy" } }
        ],
        "targeting": { "url_patterns": ["/demo/*"] }
    })
}

/// The admin's request to `path`: the JSON answer, which must have `status`.
async fn admin(
    app: &TestApp,
    method: Method,
    path: &str,
    body: Option<Value>,
    status: u16,
) -> Value {
    let mut req = app.admin.request(method, app.url(path));
    if let Some(body) = body {
        req = req.json(&body);
    }
    json_of(req.send().await.expect("request"), status).await
}

async fn json_of(res: reqwest::Response, status: u16) -> Value {
    let got = res.status().as_u16();
    let body: Value = res.json().await.expect("json");
    assert_eq!(got, status, "{body}");
    body
}

async fn served(app: &TestApp, kind: &str, id: &str) -> Option<Value> {
    let content: Value = app
        .overlay(Method::GET, "/content")
        .send()
        .await
        .expect("content")
        .json()
        .await
        .expect("json");
    content[kind]
        .as_array()
        .expect("list")
        .iter()
        .find(|d| d["id"] == id)
        .cloned()
}

/// The life of one document of each kind, by the same routes tours use.
#[tokio::test]
async fn tooltips_and_checklists_are_drafted_published_and_rolled_back() {
    let app = spawn_app().await;
    let app_id = app.demo_app_id().await;
    let tour = app.server.demo_tour_id.clone();
    for (kind, doc, edit) in [
        (
            "tooltips",
            tooltip_doc("Cost center"),
            json!({ "body": "Ask your manager" }),
        ),
        (
            "checklists",
            checklist_doc("Get going", &tour),
            json!({ "title": "Get going, edited" }),
        ),
    ] {
        let created = admin(
            &app,
            Method::POST,
            &format!("/api/v1/{kind}"),
            Some(json!({ "app_id": app_id, "document": doc })),
            201,
        )
        .await;
        let id = created["id"].as_str().expect("id").to_string();
        assert_eq!(created["published_version"], Value::Null);
        assert_eq!(created["draft"], doc);
        let list = admin(&app, Method::GET, &format!("/api/v1/{kind}"), None, 200).await;
        let listed = list
            .as_array()
            .expect("list")
            .iter()
            .find(|d| d["id"] == id)
            .expect("listed");
        assert_eq!(listed["has_unpublished_changes"], true);
        assert!(served(&app, kind, &id).await.is_none(), "a draft is served");

        let published = admin(
            &app,
            Method::POST,
            &format!("/api/v1/{kind}/{id}/publish"),
            Some(json!({ "message": "first" })),
            200,
        )
        .await;
        assert_eq!(published["version"], 1);
        assert_eq!(
            served(&app, kind, &id).await.expect("served")["doc"],
            doc,
            "{kind}"
        );

        let mut edited = doc.clone();
        for (k, v) in edit.as_object().expect("edit") {
            edited[k] = v.clone();
        }
        let updated = admin(
            &app,
            Method::PUT,
            &format!("/api/v1/{kind}/{id}"),
            Some(edited.clone()),
            200,
        )
        .await;
        assert_eq!(updated["has_unpublished_changes"], true);
        assert_eq!(updated["title"], edited["title"]);
        assert_eq!(served(&app, kind, &id).await.expect("served")["doc"], doc);
        let diff = admin(
            &app,
            Method::GET,
            &format!("/api/v1/{kind}/{id}/diff?from=1"),
            None,
            200,
        )
        .await;
        let key = edit.as_object().expect("edit").keys().next().expect("key");
        assert_eq!(diff[0]["pointer"], format!("/{key}"), "{diff}");
        admin(
            &app,
            Method::POST,
            &format!("/api/v1/{kind}/{id}/publish"),
            Some(json!({ "message": "second" })),
            200,
        )
        .await;
        assert_eq!(
            served(&app, kind, &id).await.expect("served")["doc"],
            edited
        );

        let rolled = admin(
            &app,
            Method::POST,
            &format!("/api/v1/{kind}/{id}/rollback"),
            Some(json!({ "version": 1 })),
            200,
        )
        .await;
        assert_eq!(rolled["version"], 3);
        assert_eq!(served(&app, kind, &id).await.expect("served")["doc"], doc);
        let versions = admin(
            &app,
            Method::GET,
            &format!("/api/v1/{kind}/{id}/versions"),
            None,
            200,
        )
        .await;
        let messages: Vec<_> = versions
            .as_array()
            .expect("versions")
            .iter()
            .map(|v| v["message"].as_str().expect("message").to_string())
            .collect();
        assert_eq!(messages, ["Rollback to version 1", "second", "first"]);
        let v2 = admin(
            &app,
            Method::GET,
            &format!("/api/v1/{kind}/{id}/versions/2"),
            None,
            200,
        )
        .await;
        assert_eq!(v2["document"], edited);
        assert_eq!(v2["message"], "second");
        // A tooltip's id is no checklist's, and neither is a tour's.
        let other = if kind == "tooltips" {
            "checklists"
        } else {
            "tooltips"
        };
        let res = app
            .admin
            .get(app.url(&format!("/api/v1/{other}/{id}")))
            .send()
            .await
            .expect("get");
        assert_error(res, 404, "not_found").await;
        let res = app
            .admin
            .get(app.url(&format!("/api/v1/tours/{id}")))
            .send()
            .await
            .expect("get");
        assert_error(res, 404, "not_found").await;
    }
}

/// Schema and rule problems are 422 with the pointer of each; a checklist cannot start a tour of
/// another application or organisation.
#[tokio::test]
async fn invalid_tooltips_and_checklists_are_refused_with_pointers() {
    let app = spawn_app().await;
    let app_id = app.demo_app_id().await;
    let tour = app.server.demo_tour_id.clone();
    let pointers = |body: &Value| -> Vec<String> {
        body["error"]["details"]["errors"]
            .as_array()
            .expect("errors")
            .iter()
            .map(|e| e["pointer"].as_str().expect("pointer").to_string())
            .collect()
    };

    let mut tip = tooltip_doc("Tip");
    tip["title"] = json!("");
    tip["trigger"] = json!("wiggle");
    let res = app
        .admin
        .post(app.url("/api/v1/tooltips"))
        .json(&json!({ "app_id": app_id, "document": tip }))
        .send()
        .await
        .expect("create");
    let body = assert_error(res, 422, "unprocessable").await;
    let p = pointers(&body);
    assert!(
        p.contains(&"/document/title".to_string()) && p.contains(&"/document/trigger".to_string()),
        "{body}"
    );

    let mut list = checklist_doc("List", &tour);
    list["items"][1]["id"] = json!("tour");
    list["items"][1]["action"]["url"] = json!("javascript:alert(1)");
    let res = app
        .admin
        .post(app.url("/api/v1/checklists"))
        .json(&json!({ "app_id": app_id, "document": list }))
        .send()
        .await
        .expect("create");
    let body = assert_error(res, 422, "unprocessable").await;
    assert_eq!(
        pointers(&body),
        ["/document/items/1/id", "/document/items/1/action/url"]
    );

    // A tooltip is drafted before its element is picked, but not published without one.
    let mut unpicked = tooltip_doc("Not picked yet");
    unpicked["target"]["strategies"] = json!([]);
    let created = admin(
        &app,
        Method::POST,
        "/api/v1/tooltips",
        Some(json!({ "app_id": app_id, "document": unpicked })),
        201,
    )
    .await;
    let res = app
        .admin
        .post(app.url(&format!(
            "/api/v1/tooltips/{}/publish",
            created["id"].as_str().expect("id")
        )))
        .json(&json!({ "message": "too early" }))
        .send()
        .await
        .expect("publish");
    let body = assert_error(res, 422, "unprocessable").await;
    assert_eq!(pointers(&body), ["/target/strategies"]);
    assert!(
        served(&app, "tooltips", created["id"].as_str().expect("id"))
            .await
            .is_none()
    );

    // A tour id that is not a tour of this application.
    let created = admin(
        &app,
        Method::POST,
        "/api/v1/checklists",
        Some(json!({ "app_id": app_id, "document": checklist_doc("List", &tour) })),
        201,
    )
    .await;
    let id = created["id"].as_str().expect("id");
    let res = app
        .admin
        .put(app.url(&format!("/api/v1/checklists/{id}")))
        .json(&checklist_doc("List", "no-such-tour"))
        .send()
        .await
        .expect("update");
    let body = assert_error(res, 422, "unprocessable").await;
    assert_eq!(pointers(&body), ["/items/0/action/tour_id"]);
    // Nothing was written.
    let now = admin(
        &app,
        Method::GET,
        &format!("/api/v1/checklists/{id}"),
        None,
        200,
    )
    .await;
    assert_eq!(now["draft"]["items"][0]["action"]["tour_id"], tour.as_str());

    let tour_doc_created = admin(
        &app,
        Method::POST,
        "/api/v1/tours",
        Some(json!({ "app_id": app_id, "document": tour_doc("Another") })),
        201,
    )
    .await;
    let res = app
        .admin
        .put(app.url(&format!("/api/v1/checklists/{id}")))
        .json(&checklist_doc(
            "List",
            tour_doc_created["id"].as_str().expect("id"),
        ))
        .send()
        .await
        .expect("update");
    assert_eq!(res.status(), 200, "a tour of the same application is fine");
}

/// An item also done when the application reports an event (`cairn.track`): the name is kept
/// through create, publish and the overlay's content; a name that is not 1–64 of `A-Za-z0-9_.:-`
/// is a 422 with the item's pointer, on create and on update, and nothing is written.
#[tokio::test]
async fn a_checklist_item_done_on_an_event_round_trips_and_bad_names_are_refused() {
    let app = spawn_app().await;
    let app_id = app.demo_app_id().await;
    let tour = app.server.demo_tour_id.clone();
    let mut doc = checklist_doc("Events", &tour);
    doc["items"][1]["done_on_event"] = json!("policy:read.v2_ok-");
    let created = admin(
        &app,
        Method::POST,
        "/api/v1/checklists",
        Some(json!({ "app_id": app_id, "document": doc })),
        201,
    )
    .await;
    assert_eq!(created["draft"], doc, "kept as written");
    assert!(created["draft"]["items"][0].get("done_on_event").is_none());
    let id = created["id"].as_str().expect("id").to_string();
    admin(
        &app,
        Method::POST,
        &format!("/api/v1/checklists/{id}/publish"),
        Some(json!({})),
        200,
    )
    .await;
    let served = served(&app, "checklists", &id).await.expect("served");
    assert_eq!(
        served["doc"]["items"][1]["done_on_event"],
        "policy:read.v2_ok-"
    );

    for bad in [
        json!("has space"),
        json!(""),
        json!("a".repeat(65)),
        json!("<b>"),
        json!("naïve"),
        json!(7),
    ] {
        let mut list = checklist_doc("Bad", &tour);
        list["items"][0]["done_on_event"] = bad.clone();
        let res = app
            .admin
            .post(app.url("/api/v1/checklists"))
            .json(&json!({ "app_id": app_id, "document": list }))
            .send()
            .await
            .expect("create");
        let body = assert_error(res, 422, "unprocessable").await;
        let pointers: Vec<&str> = body["error"]["details"]["errors"]
            .as_array()
            .expect("errors")
            .iter()
            .filter_map(|e| e["pointer"].as_str())
            .collect();
        assert_eq!(
            pointers,
            ["/document/items/0/done_on_event"],
            "{bad}: {body}"
        );
    }
    let mut list = doc.clone();
    list["items"][1]["done_on_event"] = json!("tab\tname");
    let res = app
        .admin
        .put(app.url(&format!("/api/v1/checklists/{id}")))
        .json(&list)
        .send()
        .await
        .expect("update");
    let body = assert_error(res, 422, "unprocessable").await;
    assert_eq!(
        body["error"]["details"]["errors"][0]["pointer"], "/items/1/done_on_event",
        "{body}"
    );
    let now = admin(
        &app,
        Method::GET,
        &format!("/api/v1/checklists/{id}"),
        None,
        200,
    )
    .await;
    assert_eq!(now["draft"], doc, "nothing was written");
}

/// A tooltip's author link opens the app to pick its element; its token reads and writes that
/// tooltip only, and is not a tour's author token.
#[tokio::test]
async fn a_tooltip_author_link_saves_the_picked_target() {
    let app = spawn_app().await;
    let app_id = app.demo_app_id().await;
    let created = admin(
        &app,
        Method::POST,
        "/api/v1/tooltips",
        Some(json!({ "app_id": app_id, "document": tooltip_doc("Tip") })),
        201,
    )
    .await;
    let id = created["id"].as_str().expect("id").to_string();
    let link = admin(
        &app,
        Method::POST,
        &format!("/api/v1/tooltips/{id}/author-link"),
        None,
        201,
    )
    .await;
    let token = link["token"].as_str().expect("token").to_string();
    assert!(token.starts_with(cairn_shared::author::TOOLTIP_TOKEN_PREFIX));
    assert!(
        link["url"]
            .as_str()
            .expect("url")
            .contains(&format!("/demo/?cairn_author={token}"))
    );

    let got = json_of(
        app.anon
            .get(app.url("/api/v1/author/tooltip"))
            .header("x-cairn-author", &token)
            .send()
            .await
            .expect("get"),
        200,
    )
    .await;
    assert_eq!(got["tooltip_id"], id.as_str());
    // The tooltip's token is no tour's.
    let res = app
        .anon
        .get(app.url("/api/v1/author/tour"))
        .header("x-cairn-author", &token)
        .send()
        .await
        .expect("tour");
    assert_error(res, 404, "not_found").await;
    // Nor can a tour's token be passed off as a tooltip's: the purpose is signed.
    let tour_link = admin(
        &app,
        Method::POST,
        &format!("/api/v1/tours/{}/author-link", app.server.demo_tour_id),
        None,
        201,
    )
    .await;
    let tour_token = tour_link["token"].as_str().expect("token");
    let forged = tour_token.replacen("author.", "author-tooltip.", 1);
    let res = app
        .anon
        .get(app.url("/api/v1/author/tooltip"))
        .header("x-cairn-author", &forged)
        .send()
        .await
        .expect("forged");
    assert_eq!(res.status(), 401);

    let mut doc = tooltip_doc("Tip");
    doc["target"] = json!({ "strategies": [{ "kind": "id", "value": "supplier" }] });
    let saved = json_of(
        app.anon
            .put(app.url("/api/v1/author/tooltip"))
            .header("x-cairn-author", &token)
            .json(&doc)
            .send()
            .await
            .expect("put"),
        200,
    )
    .await;
    assert_eq!(saved["draft"]["target"], doc["target"]);
    let now = admin(
        &app,
        Method::GET,
        &format!("/api/v1/tooltips/{id}"),
        None,
        200,
    )
    .await;
    assert_eq!(now["draft"]["target"], doc["target"]);
    let mut bad = doc.clone();
    bad["title"] = json!("");
    let res = app
        .anon
        .put(app.url("/api/v1/author/tooltip"))
        .header("x-cairn-author", &token)
        .json(&bad)
        .send()
        .await
        .expect("put");
    assert_error(res, 422, "unprocessable").await;
}
