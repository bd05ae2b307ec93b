//! Tours as code: `cairn export DIR` writes every document as a pretty JSON file (one per document,
//! stable key order, git-diffable); `cairn import PATH…` checks every file against its schema first and
//! imports nothing if any is invalid. Export → import → export is byte-identical.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use cairn_shared::content::{Checklist, ContentKind, DocumentError, Tooltip, Tour};
use cairn_shared::schema::file_name;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::db::Db;
use crate::schema::schema_errors;
use crate::store;

/// One exported document file.
#[derive(Debug, Serialize, Deserialize)]
pub struct DocumentFile {
    #[serde(rename = "$schema")]
    pub schema: String,
    pub id: String,
    pub kind: ContentKind,
    pub app_id: String,
    pub document: Value,
}

/// A problem in one file.
#[derive(Debug)]
pub struct FileError {
    pub file: PathBuf,
    pub pointer: String,
    pub message: String,
}

impl fmt::Display for FileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.pointer.is_empty() {
            write!(f, "{}: {}", self.file.display(), self.message)
        } else {
            write!(
                f,
                "{}#{}: {}",
                self.file.display(),
                self.pointer,
                self.message
            )
        }
    }
}

fn pretty(value: &impl Serialize) -> anyhow::Result<String> {
    // serde_json's maps are sorted (no preserve_order), structs keep field order: stable output.
    Ok(serde_json::to_string_pretty(value)? + "\n")
}

/// Writes `DIR/{kind}s/{id}.json` for every document; returns how many.
pub async fn export(db: &Db, dir: &Path) -> anyhow::Result<usize> {
    let rows = store::content::all_for_export(db).await?;
    for row in &rows {
        // Through the typed document, so the file has the canonical shape and key order.
        let document = canonical(row.kind, serde_json::from_str(&row.draft)?)?;
        let file = DocumentFile {
            schema: format!("/api/v1/schema/{}", file_name(row.kind)),
            id: row.id.clone(),
            kind: row.kind,
            app_id: row.app_id.clone(),
            document,
        };
        let folder = dir.join(format!("{}s", row.kind.as_str()));
        std::fs::create_dir_all(&folder)?;
        std::fs::write(
            folder.join(format!("{}.json", safe_file_stem(&row.id))),
            pretty(&file)?,
        )?;
    }
    Ok(rows.len())
}

fn safe_file_stem(id: &str) -> String {
    id.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// The typed round trip of a document: defaults filled, canonical field order.
fn canonical(kind: ContentKind, value: Value) -> Result<Value, serde_json::Error> {
    match kind {
        ContentKind::Tour => serde_json::to_value(serde_json::from_value::<Tour>(value)?),
        ContentKind::Tooltip => serde_json::to_value(serde_json::from_value::<Tooltip>(value)?),
        ContentKind::Checklist => serde_json::to_value(serde_json::from_value::<Checklist>(value)?),
    }
}

/// Every `.json` file under the given files and folders, sorted.
fn collect_files(paths: &[PathBuf]) -> anyhow::Result<Vec<PathBuf>> {
    fn walk(p: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
        if p.is_dir() {
            for entry in std::fs::read_dir(p)? {
                walk(&entry?.path(), out)?;
            }
        } else if p.extension().is_some_and(|e| e == "json") {
            out.push(p.to_path_buf());
        }
        Ok(())
    }
    let mut out = Vec::new();
    for p in paths {
        if !p.exists() {
            anyhow::bail!("{} does not exist", p.display());
        }
        walk(p, &mut out)?;
    }
    out.sort();
    Ok(out)
}

struct Checked {
    file: DocumentFile,
    title: String,
    canonical: String,
    org_id: String,
}

/// Validates every file, then imports them all, or none. Returns how many were created and updated.
pub async fn import(db: &Db, paths: &[PathBuf]) -> Result<(usize, usize), Vec<FileError>> {
    let err = |file: &Path, pointer: &str, message: String| FileError {
        file: file.to_path_buf(),
        pointer: pointer.into(),
        message,
    };
    let files = collect_files(paths).map_err(|e| vec![err(Path::new("."), "", e.to_string())])?;
    let mut errors = Vec::new();
    let mut checked = Vec::new();
    let mut seen: BTreeMap<String, PathBuf> = BTreeMap::new();
    for path in &files {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) => {
                errors.push(err(path, "", e.to_string()));
                continue;
            }
        };
        let file: DocumentFile = match serde_json::from_str(&text) {
            Ok(f) => f,
            Err(e) => {
                errors.push(err(path, "", format!("not a Cairn document file: {e}")));
                continue;
            }
        };
        if let Some(first) = seen.insert(file.id.clone(), path.clone()) {
            errors.push(err(
                path,
                "/id",
                format!("id {} is also used by {}", file.id, first.display()),
            ));
        }
        let mut problems: Vec<DocumentError> =
            schema_errors(file.kind, &file.document, "/document");
        let parsed = canonical(file.kind, file.document.clone());
        if let (ContentKind::Tour, Ok(v)) = (file.kind, &parsed)
            && let Ok(tour) = serde_json::from_value::<Tour>(v.clone())
        {
            problems.extend(tour.validate().into_iter().map(|e| DocumentError {
                pointer: format!("/document{}", e.pointer),
                ..e
            }));
        }
        if problems.is_empty()
            && let Err(e) = &parsed
        {
            problems.push(DocumentError {
                pointer: "/document".into(),
                message: e.to_string(),
            });
        }
        for p in problems {
            errors.push(err(path, &p.pointer, p.message));
        }
        let org_id = match store::apps::org_of(db, &file.app_id).await {
            Ok(Some(org)) => org,
            Ok(None) => {
                errors.push(err(
                    path,
                    "/app_id",
                    format!("no application {} in this database", file.app_id),
                ));
                continue;
            }
            Err(e) => {
                errors.push(err(path, "/app_id", e.to_string()));
                continue;
            }
        };
        match store::content::owner_of(db, &file.id).await {
            Ok(Some((owner, kind))) if owner != org_id || kind != Some(file.kind) => {
                errors.push(err(
                    path,
                    "/id",
                    "this id belongs to another organisation or kind".into(),
                ));
            }
            Err(e) => errors.push(err(path, "/id", e.to_string())),
            _ => {}
        }
        if let Ok(canonical) = parsed {
            let title = canonical
                .get("title")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string();
            checked.push(Checked {
                canonical: canonical.to_string(),
                title,
                org_id,
                file,
            });
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let (mut created, mut updated) = (0, 0);
    for c in checked {
        let f = &c.file;
        let result = match store::content::owner_of(db, &f.id).await {
            Ok(Some(_)) => {
                store::content::update_draft(db, &c.org_id, f.kind, &f.id, &c.title, &c.canonical)
                    .await
                    .map(|_| updated += 1)
            }
            Ok(None) => store::content::create_with_id(
                db,
                &f.id,
                &c.org_id,
                &f.app_id,
                f.kind,
                &c.title,
                &c.canonical,
            )
            .await
            .map(|_| created += 1),
            Err(e) => Err(e),
        };
        if let Err(e) = result {
            return Err(vec![FileError {
                file: PathBuf::from(&f.id),
                pointer: String::new(),
                message: e.to_string(),
            }]);
        }
    }
    Ok((created, updated))
}
