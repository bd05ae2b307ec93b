//! A real Cairn server for tests: a fresh database (a temporary SQLite file, or a new PostgreSQL
//! database when `CAIRN_TEST_DATABASE_URL` names a server), port 0, the demo seeded. Used by the
//! integration tests (`server/tests/api`) and the end-to-end tests (`tests/`).

use std::path::PathBuf;

use sqlx::Connection;

use crate::config::{Secret, Settings};
use crate::db::{Db, new_id};
use crate::startup::Application;

pub const TEST_ADMIN_EMAIL: &str = "admin@test.local";
pub const TEST_ADMIN_PASSWORD: &str = "correct horse battery";

pub struct TestServer {
    pub url: String,
    pub port: u16,
    pub database_url: String,
    pub demo_app_key: String,
    pub demo_tour_id: String,
    /// The server's clock: `clock.advance_ms(…)` moves time for the server.
    pub clock: crate::clock::Clock,
    /// The event queue: `ingest.depth()` is how many events wait to be written.
    pub ingest: crate::ingest::Ingest,
    dir: Option<PathBuf>,
    /// The PostgreSQL server and the database created for this test, dropped with it.
    postgres: Option<(String, String)>,
    /// `None` while [`TestServer::stop`]ped.
    handle: Option<actix_web::dev::ServerHandle>,
}

impl TestServer {
    pub async fn spawn() -> anyhow::Result<TestServer> {
        Self::spawn_with(|_| {}).await
    }

    /// A test server with adjusted settings (queue bounds, rate limits).
    pub async fn spawn_with(adjust: impl FnOnce(&mut Settings)) -> anyhow::Result<TestServer> {
        crate::telemetry::init_for_tests();
        let mut postgres = None;
        let (database_url, dir) = match std::env::var("CAIRN_TEST_DATABASE_URL") {
            Ok(base) if !base.is_empty() => {
                let (url, name) = fresh_postgres(&base).await?;
                postgres = Some((base, name));
                (url, None)
            }
            _ => {
                let dir = std::env::temp_dir().join(format!("cairn-test-{}", new_id()));
                std::fs::create_dir_all(&dir)?;
                (
                    format!("sqlite://{}", dir.join("cairn.db").display()),
                    Some(dir),
                )
            }
        };
        let mut settings = settings("127.0.0.1:0", &database_url);
        adjust(&mut settings);
        let app = Application::build(settings).await?;
        let first = app
            .first_run
            .clone()
            .ok_or_else(|| anyhow::anyhow!("the test database was not empty"))?;
        let port = app.port();
        let url = app.public_url.clone();
        let clock = app.clock.clone();
        let ingest = app.ingest();
        let handle = Some(app.handle());
        tokio::spawn(app.run_until_stopped());
        Ok(TestServer {
            handle,
            ingest,
            url,
            port,
            database_url,
            demo_app_key: first.demo_app_key.unwrap_or_default(),
            demo_tour_id: first.demo_tour_id.unwrap_or_default(),
            clock,
            dir,
            postgres,
        })
    }

    /// Stops the server at once, closing its connections, as a crash or an outage would; the
    /// database stays. [`TestServer::restart`] brings it back.
    pub async fn stop(&mut self) {
        if let Some(handle) = self.handle.take() {
            handle.stop(false).await;
        }
    }

    /// Starts the server again on the same port and database (after [`TestServer::stop`]).
    pub async fn restart(&mut self) -> anyhow::Result<()> {
        self.stop().await;
        let addr = format!("127.0.0.1:{}", self.port);
        let app = Application::build(settings(&addr, &self.database_url)).await?;
        self.clock = app.clock.clone();
        self.ingest = app.ingest();
        self.handle = Some(app.handle());
        tokio::spawn(app.run_until_stopped());
        Ok(())
    }

    /// Another instance on this server's database, as a second `cairn serve` behind a load balancer
    /// (scale-out tests).
    pub async fn spawn_instance(&self) -> anyhow::Result<TestServer> {
        let settings = Settings {
            addr: "127.0.0.1:0".into(),
            database_url: self.database_url.clone(),
            outbox_tick_ms: 50,
            ..Settings::default()
        };
        let app = Application::build(settings).await?;
        let (port, url, clock) = (app.port(), app.public_url.clone(), app.clock.clone());
        let ingest = app.ingest();
        let handle = app.handle();
        tokio::spawn(app.run_until_stopped());
        Ok(TestServer {
            url,
            port,
            database_url: self.database_url.clone(),
            demo_app_key: self.demo_app_key.clone(),
            demo_tour_id: self.demo_tour_id.clone(),
            clock,
            ingest,
            dir: None,
            postgres: None,
            handle: Some(handle),
        })
    }

    /// A second connection to the server's database, to arrange what the API cannot (a second
    /// organisation) or to check what it wrote.
    pub async fn db(&self) -> anyhow::Result<Db> {
        Ok(Db::connect(&self.database_url).await?)
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(dir) = &self.dir {
            let _ = std::fs::remove_dir_all(dir);
        }
        // Otherwise every test run leaves its databases on the shared server. The test's runtime
        // may be shutting down, so the drop runs on a runtime of its own; FORCE ends the
        // connections the stopped server's pool still holds.
        if let Some((base, name)) = self.postgres.take() {
            let dropped = std::thread::spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()?;
                runtime
                    .block_on(async {
                        let mut conn = sqlx::AnyConnection::connect(&base).await?;
                        let drop = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
                        sqlx::query(sqlx::AssertSqlSafe(drop))
                            .execute(&mut conn)
                            .await?;
                        conn.close().await?;
                        anyhow::Ok(())
                    })
                    .map_err(|e| anyhow::anyhow!("could not drop the test database {name}: {e}"))
            })
            .join();
            if let Ok(Err(e)) = dropped {
                eprintln!("{e}");
            }
        }
    }
}

fn settings(addr: &str, database_url: &str) -> Settings {
    Settings {
        addr: addr.into(),
        database_url: database_url.into(),
        admin_email: TEST_ADMIN_EMAIL.into(),
        admin_password: Some(Secret::new(TEST_ADMIN_PASSWORD)),
        outbox_tick_ms: 50,
        ..Settings::default()
    }
}

/// Creates an empty database on the server `base` points at and returns its URL and name.
async fn fresh_postgres(base: &str) -> anyhow::Result<(String, String)> {
    sqlx::any::install_default_drivers();
    let name = format!("cairn_test_{}", new_id());
    let mut conn = sqlx::AnyConnection::connect(base).await?;
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut conn)
        .await?;
    conn.close().await?;
    let (without_query, query) = base
        .split_once('?')
        .map_or((base, None), |(a, q)| (a, Some(q)));
    let prefix = without_query
        .rsplit_once('/')
        .map_or(without_query, |(p, _)| p);
    let url = match query {
        Some(q) => format!("{prefix}/{name}?{q}"),
        None => format!("{prefix}/{name}"),
    };
    Ok((url, name))
}
