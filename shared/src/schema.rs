//! The JSON Schema (draft 2020-12) of each content document, generated from the Rust types so the two
//! cannot drift. Versioned: a change that old documents would fail is a new version.

use serde_json::Value;

use crate::content::{Checklist, ContentKind, Tooltip, Tour};

/// The schema version documents are written against.
pub const SCHEMA_VERSION: u32 = 1;

/// The file name of a kind's schema, e.g. `tour.v1.json`.
pub fn file_name(kind: ContentKind) -> String {
    format!("{}.v{SCHEMA_VERSION}.json", kind.as_str())
}

/// The schema of a kind of document, with its `$id` under `/api/v1/schema/`.
pub fn document_schema(kind: ContentKind) -> Value {
    let schema = match kind {
        ContentKind::Tour => schemars::schema_for!(Tour),
        ContentKind::Tooltip => schemars::schema_for!(Tooltip),
        ContentKind::Checklist => schemars::schema_for!(Checklist),
    };
    let mut value = schema.to_value();
    if let Some(obj) = value.as_object_mut() {
        obj.insert(
            "$id".into(),
            Value::String(format!("/api/v1/schema/{}", file_name(kind))),
        );
    }
    value
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schemas_are_draft_2020_12_with_ids() {
        for kind in [
            ContentKind::Tour,
            ContentKind::Tooltip,
            ContentKind::Checklist,
        ] {
            let s = document_schema(kind);
            assert_eq!(s["$schema"], "https://json-schema.org/draft/2020-12/schema");
            assert_eq!(
                s["$id"],
                format!("/api/v1/schema/{}.v1.json", kind.as_str())
            );
            assert_eq!(s["type"], "object");
        }
    }

    #[test]
    fn tour_schema_requires_title_and_steps() {
        let s = document_schema(ContentKind::Tour);
        let required: Vec<&str> = s["required"]
            .as_array()
            .expect("required")
            .iter()
            .filter_map(|v| v.as_str())
            .collect();
        assert!(
            required.contains(&"title") && required.contains(&"steps"),
            "{required:?}"
        );
    }

    #[test]
    fn checklist_event_names_have_the_rust_rule_as_pattern() {
        let s = document_schema(ContentKind::Checklist);
        let item = &s["$defs"]["ChecklistItem"]["properties"]["done_on_event"];
        assert_eq!(item["pattern"], "^[A-Za-z0-9_.:-]{1,64}$", "{item}");
        let required = s["$defs"]["ChecklistItem"]["required"].to_string();
        assert!(!required.contains("done_on_event"), "{required}");
    }
}
