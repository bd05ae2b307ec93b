use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{assert_error, spawn_app, tour_doc};

#[tokio::test]
async fn create_publish_then_the_overlay_serves_it() {
    let app = spawn_app().await;
    let app_id = app.demo_app_id().await;
    let res = app
        .admin
        .post(app.url("/api/v1/tours"))
        .json(&json!({ "app_id": app_id, "document": tour_doc("Approve an invoice") }))
        .send()
        .await
        .expect("create");
    assert_eq!(res.status(), 201);
    let created: Value = res.json().await.expect("json");
    let id = created["id"].as_str().expect("id").to_string();
    assert_eq!(created["published_version"], Value::Null);
    assert_eq!(created["step_count"], 2);

    // A draft is invisible to employees.
    let content: Value = app
        .overlay(Method::GET, "/content")
        .send()
        .await
        .expect("content")
        .json()
        .await
        .expect("json");
    assert!(
        !content["tours"]
            .as_array()
            .expect("tours")
            .iter()
            .any(|t| t["id"] == id)
    );

    let published: Value = app
        .admin
        .post(app.url(&format!("/api/v1/tours/{id}/publish")))
        .json(&json!({ "message": "first" }))
        .send()
        .await
        .expect("publish")
        .json()
        .await
        .expect("json");
    assert_eq!(published["version"], 1);

    let content: Value = app
        .overlay(Method::GET, "/content")
        .send()
        .await
        .expect("content")
        .json()
        .await
        .expect("json");
    let tour = content["tours"]
        .as_array()
        .expect("tours")
        .iter()
        .find(|t| t["id"] == id)
        .expect("published tour served");
    assert_eq!(tour["version"], 1);
    assert_eq!(tour["doc"]["title"], "Approve an invoice");
    assert_eq!(tour["doc"]["steps"][0]["body"], "Hello **there**");

    // Editing the draft changes nothing for employees until the next publish.
    let mut doc = tour_doc("Approve an invoice");
    doc["steps"][0]["title"] = json!("First, edited");
    let updated: Value = app
        .admin
        .put(app.url(&format!("/api/v1/tours/{id}")))
        .json(&doc)
        .send()
        .await
        .expect("update")
        .json()
        .await
        .expect("json");
    assert_eq!(updated["has_unpublished_changes"], true);
    assert_eq!(updated["draft"]["steps"][0]["title"], "First, edited");
    let content: Value = app
        .overlay(Method::GET, "/content")
        .send()
        .await
        .expect("content")
        .json()
        .await
        .expect("json");
    let tour = content["tours"]
        .as_array()
        .expect("tours")
        .iter()
        .find(|t| t["id"] == id)
        .expect("tour");
    assert_eq!(tour["doc"]["steps"][0]["title"], "First");

    let published: Value = app
        .admin
        .post(app.url(&format!("/api/v1/tours/{id}/publish")))
        .json(&json!({}))
        .send()
        .await
        .expect("publish")
        .json()
        .await
        .expect("json");
    assert_eq!(published["version"], 2);
    let content: Value = app
        .overlay(Method::GET, "/content")
        .send()
        .await
        .expect("content")
        .json()
        .await
        .expect("json");
    let tour = content["tours"]
        .as_array()
        .expect("tours")
        .iter()
        .find(|t| t["id"] == id)
        .expect("tour");
    assert_eq!(tour["version"], 2);
    assert_eq!(tour["doc"]["steps"][0]["title"], "First, edited");

    let list: Value = app
        .admin
        .get(app.url("/api/v1/tours"))
        .send()
        .await
        .expect("list")
        .json()
        .await
        .expect("json");
    let summary = list
        .as_array()
        .expect("array")
        .iter()
        .find(|t| t["id"] == id)
        .expect("listed");
    assert_eq!(summary["published_version"], 2);
    assert_eq!(summary["has_unpublished_changes"], false);
}

