//! Differences between two JSON documents as a list of changes located by JSON pointer: what the
//! version history shows between two versions of a tour.

use serde_json::Value;

use crate::api::Change;

/// Changes that turn `before` into `after`. Objects are compared key by key, arrays index by index.
pub fn diff(before: &Value, after: &Value) -> Vec<Change> {
    let mut out = Vec::new();
    walk(before, after, String::new(), &mut out);
    out
}

fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

fn walk(a: &Value, b: &Value, pointer: String, out: &mut Vec<Change>) {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let mut keys: Vec<&String> = x
                .keys()
                .chain(y.keys().filter(|k| !x.contains_key(*k)))
                .collect();
            keys.sort();
            for k in keys {
                let p = format!("{pointer}/{}", escape(k));
                match (x.get(k), y.get(k)) {
                    (Some(va), Some(vb)) => walk(va, vb, p, out),
                    (Some(va), None) => out.push(change(p, "removed", Some(va), None)),
                    (None, Some(vb)) => out.push(change(p, "added", None, Some(vb))),
                    (None, None) => {}
                }
            }
        }
        (Value::Array(x), Value::Array(y)) => {
            for i in 0..x.len().max(y.len()) {
                let p = format!("{pointer}/{i}");
                match (x.get(i), y.get(i)) {
                    (Some(va), Some(vb)) => walk(va, vb, p, out),
                    (Some(va), None) => out.push(change(p, "removed", Some(va), None)),
                    (None, Some(vb)) => out.push(change(p, "added", None, Some(vb))),
                    (None, None) => {}
                }
            }
        }
        _ if a != b => out.push(change(pointer, "changed", Some(a), Some(b))),
        _ => {}
    }
}

fn change(pointer: String, op: &str, before: Option<&Value>, after: Option<&Value>) -> Change {
    Change {
        pointer,
        op: op.to_string(),
        before: before.cloned(),
        after: after.cloned(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn reports_changes_additions_and_removals() {
        let a = json!({ "title": "A", "steps": [ { "id": "s1", "title": "One" } ], "gone": 1, "a/b": 1 });
        let b = json!({ "title": "B", "steps": [ { "id": "s1", "title": "One" }, { "id": "s2" } ], "a/b": 2 });
        let changes = diff(&a, &b);
        let summary: Vec<(String, String)> = changes
            .iter()
            .map(|c| (c.pointer.clone(), c.op.clone()))
            .collect();
        assert_eq!(
            summary,
            [
                ("/a~1b".to_string(), "changed".to_string()),
                ("/gone".to_string(), "removed".to_string()),
                ("/steps/1".to_string(), "added".to_string()),
                ("/title".to_string(), "changed".to_string()),
            ]
        );
        assert_eq!(changes[3].before, Some(json!("A")));
        assert_eq!(changes[3].after, Some(json!("B")));
    }

    #[test]
    fn identical_documents_have_no_changes() {
        let a = json!({ "x": [1, 2, { "y": null }] });
        assert!(diff(&a, &a).is_empty());
    }
}
