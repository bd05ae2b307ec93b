//! `spawn_app()`: a fresh server and database per test, and an HTTP client that keeps cookies.

use cairn_server::testing::{TEST_ADMIN_EMAIL, TEST_ADMIN_PASSWORD, TestServer};
use reqwest::{Client, RequestBuilder, Response};
use serde_json::{Value, json};

pub struct TestApp {
    pub server: TestServer,
    /// Signed in as the demo organisation's admin.
    pub admin: Client,
    /// No cookies: an anonymous caller.
    pub anon: Client,
}

pub async fn spawn_app() -> TestApp {
    let server = TestServer::spawn().await.expect("test server starts");
    let admin = Client::builder()
        .cookie_store(true)
        .build()
        .expect("client");
    let res = admin
        .post(format!("{}/api/v1/auth/login", server.url))
        .json(&json!({ "email": TEST_ADMIN_EMAIL, "password": TEST_ADMIN_PASSWORD }))
        .send()
        .await
        .expect("login request");
    assert_eq!(res.status(), 200, "admin login");
    TestApp {
        server,
        admin,
        anon: Client::new(),
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.server.url, path)
    }

    /// An overlay request with the demo app key and the server's own origin.
    pub fn overlay(&self, method: reqwest::Method, path: &str) -> RequestBuilder {
        self.anon
            .request(method, self.url(&format!("/api/v1/overlay{path}")))
            .header("x-cairn-app-key", &self.server.demo_app_key)
    }

    pub async fn demo_app_id(&self) -> String {
        let apps: Value = self
            .admin
            .get(self.url("/api/v1/apps"))
            .send()
            .await
            .expect("apps")
            .json()
            .await
            .expect("json");
        apps[0]["id"].as_str().expect("an app").to_string()
    }
}

/// Asserts the response is the JSON error shape with this status and code, and returns the body.
pub async fn assert_error(res: Response, status: u16, code: &str) -> Value {
    assert_eq!(res.status(), status, "status");
    let ct = res
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    assert!(
        ct.starts_with("application/json"),
        "error content type was {ct:?}"
    );
    let body: Value = res.json().await.expect("JSON error body");
    assert_eq!(body["error"]["code"], code, "error code in {body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "message in {body}"
    );
    body
}

/// A small valid tour document.
pub fn tour_doc(title: &str) -> Value {
    json!({
        "title": title,
        "targeting": { "url_patterns": ["/app/*"] },
        "steps": [
            { "id": "one", "title": "First", "body": "Hello **there**",
              "target": { "strategies": [{ "kind": "id", "value": "x" }] } },
            { "id": "two", "title": "Second" }
        ]
    })
}

/// A valid event for the overlay.
pub fn event(id: &str, kind: &str, content_id: &str, step: &str, index: u32) -> Value {
    json!({ "id": id, "kind": kind, "content_id": content_id, "step_id": step, "step_index": index,
            "version": 1, "page_url": "http://host.test/demo/", "at": 1_700_000_000_000i64 })
}