#[tokio::test]
async fn invalid_documents_get_422_with_every_pointer() {
    let app = spawn_app().await;
    let id = app.server.demo_tour_id.clone();
    let doc = json!({ "title": "", "steps": [ { "id": "a", "title": "A" }, { "id": "a", "title": "" } ] });
    let res = app
        .admin
        .put(app.url(&format!("/api/v1/tours/{id}")))
        .json(&doc)
        .send()
        .await
        .expect("put");
    let body = assert_error(res, 422, "unprocessable").await;
    let mut pointers: Vec<&str> = body["error"]["details"]["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .filter_map(|e| e["pointer"].as_str())
        .collect();
    pointers.sort();
    assert_eq!(pointers, ["/steps/1/id", "/steps/1/title", "/title"]);

    // Wrong shapes, each reported with its pointer.
    let res = app
        .admin
        .put(app.url(&format!("/api/v1/tours/{id}")))
        .json(&json!({ "title": "x", "steps": [ { "id": "a" }, { "id": "b", "title": "B", "placement": "sideways" } ] }))
        .send()
        .await
        .expect("put");
    let body = assert_error(res, 422, "unprocessable").await;
    let pointers: Vec<&str> = body["error"]["details"]["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .filter_map(|e| e["pointer"].as_str())
        .collect();
    assert!(
        pointers.contains(&"/steps/0") && pointers.contains(&"/steps/1/placement"),
        "{pointers:?}"
    );

    // On create, pointers are relative to the request body.
    let res = app
        .admin
        .post(app.url("/api/v1/tours"))
        .json(&json!({ "app_id": app.demo_app_id().await, "document": { "title": "x", "steps": "none" } }))
        .send()
        .await
        .expect("post");
    let body = assert_error(res, 422, "unprocessable").await;
    assert_eq!(
        body["error"]["details"]["errors"][0]["pointer"],
        "/document/steps"
    );

    // Nothing was saved.
    let tour: serde_json::Value = app
        .admin
        .get(app.url(&format!("/api/v1/tours/{id}")))
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("json");
    assert_eq!(tour["has_unpublished_changes"], false);
}

#[tokio::test]
async fn schemas_are_served() {
    let app = spawn_app().await;
    for kind in ["tour", "tooltip", "checklist"] {
        let res = app
            .anon
            .get(app.url(&format!("/api/v1/schema/{kind}.v1.json")))
            .send()
            .await
            .expect("get");
        assert_eq!(res.status(), 200);
        let schema: Value = res.json().await.expect("json");
        assert_eq!(
            schema["$schema"],
            "https://json-schema.org/draft/2020-12/schema"
        );
    }
    let res = app
        .anon
        .get(app.url("/api/v1/schema/nope.json"))
        .send()
        .await
        .expect("get");
    assert_error(res, 404, "not_found").await;
}

#[tokio::test]
async fn unknown_tours_are_404() {
    let app = spawn_app().await;
    let res = app
        .admin
        .get(app.url("/api/v1/tours/does-not-exist"))
        .send()
        .await
        .expect("get");
    assert_error(res, 404, "not_found").await;
    let res = app
        .admin
        .post(app.url("/api/v1/tours/does-not-exist/publish"))
        .json(&json!({}))
        .send()
        .await
        .expect("post");
    assert_error(res, 404, "not_found").await;
    let res = app
        .admin
        .post(app.url("/api/v1/tours"))
        .json(&json!({ "app_id": "nope", "document": tour_doc("x") }))
        .send()
        .await
        .expect("post");
    assert_error(res, 404, "not_found").await;
}

#[tokio::test]
async fn the_demo_tour_is_published_with_three_or_more_anchored_steps() {
    let app = spawn_app().await;
    let content: Value = app
        .overlay(Method::GET, "/content")
        .send()
        .await
        .expect("content")
        .json()
        .await
        .expect("json");
    let tour = &content["tours"][0];
    assert_eq!(tour["id"], app.server.demo_tour_id.as_str());
    let steps = tour["doc"]["steps"].as_array().expect("steps");
    assert!(steps.len() >= 3);
    assert!(steps.iter().all(|s| {
        s["target"]["strategies"]
            .as_array()
            .is_some_and(|a| !a.is_empty())
    }));
    assert_eq!(content["tooltips"].as_array().map(Vec::len), Some(1));
    assert_eq!(content["checklists"].as_array().map(Vec::len), Some(1));
}
