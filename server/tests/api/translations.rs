//! XLIFF 1.2 export and import of a tour's texts: round trip, translated targets reaching the
//! overlay after publish, and all-or-nothing refusal of bad files.

use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_error, spawn_app};

async fn export(app: &TestApp, tour: &str, locale: &str) -> String {
    let res = app
        .admin
        .get(app.url(&format!("/api/v1/tours/{tour}/xliff?locale={locale}")))
        .send()
        .await
        .expect("export");
    assert_eq!(res.status(), 200);
    assert_eq!(
        res.headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("application/xliff+xml")
    );
    res.text().await.expect("text")
}

async fn import(app: &TestApp, tour: &str, file: &str) -> reqwest::Response {
    app.admin
        .put(app.url(&format!("/api/v1/tours/{tour}/xliff")))
        .header("content-type", "application/xliff+xml")
        .body(file.to_string())
        .send()
        .await
        .expect("import")
}

async fn draft(app: &TestApp, tour: &str) -> Value {
    let body: Value = app
        .admin
        .get(app.url(&format!("/api/v1/tours/{tour}")))
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("json");
    body["draft"].clone()
}

#[tokio::test]
async fn export_then_import_changes_nothing() {
    let app = spawn_app().await;
    let tour = app.server.demo_tour_id.clone();
    // A tour that already has some German, with characters XML must escape.
    let mut doc = draft(&app, &tour).await;
    doc["locale"] = json!("en");
    doc["steps"][0]["variants"] = json!([
        { "locale": "de", "title": "Neue <Anfrage> & \"los\"", "body": "Klicken Sie auf **Neu**.\nZweite Zeile" },
        { "proficiency": "expert", "body": "New." }
    ]);
    let res = app
        .admin
        .put(app.url(&format!("/api/v1/tours/{tour}")))
        .json(&doc)
        .send()
        .await
        .expect("put");
    assert_eq!(res.status(), 200);
    let before = draft(&app, &tour).await;

    let file = export(&app, &tour, "de").await;
    assert!(file.contains("<trans-unit id=\"tour.title\""), "{file}");
    assert!(file.contains("<trans-unit id=\"step.new-request.body\""));
    assert!(file.contains("source-language=\"en\" target-language=\"de\""));
    assert!(file.contains("<target>Neue &lt;Anfrage&gt; &amp; &quot;los&quot;</target>"));
    let res = import(&app, &tour, &file).await;
    assert_eq!(res.status(), 200);
    assert_eq!(draft(&app, &tour).await, before);
    assert_eq!(export(&app, &tour, "de").await, file, "byte-identical");
}

#[tokio::test]
async fn translated_targets_reach_the_overlay_after_publish() {
    let app = spawn_app().await;
    let tour = app.server.demo_tour_id.clone();
    let file = export(&app, &tour, "fr").await;
    assert!(!file.contains("<target>"), "nothing translated yet");
    let translated = file
        .replacen(
            "<source>Create your first purchase request</source>",
            "<source>Create your first purchase request</source>\n        <target>Créer votre première demande d’achat</target>",
            1,
        )
        .replacen(
            "<source>Start a new request</source>",
            "<source>Start a new request</source>\n        <target>Commencer une demande</target>",
            1,
        );
    assert_ne!(translated, file);
    let res = import(&app, &tour, &translated).await;
    assert_eq!(res.status(), 200);
    let res = app
        .admin
        .post(app.url(&format!("/api/v1/tours/{tour}/publish")))
        .json(&json!({ "message": "French" }))
        .send()
        .await
        .expect("publish");
    assert_eq!(res.status(), 200);

    let content: Value = app
        .overlay(reqwest::Method::GET, "/content")
        .send()
        .await
        .expect("content")
        .json()
        .await
        .expect("json");
    let published = content["tours"]
        .as_array()
        .expect("tours")
        .iter()
        .find(|t| t["id"] == tour.as_str())
        .expect("the tour")
        .clone();
    assert_eq!(
        published["doc"]["variants"],
        json!([{ "locale": "fr", "title": "Créer votre première demande d’achat" }])
    );
    assert_eq!(
        published["doc"]["steps"][0]["variants"],
        json!([{ "locale": "fr", "title": "Commencer une demande" }])
    );
    assert_eq!(published["doc"]["steps"][0]["title"], "Start a new request");
    assert_eq!(export(&app, &tour, "fr").await, translated);
}

#[tokio::test]
async fn bad_files_are_refused_whole() {
    let app = spawn_app().await;
    let tour = app.server.demo_tour_id.clone();
    let before = draft(&app, &tour).await;
    let file = export(&app, &tour, "de").await;
    let with_target = |f: &str| {
        f.replacen(
            "<source>Start a new request</source>",
            "<source>Start a new request</source><target>Neue Anfrage</target>",
            1,
        )
    };

    // One good unit and one unknown unit: nothing is applied, the unknown one is named.
    let unknown = with_target(&file).replacen(
        "</body>",
        "<trans-unit id=\"step.ghost.title\"><source>x</source><target>y</target></trans-unit></body>",
        1,
    );
    let body = assert_error(import(&app, &tour, &unknown).await, 422, "unprocessable").await;
    assert_eq!(
        body["error"]["details"]["errors"][0]["unit"],
        "step.ghost.title"
    );
    assert_eq!(draft(&app, &tour).await, before);

    // Malformed XML: the line of the problem.
    let broken = with_target(&file).replacen("</trans-unit>", "</source>", 1);
    let body = assert_error(import(&app, &tour, &broken).await, 422, "unprocessable").await;
    assert!(
        body["error"]["details"]["errors"][0]["line"]
            .as_u64()
            .is_some(),
        "{body}"
    );
    assert_eq!(draft(&app, &tour).await, before);

    // An empty translated title would break the tour's rules: refused with its pointer.
    let empty_title = file.replacen(
        "<source>Start a new request</source>",
        "<source>Start a new request</source><target> </target>",
        1,
    );
    let body = assert_error(
        import(&app, &tour, &empty_title).await,
        422,
        "unprocessable",
    )
    .await;
    assert_eq!(
        body["error"]["details"]["errors"][0]["pointer"],
        "/steps/0/variants/0/title"
    );
    assert_eq!(draft(&app, &tour).await, before);

    // Not XLIFF, not UTF-8, a bad locale, a file for a bad language tag.
    assert_error(
        import(&app, &tour, "{\"title\": 1}").await,
        422,
        "unprocessable",
    )
    .await;
    let res = app
        .admin
        .put(app.url(&format!("/api/v1/tours/{tour}/xliff")))
        .body(vec![0xff, 0xfe, 0x00])
        .send()
        .await
        .expect("put");
    assert_error(res, 422, "unprocessable").await;
    let res = app
        .admin
        .get(app.url(&format!("/api/v1/tours/{tour}/xliff?locale=not%20a%20tag")))
        .send()
        .await
        .expect("get");
    assert_error(res, 422, "unprocessable").await;
    let bad_lang = file.replace("target-language=\"de\"", "target-language=\"d e\"");
    assert_error(import(&app, &tour, &bad_lang).await, 422, "unprocessable").await;
    assert_eq!(draft(&app, &tour).await, before);
}
