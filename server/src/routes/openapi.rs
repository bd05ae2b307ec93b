//! The OpenAPI 3 document. Paths come from the routes as they are registered (utoipa-actix-web), so
//! the document cannot list a route the server lacks or miss one it has.

use actix_web::{HttpResponse, get, web};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(title = "Cairn API", description = "Management, overlay delivery, events, tickets and analytics of Cairn."),
    components(schemas(cairn_shared::api::ErrorBody)),
    modifiers(&Security)
)]
pub struct ApiDoc;

struct Security;

impl Modify for Security {
    fn modify(&self, api: &mut utoipa::openapi::OpenApi) {
        let components = api.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new(
                crate::auth::SESSION_COOKIE,
            ))),
        );
        components.add_security_scheme(
            "app_key",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::new(
                cairn_shared::APP_KEY_HEADER,
            ))),
        );
    }
}

/// The finished document, served as JSON text.
pub struct OpenApiJson(pub String);

pub fn finish(api: utoipa::openapi::OpenApi) -> OpenApiJson {
    OpenApiJson(api.to_json().unwrap_or_else(|_| "{}".into()))
}

/// This document.
#[utoipa::path(tag = "operations", responses((status = 200, description = "The OpenAPI 3 document", content_type = "application/json")))]
#[get("/openapi.json")]
pub async fn openapi_json(doc: web::Data<OpenApiJson>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(doc.0.clone())
}
