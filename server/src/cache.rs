//! In-memory caches in front of the overlay endpoints: application by public key, and each
//! application's published content serialised once, with its ETag. Publishing invalidates the
//! application's entry and rebuilds it at once (an invalidation from another instance or from an
//! application's settings leaves the rebuild to the next overlay request).

use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::sync::{Arc, RwLock};

use cairn_shared::api::{OverlayContent, PublishedChecklist, PublishedTooltip, PublishedTour};
use cairn_shared::content::ContentKind;
use sha2::{Digest, Sha256};

use crate::db::Db;
use crate::error::ApiError;
use crate::metrics::METRICS;
use crate::store::{self, apps::App};

/// A ready-to-send overlay content body.
pub struct CachedContent {
    pub body: Vec<u8>,
    pub etag: String,
}

#[derive(Default)]
pub struct Caches {
    apps: RwLock<HashMap<String, Arc<App>>>,
    content: RwLock<HashMap<String, Arc<CachedContent>>>,
    /// Bumped by every content invalidation. A build that started before one may have read the
    /// database before the publish committed, so it is served but not cached.
    generation: std::sync::atomic::AtomicU64,
    /// Tells the other instances (`crate::cluster`) what this one invalidated.
    announcer: std::sync::OnceLock<tokio::sync::mpsc::UnboundedSender<String>>,
}

impl Caches {
    /// The application with this public key. Unknown keys are not cached, so random keys cannot
    /// grow memory.
    pub async fn app_by_key(&self, db: &Db, key: &str) -> Result<Option<Arc<App>>, ApiError> {
        if let Some(app) = self.apps.read().ok().and_then(|m| m.get(key).cloned()) {
            METRICS.cache_hit("app", true);
            return Ok(Some(app));
        }
        METRICS.cache_hit("app", false);
        let Some(app) = store::apps::by_public_key(db, key).await? else {
            return Ok(None);
        };
        let app = Arc::new(app);
        if let Ok(mut m) = self.apps.write() {
            m.insert(key.to_string(), app.clone());
        }
        Ok(Some(app))
    }

    pub async fn content(&self, db: &Db, app: &App) -> Result<Arc<CachedContent>, ApiError> {
        if let Some(c) = self
            .content
            .read()
            .ok()
            .and_then(|m| m.get(&app.id).cloned())
        {
            return Ok(c);
        }
        let started = self.generation.load(Ordering::SeqCst);
        let built = Arc::new(build_content(db, app).await?);
        if let Ok(mut m) = self.content.write()
            // Checked under the lock that invalidations take, so none slips in between.
            && self.generation.load(Ordering::SeqCst) == started
        {
            m.insert(app.id.clone(), built.clone());
        }
        Ok(built)
    }

    /// Forget an application (and its content) after its settings changed, here and on every instance.
    pub fn invalidate_app(&self, public_key: &str, app_id: &str) {
        self.forget_app(public_key, app_id);
        self.announce(format!("app:{app_id}:{public_key}"));
    }

    /// Forget an application's content after a publish, here and on every instance.
    pub fn invalidate_content(&self, app_id: &str) {
        self.forget_content(app_id);
        self.announce(format!("content:{app_id}"));
    }

    fn forget_app(&self, public_key: &str, app_id: &str) {
        if let Ok(mut m) = self.apps.write() {
            m.remove(public_key);
        }
        self.forget_content(app_id);
    }

    fn forget_content(&self, app_id: &str) {
        if let Ok(mut m) = self.content.write() {
            self.generation.fetch_add(1, Ordering::SeqCst);
            m.remove(app_id);
        }
    }

    fn announce(&self, message: String) {
        if let Some(tx) = self.announcer.get() {
            let _ = tx.send(message);
        }
    }

    pub fn set_announcer(&self, tx: tokio::sync::mpsc::UnboundedSender<String>) {
        let _ = self.announcer.set(tx);
    }

    /// What another instance announced (see `invalidate_*`).
    pub fn apply_announcement(&self, message: &str) {
        if let Some(app_id) = message.strip_prefix("content:") {
            self.forget_content(app_id);
        } else if let Some((app_id, key)) =
            message.strip_prefix("app:").and_then(|m| m.split_once(':'))
        {
            self.forget_app(key, app_id);
        }
    }

    pub fn clear_content(&self) {
        if let Ok(mut m) = self.content.write() {
            self.generation.fetch_add(1, Ordering::SeqCst);
            m.clear();
        }
    }

    pub fn clear_all(&self) {
        if let Ok(mut m) = self.apps.write() {
            m.clear();
        }
        self.clear_content();
    }
}

async fn build_content(db: &Db, app: &App) -> Result<CachedContent, ApiError> {
    let mut content = OverlayContent {
        app_name: app.name.clone(),
        categories: app.categories.clone(),
        require_verified_identity: app.require_verified_identity,
        ..OverlayContent::default()
    };
    for row in store::content::published_for_app(db, &app.id).await? {
        let version = u32::try_from(row.version).unwrap_or(u32::MAX);
        match row.kind {
            ContentKind::Tour => content.tours.push(PublishedTour {
                id: row.id,
                version,
                doc: serde_json::from_str(&row.document)?,
            }),
            ContentKind::Tooltip => content.tooltips.push(PublishedTooltip {
                id: row.id,
                version,
                doc: serde_json::from_str(&row.document)?,
            }),
            ContentKind::Checklist => content.checklists.push(PublishedChecklist {
                id: row.id,
                version,
                doc: serde_json::from_str(&row.document)?,
            }),
        }
    }
    let body = serde_json::to_vec(&content)?;
    let etag = format!("\"{}\"", &hex::encode(Sha256::digest(&body))[..32]);
    Ok(CachedContent { body, etag })
}
