//! Validating content documents against their JSON Schema (generated in `cairn_shared::schema`) on
//! every write, reporting every error with its JSON pointer; and serving the schemas.

use std::collections::HashMap;
use std::sync::LazyLock;

use actix_web::{HttpResponse, get, web};
use cairn_shared::content::{ContentKind, DocumentError};
use cairn_shared::schema::{document_schema, file_name};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use crate::error::ApiError;

const KINDS: [ContentKind; 3] = [
    ContentKind::Tour,
    ContentKind::Tooltip,
    ContentKind::Checklist,
];

static VALIDATORS: LazyLock<HashMap<ContentKind, jsonschema::Validator>> =
    LazyLock::new(|| {
        KINDS
        .into_iter()
        .filter_map(|kind| match jsonschema::validator_for(&document_schema(kind)) {
            Ok(v) => Some((kind, v)),
            Err(e) => {
                tracing::error!(kind = kind.as_str(), error = %e, "invalid generated schema");
                None
            }
        })
        .collect()
    });

/// Every schema error of `document`, pointers prefixed with `prefix` (where the document sits in the
/// request body).
pub fn schema_errors(kind: ContentKind, document: &Value, prefix: &str) -> Vec<DocumentError> {
    let Some(validator) = VALIDATORS.get(&kind) else {
        return vec![DocumentError {
            pointer: prefix.to_string(),
            message: "no schema for this kind".into(),
        }];
    };
    validator
        .iter_errors(document)
        .map(|e| DocumentError {
            pointer: format!("{prefix}{}", e.instance_path().as_str()),
            message: e.to_string(),
        })
        .collect()
}

/// Schema-checks `document` and parses it; 422 listing every error otherwise.
pub fn parse_document<T: DeserializeOwned>(
    kind: ContentKind,
    document: Value,
    prefix: &str,
) -> Result<T, ApiError> {
    let errors = schema_errors(kind, &document, prefix);
    if !errors.is_empty() {
        return Err(invalid(errors));
    }
    serde_json::from_value(document).map_err(|e| {
        invalid(vec![DocumentError {
            pointer: prefix.to_string(),
            message: e.to_string(),
        }])
    })
}

/// The 422 for a document with problems.
pub fn invalid(errors: Vec<DocumentError>) -> ApiError {
    ApiError::unprocessable(
        format!("the document has {} problem(s)", errors.len()),
        json!({ "errors": errors }),
    )
}

/// The JSON Schema of a content document: `tour.v1.json`, `tooltip.v1.json`, `checklist.v1.json`.
#[utoipa::path(tag = "schema", responses((status = 200, description = "JSON Schema (draft 2020-12)", content_type = "application/schema+json"),
    (status = 404, body = cairn_shared::api::ErrorBody)))]
#[get("/schema/{file}")]
pub async fn get_schema(file: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let kind = KINDS
        .into_iter()
        .find(|k| file_name(*k) == *file)
        .ok_or(ApiError::NotFound("schema"))?;
    Ok(HttpResponse::Ok()
        .content_type("application/schema+json")
        .json(document_schema(kind)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_every_error_with_its_pointer() {
        let doc = json!({ "title": "", "steps": [ { "id": "a", "title": 3 }, { "title": "x" } ], "extra": true });
        let pointers: Vec<String> = schema_errors(ContentKind::Tour, &doc, "/document")
            .into_iter()
            .map(|e| e.pointer)
            .collect();
        assert!(
            pointers.contains(&"/document/title".to_string()),
            "{pointers:?}"
        );
        assert!(
            pointers.contains(&"/document/steps/0/title".to_string()),
            "{pointers:?}"
        );
        assert!(
            pointers.contains(&"/document/steps/1".to_string()),
            "{pointers:?}"
        );
    }

    #[test]
    fn the_demo_tour_passes() {
        let doc = serde_json::to_value(crate::seed::demo_tour()).expect("serialises");
        assert!(schema_errors(ContentKind::Tour, &doc, "").is_empty());
    }
}
