//! Building and running the server: settings → database (migrated, seeded) → actix `HttpServer` bound
//! to a listener whose port is known before it runs (port 0 in tests).

use std::net::TcpListener;

use actix_web::dev::Server;
use actix_web::{App, HttpServer, middleware, web};
use utoipa::OpenApi;
use utoipa_actix_web::AppExt;

use crate::cache::Caches;
use crate::clock::Clock;
use crate::config::Settings;
use crate::db::Db;
use crate::ingest::{Ingest, Writer};
use crate::integrations::worker::Worker;
use crate::rate_limit::Limits;
use crate::rate_limit::RateLimiter;
use crate::signed::SigningKey;
use crate::{error, http, routes, seed, web_assets};

/// What every handler can reach.
pub struct AppState {
    pub db: Db,
    pub caches: Caches,
    pub limits: Limits,
    pub clock: Clock,
    pub public_url: String,
    /// Signs and checks preview and author links.
    pub signing: SigningKey,
    /// The batched event writer's queue.
    pub ingest: Ingest,
}

pub struct Application {
    port: u16,
    server: Server,
    pub public_url: String,
    /// What the first run created (admin login, demo key), to print.
    pub first_run: Option<seed::FirstRun>,
    /// The server's clock; tests move it forward.
    pub clock: Clock,
    ingest: Ingest,
    writer: Writer,
}

impl Application {
    pub async fn build(settings: Settings) -> anyhow::Result<Application> {
        let db = Db::connect(&settings.database_url).await?;
        db.migrate().await?;
        let listener = TcpListener::bind(&settings.addr)
            .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", settings.addr))?;
        let port = listener.local_addr()?.port();
        let public_url = settings.public_url_for_port(port);
        let first_run = seed::first_run(&db, &settings, &public_url).await?;
        let clock = Clock::default();
        // Background jobs: the outbox worker (safe on several instances: it leases rows).
        let worker = Worker::new(db.clone(), clock.clone());
        tokio::spawn(worker.run(std::time::Duration::from_millis(settings.outbox_tick_ms)));
        let signing = SigningKey::load_or_create(&db).await?;
        let (ingest, writer) = Ingest::start(db.clone(), settings.ingest);
        crate::analytics_jobs::spawn(db.clone(), clock.clone(), settings.event_retention_days);
        let mut limits = Limits::default();
        if settings.overlay_rate_per_sec <= 0.0 {
            limits.overlay = RateLimiter::new("overlay", u32::MAX, f64::MAX);
        } else {
            let burst = (settings.overlay_rate_per_sec * 30.0).min(f64::from(u32::MAX)) as u32;
            limits.overlay = RateLimiter::new("overlay", burst, settings.overlay_rate_per_sec);
        }
        let state = web::Data::new(AppState {
            db,
            caches: Caches::default(),
            limits,
            ingest: ingest.clone(),
            clock: clock.clone(),
            public_url: public_url.clone(),
            signing,
        });
        // Other instances on the same PostgreSQL hear about this one's cache invalidations.
        crate::cluster::start(state.clone().into_inner());
        let max_body = settings.max_body_bytes;
        let server = HttpServer::new(move || {
            let (app, api) = App::new()
                .into_utoipa_app()
                .openapi(routes::openapi::ApiDoc::openapi())
                .app_data(state.clone())
                .app_data(
                    web::JsonConfig::default()
                        .limit(max_body)
                        .error_handler(error::json_error),
                )
                .app_data(web::PathConfig::default().error_handler(error::path_error))
                .app_data(web::QueryConfig::default().error_handler(error::query_error))
                .service(routes::health::healthz)
                .service(routes::health::readyz)
                .service(crate::metrics::metrics)
                .service(utoipa_actix_web::scope("/api/v1").configure(routes::configure))
                .split_for_parts();
            let api = web::Data::new(routes::openapi::finish(api));
            app.app_data(api)
                .configure(web_assets::configure)
                .default_service(web::to(error::not_found))
                .wrap(middleware::from_fn(http::cors))
                .wrap(middleware::Compress::default())
                .wrap(middleware::from_fn(http::log_requests))
        })
        .listen(listener)?
        .shutdown_timeout(10)
        .run();
        Ok(Application {
            port,
            server,
            public_url,
            first_run,
            clock,
            ingest,
            writer,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The event queue (tests wait on its depth).
    pub fn ingest(&self) -> Ingest {
        self.ingest.clone()
    }

    /// Runs until SIGINT/SIGTERM, then drains in-flight requests and flushes queued events.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let result = self.server.await;
        self.ingest.shutdown(self.writer).await;
        result
    }

    /// A handle that stops the server as SIGTERM would (tests of graceful shutdown).
    pub fn handle(&self) -> actix_web::dev::ServerHandle {
        self.server.handle()
    }
}
