//! The database: one `sqlx::AnyPool` over SQLite (embedded default) or PostgreSQL, chosen by URL, with
//! one migrations folder per backend. Queries are written once, in the SQL both dialects share
//! (`$1` parameters, `ON CONFLICT … DO NOTHING`, BIGINT timestamps in milliseconds).

use std::path::{Path, PathBuf};
use std::str::FromStr;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Executor};

/// Performance settings of every SQLite connection, the pool's and the ingestion writer's.
pub const SQLITE_TUNING: [&str; 4] = [
    "PRAGMA synchronous = NORMAL",
    // 64 MiB of page cache per connection: rollup upserts touch B-tree pages all over the table,
    // and the 2 MiB default sends them to the kernel.
    "PRAGMA cache_size = -65536",
    // Statement journals (every multi-row upsert opens one) and sorts stay in memory instead of
    // temporary files.
    "PRAGMA temp_store = MEMORY",
    // Reads map the file instead of copying pages through read().
    "PRAGMA mmap_size = 1073741824",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Debug, Clone)]
pub struct Db {
    pub pool: AnyPool,
    pub backend: Backend,
    /// The URL connected to (PostgreSQL's LISTEN needs a connection of its own).
    pub url: String,
    /// The SQLite database file (not for `:memory:`), which the ingestion writer opens natively.
    pub sqlite_file: Option<PathBuf>,
}

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("unsupported database URL {0:?}: use sqlite://PATH or postgres://…")]
    UnsupportedUrl(String),
    #[error("cannot create the database folder {0}: {1}")]
    CreateDir(String, std::io::Error),
    #[error(transparent)]
    Sqlx(#[from] sqlx::Error),
    #[error(transparent)]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

impl Db {
    pub async fn connect(url: &str) -> Result<Db, DbError> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            return Err(DbError::UnsupportedUrl(url.to_string()));
        };
        let (url, sqlite_file) = match backend {
            Backend::Sqlite => sqlite_url(url)?,
            Backend::Postgres => (url.to_string(), None),
        };
        let options = AnyConnectOptions::from_str(&url)?;
        let pool = AnyPoolOptions::new()
            .max_connections(match backend {
                Backend::Sqlite => 8,
                Backend::Postgres => 16,
            })
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        // WAL lets readers proceed during a write; the timeout queues writers
                        // instead of failing them.
                        conn.execute("PRAGMA journal_mode = WAL").await?;
                        conn.execute("PRAGMA busy_timeout = 5000").await?;
                        conn.execute("PRAGMA foreign_keys = ON").await?;
                        for pragma in SQLITE_TUNING {
                            conn.execute(pragma).await?;
                        }
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await?;
        Ok(Db {
            pool,
            backend,
            url,
            sqlite_file,
        })
    }

    /// A transaction that will write. On SQLite it takes the write lock at `BEGIN IMMEDIATE`: a
    /// deferred transaction that reads first and writes second fails at once with `SQLITE_BUSY`
    /// when another connection committed in between (the busy timeout does not cover that upgrade).
    pub async fn begin_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>, sqlx::Error> {
        match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await,
            Backend::Postgres => self.pool.begin().await,
        }
    }

    pub async fn migrate(&self) -> Result<(), DbError> {
        match self.backend {
            Backend::Sqlite => {
                sqlx::migrate!("./migrations/sqlite")
                    .run(&self.pool)
                    .await?
            }
            Backend::Postgres => {
                sqlx::migrate!("./migrations/postgres")
                    .run(&self.pool)
                    .await?
            }
        }
        Ok(())
    }
}

/// Creates the database file's folder and asks SQLite to create the file; returns the URL to connect
/// to and the file (none for an in-memory database).
fn sqlite_url(url: &str) -> Result<(String, Option<PathBuf>), DbError> {
    let path = url
        .trim_start_matches("sqlite://")
        .trim_start_matches("sqlite:");
    let (file, query) = path.split_once('?').unwrap_or((path, ""));
    if file != ":memory:"
        && let Some(parent) = Path::new(file)
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
    {
        std::fs::create_dir_all(parent)
            .map_err(|e| DbError::CreateDir(parent.display().to_string(), e))?;
    }
    let mode = if query.contains("mode=") {
        String::new()
    } else {
        "mode=rwc".to_string()
    };
    let sep = if query.is_empty() || mode.is_empty() {
        ""
    } else {
        "&"
    };
    let path = (file != ":memory:" && !query.contains("mode=memory")).then(|| PathBuf::from(file));
    Ok((format!("sqlite://{file}?{query}{sep}{mode}"), path))
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// A new random identifier (UUID v4, simple form).
pub fn new_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}
