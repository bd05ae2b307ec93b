//! HTTP routes. Each handler carries `#[utoipa::path]`, and routes are registered through
//! `utoipa_actix_web`, so `/api/v1/openapi.json` lists exactly the routes the server serves.

pub mod analytics;
pub mod apps;
pub mod auth;
pub mod author;
pub mod checklists;
pub mod documents;
pub mod health;
pub mod integrations;
pub mod openapi;
pub mod overlay;
pub mod preview;
pub mod reports;
pub mod tickets;
pub mod tokens;
pub mod tooltips;
pub mod tours;
pub mod translations;
pub mod users;
pub mod versions;

use utoipa_actix_web::service_config::ServiceConfig;

/// Everything under `/api/v1`.
pub fn configure(cfg: &mut ServiceConfig) {
    tooltips::configure(cfg);
    checklists::configure(cfg);
    cfg.service(openapi::openapi_json)
        .service(crate::schema::get_schema)
        .service(auth::login)
        .service(auth::logout)
        .service(auth::me)
        .service(apps::list_apps)
        .service(apps::update_app)
        .service(apps::identity_secret)
        .service(tours::list_tours)
        .service(tours::create_tour)
        .service(tours::get_tour)
        .service(tours::update_tour)
        .service(tours::publish_tour)
        .service(preview::create_preview)
        .service(translations::export_xliff)
        .service(translations::import_xliff)
        .service(author::author_link)
        .service(author::get_draft)
        .service(author::put_draft)
        .service(versions::list_versions)
        .service(versions::get_version)
        .service(versions::diff)
        .service(versions::rollback)
        .service(author::tooltip_author_link)
        .service(author::get_tooltip)
        .service(author::put_tooltip)
        .service(tokens::create_token)
        .service(tokens::list_tokens)
        .service(tokens::revoke_token)
        .service(integrations::create_integration)
        .service(integrations::list_integrations)
        .service(integrations::update_integration)
        .service(integrations::list_deliveries)
        .service(integrations::retry_delivery)
        .service(tickets::list_tickets)
        .service(tickets::sla_policy)
        .service(tickets::get_ticket)
        .service(tickets::update_ticket)
        .service(tickets::add_entry)
        .service(tickets::escalate)
        .service(users::list_users)
        .service(analytics::tour_steps)
        .service(reports::funnel)
        .service(reports::ranking)
        .service(reports::trend)
        .service(reports::segments)
        .service(reports::deflection)
        .service(reports::not_found)
        .service(reports::alerts)
        .service(author::author_link)
        .service(author::get_draft)
        .service(author::put_draft)
        .service(
            utoipa_actix_web::scope("/overlay")
                .app_data(
                    actix_web::web::JsonConfig::default()
                        .limit(overlay::MAX_OVERLAY_BODY)
                        .error_handler(crate::error::json_error),
                )
                .service(overlay::content)
                .service(overlay::events)
                .service(overlay::file_ticket)
                .service(overlay::my_tickets),
        );
}
