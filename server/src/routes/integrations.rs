//! Integrations of an organisation (signed webhooks and help-desk connectors) and the log of their
//! deliveries, with a manual retry for dead-lettered ones.

use actix_web::{HttpResponse, get, patch, post, web};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa::ToSchema;

use crate::auth::{self, CurrentUser};
use crate::db::new_id;
use crate::error::ApiError;
use crate::integrations::Kind;
use crate::roles::Permission;
use crate::startup::AppState;
use crate::store::{self, outbox::Integration};

#[derive(Debug, Deserialize, ToSchema)]
pub struct NewIntegration {
    pub kind: Kind,
    pub name: String,
    /// Per kind: webhook `url`; servicenow `instance_url`, `username`, `password`; jira `base_url`,
    /// `email`, `api_token`, `service_desk_id`, `request_type_id`; zendesk `base_url`, `email`,
    /// `api_token`; zammad `base_url`, `token`, `group`, `customer`; freshservice `base_url`, `api_key`,
    /// `requester_email`.
    #[schema(value_type = Object)]
    pub config: Value,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct IntegrationView {
    pub id: String,
    pub kind: Kind,
    pub name: String,
    /// The configuration with secrets masked.
    #[schema(value_type = Object)]
    pub config: Value,
    pub enabled: bool,
    pub created_at: i64,
    /// The webhook signing secret: only in the answer to its creation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signing_secret: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct IntegrationUpdate {
    pub enabled: bool,
}

pub use cairn_shared::deliveries::DeliveryView;

const SECRET_KEYS: [&str; 4] = ["password", "api_token", "token", "api_key"];

fn masked(config: &Value) -> Value {
    match config {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| {
                    (
                        k.clone(),
                        if SECRET_KEYS.contains(&k.as_str()) {
                            json!("••••••")
                        } else {
                            v.clone()
                        },
                    )
                })
                .collect(),
        ),
        other => other.clone(),
    }
}

fn view(i: Integration, signing_secret: Option<String>) -> IntegrationView {
    IntegrationView {
        config: masked(&i.config),
        id: i.id,
        kind: i.kind,
        name: i.name,
        enabled: i.enabled,
        created_at: i.created_at,
        signing_secret,
    }
}

/// Adds an integration; new tickets are delivered to it from now on.
#[utoipa::path(tag = "integrations", request_body = NewIntegration, responses((status = 201, body = IntegrationView),
    (status = 403, body = cairn_shared::api::ErrorBody), (status = 422, body = cairn_shared::api::ErrorBody)))]
#[post("/integrations")]
pub async fn create_integration(
    state: web::Data<AppState>,
    user: CurrentUser,
    body: web::Json<NewIntegration>,
) -> Result<HttpResponse, ApiError> {
    user.require(Permission::ManageApps)?;
    let NewIntegration { kind, name, config } = body.into_inner();
    let missing: Vec<_> = kind
        .required_config()
        .iter()
        .filter(|k| {
            config
                .get(**k)
                .and_then(Value::as_str)
                .is_none_or(|v| v.trim().is_empty())
        })
        .map(|k| json!({ "pointer": format!("/config/{k}"), "message": "required" }))
        .collect();
    let url_key = if kind == Kind::Webhook {
        "url"
    } else if kind == Kind::Servicenow {
        "instance_url"
    } else {
        "base_url"
    };
    let url = config
        .get(url_key)
        .and_then(Value::as_str)
        .unwrap_or_default();
    let mut errors = missing;
    let is_http = url.starts_with("https://") || url.starts_with("http://");
    if !url.is_empty() && !is_http {
        errors.push(
            json!({ "pointer": format!("/config/{url_key}"), "message": "must be an http(s) URL" }),
        );
    }
    if name.trim().is_empty() {
        errors.push(json!({ "pointer": "/name", "message": "required" }));
    }
    if !errors.is_empty() {
        return Err(ApiError::unprocessable(
            "the integration is incomplete",
            json!({ "errors": errors }),
        ));
    }
    let secret = auth::random_token(32);
    let integration = Integration {
        id: new_id(),
        org_id: user.org_id.clone(),
        kind,
        name: name.trim().to_string(),
        config,
        secret: secret.clone(),
        enabled: true,
        created_at: state.clock.now_ms(),
    };
    store::outbox::create_integration(&state.db, &integration).await?;
    let shown = (kind == Kind::Webhook).then_some(secret);
    Ok(HttpResponse::Created().json(view(integration, shown)))
}

/// The organisation's integrations (secrets masked).
#[utoipa::path(tag = "integrations", responses((status = 200, body = [IntegrationView]), (status = 403, body = cairn_shared::api::ErrorBody)))]
#[get("/integrations")]
pub async fn list_integrations(
    state: web::Data<AppState>,
    user: CurrentUser,
) -> Result<web::Json<Vec<IntegrationView>>, ApiError> {
    user.require(Permission::ManageApps)?;
    let list = store::outbox::list_integrations(&state.db, &user.org_id).await?;
    Ok(web::Json(list.into_iter().map(|i| view(i, None)).collect()))
}

/// Turns an integration on or off.
#[utoipa::path(tag = "integrations", request_body = IntegrationUpdate, responses((status = 200, body = IntegrationView), (status = 404, body = cairn_shared::api::ErrorBody)))]
#[patch("/integrations/{id}")]
pub async fn update_integration(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<String>,
    body: web::Json<IntegrationUpdate>,
) -> Result<web::Json<IntegrationView>, ApiError> {
    user.require(Permission::ManageApps)?;
    if !store::outbox::set_enabled(&state.db, &user.org_id, &id, body.enabled).await? {
        return Err(ApiError::NotFound("integration"));
    }
    let i = store::outbox::get_integration(&state.db, &user.org_id, &id)
        .await?
        .ok_or(ApiError::NotFound("integration"))?;
    Ok(web::Json(view(i, None)))
}

fn delivery_view(d: store::outbox::Delivery) -> DeliveryView {
    DeliveryView {
        id: d.id,
        integration_id: d.integration_id,
        ticket_id: d.ticket_id,
        event: d.event,
        status: d.status,
        attempts: d.attempts,
        next_attempt_at: d.next_attempt_at,
        last_status: d.last_status,
        last_error: d.last_error,
        external_id: d.external_id,
        external_url: d.external_url,
        created_at: d.created_at,
        delivered_at: d.delivered_at,
    }
}

/// The latest deliveries (200), newest first: pending, delivered and dead.
#[utoipa::path(tag = "integrations", responses((status = 200, body = [DeliveryView]), (status = 403, body = cairn_shared::api::ErrorBody)))]
#[get("/deliveries")]
pub async fn list_deliveries(
    state: web::Data<AppState>,
    user: CurrentUser,
) -> Result<web::Json<Vec<DeliveryView>>, ApiError> {
    user.require(Permission::ManageApps)?;
    let rows = store::outbox::deliveries(&state.db, &user.org_id, None, 200).await?;
    Ok(web::Json(rows.into_iter().map(delivery_view).collect()))
}

/// Puts a dead-lettered delivery back in the queue.
#[utoipa::path(tag = "integrations", responses((status = 204), (status = 404, body = cairn_shared::api::ErrorBody)))]
#[post("/deliveries/{id}/retry")]
pub async fn retry_delivery(
    state: web::Data<AppState>,
    user: CurrentUser,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    user.require(Permission::ManageApps)?;
    if !store::outbox::retry(&state.db, &user.org_id, &id, state.clock.now_ms()).await? {
        return Err(ApiError::NotFound("dead delivery"));
    }
    Ok(HttpResponse::NoContent().finish())
}
