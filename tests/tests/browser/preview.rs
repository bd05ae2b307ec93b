//! A draft preview in the real page: the author's preview link shows the draft tour; once the token
//! has expired, the same tab falls back to the published tour and forgets the token.

use cairn_server::testing::{TEST_ADMIN_EMAIL, TEST_ADMIN_PASSWORD, TestServer};
use serde_json::{Value, json};

use crate::harness::{Browser, in_overlay};

#[tokio::test]
async fn a_preview_link_shows_the_draft_then_falls_back_when_it_expires() {
    let server = TestServer::spawn().await.expect("server");
    let admin = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .expect("client");
    let res = admin
        .post(format!("{}/api/v1/auth/login", server.url))
        .json(&json!({ "email": TEST_ADMIN_EMAIL, "password": TEST_ADMIN_PASSWORD }))
        .send()
        .await
        .expect("login");
    assert_eq!(res.status(), 200);
    let tour_url = format!("{}/api/v1/tours/{}", server.url, server.demo_tour_id);
    let detail: Value = admin
        .get(&tour_url)
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("json");
    let mut draft = detail["draft"].clone();
    draft["steps"][0]["title"] = json!("Draft: start here");
    let res = admin.put(&tour_url).json(&draft).send().await.expect("put");
    assert_eq!(res.status(), 200);
    let link: Value = admin
        .post(format!("{tour_url}/preview"))
        .send()
        .await
        .expect("preview")
        .json()
        .await
        .expect("json");
    let url = link["url"].as_str().expect("url").to_string();

    let browser = Browser::start().await;
    browser.client.goto(&url).await.expect("open the preview");
    let title_js = format!("{}.textContent", in_overlay("[data-cairn=step-title]"));
    let title = browser.wait_for("the previewed step", &title_js).await;
    assert_eq!(title, "Draft: start here");
    assert_eq!(
        browser
            .js("return sessionStorage.getItem('cairn_preview') !== null")
            .await,
        json!(true),
        "the token is kept for the tab"
    );

    // Fifteen minutes later the token is refused: the tab shows the published tour again.
    server.clock.advance_ms(16 * 60_000);
    browser
        .client
        .goto(&format!("{}/demo/", server.url))
        .await
        .expect("reload");
    let title = browser.wait_for("the published step", &title_js).await;
    assert_eq!(title, "Start a new request");
    assert_eq!(
        browser
            .js("return sessionStorage.getItem('cairn_preview')")
            .await,
        Value::Null,
        "the refused token is forgotten"
    );
    browser.close().await;
}
