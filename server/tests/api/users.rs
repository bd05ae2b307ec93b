//! `GET /api/v1/users`: the owner picker's list, scoped to the caller's organisation.

use cairn_server::roles::Role;
use cairn_server::{auth, store};
use serde_json::Value;

use crate::helpers::{assert_error, spawn_app};

#[tokio::test]
async fn lists_the_organisations_users_and_who_can_own_tickets() {
    let app = spawn_app().await;
    let db = app.server.db().await.expect("db");
    let me: Value = app
        .admin
        .get(app.url("/api/v1/auth/me"))
        .send()
        .await
        .expect("me")
        .json()
        .await
        .expect("json");
    let org = me["org_id"].as_str().expect("org");
    let hash = auth::hash_password("user password 1").expect("hash");
    store::users::create_user(&db, org, "agent@test.local", &hash, Role::Agent)
        .await
        .expect("agent");
    store::users::create_user(&db, org, "writer@test.local", &hash, Role::Author)
        .await
        .expect("author");
    let other = store::users::create_org(&db, "Other").await.expect("org");
    store::users::create_user(&db, &other, "stranger@other.test", &hash, Role::Admin)
        .await
        .expect("stranger");

    let res = app
        .admin
        .get(app.url("/api/v1/users"))
        .send()
        .await
        .expect("users");
    assert_eq!(res.status(), 200);
    let users: Vec<Value> = res.json().await.expect("json");
    let emails: Vec<&str> = users.iter().filter_map(|u| u["email"].as_str()).collect();
    assert_eq!(
        emails,
        ["admin@test.local", "agent@test.local", "writer@test.local"],
        "sorted by email, other organisations never listed"
    );
    let can = |email: &str| {
        users.iter().find(|u| u["email"] == email).expect("listed")["can_work_tickets"].clone()
    };
    assert_eq!(can("agent@test.local"), true);
    assert_eq!(can("writer@test.local"), false);

    assert_error(
        app.anon
            .get(app.url("/api/v1/users"))
            .send()
            .await
            .expect("anon"),
        401,
        "unauthorized",
    )
    .await;
}
