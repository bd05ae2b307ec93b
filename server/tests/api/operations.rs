//! The `cairn` binary as an operator runs it (README "Command line"): `cairn migrate`,
//! `cairn user create`, `cairn serve` with JSON logs, and a graceful stop on SIGTERM that finishes
//! the request in flight (its events are stored) before exiting 0.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use cairn_server::db::Db;
use serde_json::{Value, json};
use sqlx::Row;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::helpers::event;

const CAIRN: &str = env!("CARGO_BIN_EXE_cairn");

fn cairn(db_url: &str) -> Command {
    let mut cmd = Command::new(CAIRN);
    cmd.env("CAIRN_DATABASE_URL", db_url)
        .env("CAIRN_ADMIN_PASSWORD", "operator password 1")
        .env("CAIRN_LOG_FORMAT", "json")
        .env("RUST_LOG", "info")
        .env_remove("CAIRN_ADDR")
        .env_remove("CAIRN_PUBLIC_URL");
    cmd
}

#[tokio::test]
async fn migrate_user_create_serve_and_a_graceful_stop() {
    // SQLite only: the binary is the thing under test here, not the database.
    let tmp = tempfile::tempdir().expect("tmp");
    let db_url = format!("sqlite://{}", tmp.path().join("cairn.db").display());

    let out = cairn(&db_url).arg("migrate").output().expect("migrate");
    assert!(out.status.success(), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("database migrated"));

    let mut server = cairn(&db_url)
        .args(["serve", "--addr", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("serve");
    let stdout = server.stdout.take().expect("stdout");
    let (lines_tx, lines_rx) = std::sync::mpsc::channel::<String>();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if lines_tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut seen = Vec::new();
    let url = loop {
        let line = lines_rx
            .recv_timeout(Duration::from_secs(60))
            .expect("cairn serve prints its URL");
        seen.push(line.clone());
        if let Some(rest) = line.split("Demo app with a live tour").nth(1) {
            break rest.trim().trim_end_matches("/demo/").to_string();
        }
    };
    let addr = url.trim_start_matches("http://").to_string();

    // `cairn user create` against the running server's database; the user can sign in at once.
    let out = cairn(&db_url)
        .args([
            "user",
            "create",
            "--email",
            "agent@ops.test",
            "--role",
            "agent",
        ])
        .env("CAIRN_USER_PASSWORD", "agent password 1")
        .output()
        .expect("user create");
    assert!(out.status.success(), "{out:?}");
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .expect("client");
    let me: Value = client
        .post(format!("{url}/api/v1/auth/login"))
        .json(&json!({ "email": "agent@ops.test", "password": "agent password 1" }))
        .send()
        .await
        .expect("login")
        .json()
        .await
        .expect("json");
    assert_eq!(me["role"], "agent", "{me}");
    let out = cairn(&db_url)
        .args(["user", "create", "--email", "x@ops.test", "--role", "boss"])
        .env("CAIRN_USER_PASSWORD", "agent password 1")
        .output()
        .expect("user create");
    assert!(!out.status.success(), "an unknown role is refused");

    // A request in flight: headers and half the body sent, then SIGTERM, then the rest.
    let db = Db::connect(&db_url).await.expect("db");
    let key = cairn_server::store::settings::get(&db, cairn_server::store::settings::DEMO_APP_KEY)
        .await
        .expect("setting")
        .expect("demo key");
    let body =
        json!({ "events": [event("inflight-event-0001", "step_viewed", "tour-x", "one", 0)] })
            .to_string();
    let mut stream = tokio::net::TcpStream::connect(&addr)
        .await
        .expect("connect");
    let head = format!(
        "POST /api/v1/overlay/events HTTP/1.1\r\nHost: {addr}\r\nx-cairn-app-key: {key}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        body.len()
    );
    let (first, rest) = body.split_at(body.len() / 2);
    stream
        .write_all(format!("{head}{first}").as_bytes())
        .await
        .expect("write");
    tokio::time::sleep(Duration::from_millis(200)).await;
    let status = Command::new("kill")
        .args(["-TERM", &server.id().to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
    tokio::time::sleep(Duration::from_millis(500)).await;
    stream.write_all(rest.as_bytes()).await.expect("write rest");
    let mut response = String::new();
    stream
        .read_to_string(&mut response)
        .await
        .expect("the in-flight request gets its answer");
    assert!(
        response.starts_with("HTTP/1.1 200"),
        "in-flight request after SIGTERM: {response}"
    );
    assert!(response.contains("\"accepted\":1"), "{response}");

    let exit = tokio::task::spawn_blocking(move || server.wait())
        .await
        .expect("join")
        .expect("wait");
    assert!(exit.success(), "cairn serve exited with {exit}");
    assert!(
        tokio::net::TcpStream::connect(&addr).await.is_err(),
        "no new connections after the stop"
    );
    let stored: i64 = sqlx::query("SELECT COUNT(*) FROM events WHERE id = $1")
        .bind("inflight-event-0001")
        .fetch_one(&db.pool)
        .await
        .expect("count")
        .try_get(0)
        .expect("int");
    assert_eq!(stored, 1, "the in-flight batch was stored before exit");

    // Logs are JSON lines with a level and the message in `fields`.
    seen.extend(lines_rx.try_iter());
    let logs: Vec<Value> = seen
        .iter()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .collect();
    assert!(
        logs.iter()
            .any(|l| l["level"] == "INFO" && l["fields"]["message"] == "stopped"),
        "JSON log lines: {seen:#?}"
    );
}
