use std::collections::BTreeMap;
use std::path::Path;

use cairn_server::transfer;
use serde_json::json;

use crate::helpers::spawn_app;

fn read_tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    for kind in ["tours", "tooltips", "checklists"] {
        let Ok(entries) = std::fs::read_dir(dir.join(kind)) else {
            continue;
        };
        for e in entries.flatten() {
            out.insert(
                format!("{kind}/{}", e.file_name().to_string_lossy()),
                std::fs::read(e.path()).expect("read"),
            );
        }
    }
    out
}

#[tokio::test]
async fn export_import_export_is_byte_identical() {
    let app = spawn_app().await;
    let db = app.server.db().await.expect("db");
    let tmp = tempfile::tempdir().expect("tmp");
    let first = tmp.path().join("first");
    assert_eq!(transfer::export(&db, &first).await.expect("export"), 3);
    let tree = read_tree(&first);
    assert_eq!(tree.len(), 3);
    let tour_file =
        String::from_utf8(tree[&format!("tours/{}.json", app.server.demo_tour_id)].clone())
            .expect("utf8");
    assert!(
        tour_file.starts_with("{\n  \"$schema\": \"/api/v1/schema/tour.v1.json\""),
        "{tour_file}"
    );

    let (created, updated) = transfer::import(&db, std::slice::from_ref(&first))
        .await
        .expect("import");
    assert_eq!((created, updated), (0, 3));
    let second = tmp.path().join("second");
    transfer::export(&db, &second).await.expect("export");
    assert_eq!(
        read_tree(&second),
        tree,
        "export → import → export changed bytes"
    );
}

#[tokio::test]
async fn an_invalid_file_blocks_the_whole_import_with_file_and_pointer() {
    let app = spawn_app().await;
    let db = app.server.db().await.expect("db");
    let tmp = tempfile::tempdir().expect("tmp");
    transfer::export(&db, tmp.path()).await.expect("export");
    let apps: serde_json::Value = app
        .admin
        .get(app.url("/api/v1/apps"))
        .send()
        .await
        .expect("apps")
        .json()
        .await
        .expect("json");
    let app_id = apps[0]["id"].as_str().expect("id");
    let good = json!({ "$schema": "/api/v1/schema/tour.v1.json", "id": "new-tour-1", "kind": "tour", "app_id": app_id,
        "document": { "title": "New", "steps": [{ "id": "a", "title": "A" }] } });
    let bad = json!({ "$schema": "/api/v1/schema/tour.v1.json", "id": "new-tour-2", "kind": "tour", "app_id": app_id,
        "document": { "title": "Bad", "steps": [{ "id": "a", "title": "" }] } });
    std::fs::write(tmp.path().join("tours/new-1.json"), good.to_string()).expect("write");
    std::fs::write(tmp.path().join("tours/new-2.json"), bad.to_string()).expect("write");

    let errors = transfer::import(&db, &[tmp.path().to_path_buf()])
        .await
        .expect_err("refused");
    let shown: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
    assert!(
        shown
            .iter()
            .any(|e| e.contains("new-2.json#/document/steps/0/title")),
        "{shown:?}"
    );
    let tours: serde_json::Value = app
        .admin
        .get(app.url("/api/v1/tours"))
        .send()
        .await
        .expect("tours")
        .json()
        .await
        .expect("json");
    assert_eq!(tours.as_array().map(Vec::len), Some(1), "nothing imported");

    std::fs::remove_file(tmp.path().join("tours/new-2.json")).expect("rm");
    let (created, _) = transfer::import(&db, &[tmp.path().to_path_buf()])
        .await
        .expect("import");
    assert_eq!(created, 1);
    let tour: serde_json::Value = app
        .admin
        .get(app.url("/api/v1/tours/new-tour-1"))
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("json");
    assert_eq!(tour["title"], "New");
}
