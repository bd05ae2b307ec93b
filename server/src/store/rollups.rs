//! Raw events and the rollups derived from them. The ingestion writer inserts a batch of events with
//! `ON CONFLICT DO NOTHING … RETURNING` and folds only the rows that came back into a [`Delta`], which
//! it upserts additively in the same transaction: a duplicate id is never counted twice, and two
//! instances writing at once simply add up. `rebuild` replays the retained raw events through the same
//! [`Delta`], so a re-roll gives exactly what incremental maintenance gave.

use std::collections::{BTreeMap, HashSet};

use cairn_shared::reports::day_of_ms;
use cairn_shared::sketch::bucket_of;
use sqlx::{AnyConnection, Row};

use crate::db::{Backend, Db};

/// The kind the server records when a ticket is filed from the overlay (not an overlay event kind).
pub const TICKET_FILED: &str = "ticket_filed";
/// Segment value of the row that sums every segment.
pub const ALL: &str = "*";

/// One event as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct RawEvent {
    pub app_id: String,
    pub id: String,
    pub org_id: String,
    pub kind: &'static str,
    pub content_id: String,
    pub step_id: Option<String>,
    pub step_index: Option<i64>,
    pub version: i64,
    pub page_url: String,
    pub occurred_at: i64,
    pub received_at: i64,
    pub role: Option<String>,
    pub department: Option<String>,
    pub proficiency: Option<String>,
    pub locale: Option<String>,
    pub browser: Option<String>,
    pub duration_ms: Option<i64>,
    /// `element_not_found` only: which strategies failed and why (`id:none,css:many`).
    pub failed_strategies: Option<String>,
}

/// Counter columns of `rollups`, in order.
const COUNTERS: [&str; 9] = [
    "views",
    "advances",
    "completions",
    "dismissals",
    "not_found",
    "stuck_opened",
    "tickets",
    "deflections_offered",
    "deflections",
];

/// Which counter an event kind adds to.
fn counter_of(kind: &str) -> Option<usize> {
    Some(match kind {
        "step_viewed" | "tooltip_viewed" => 0,
        "step_advanced" => 1,
        "tour_completed" => 2,
        "tour_dismissed" => 3,
        "element_not_found" => 4,
        "stuck_opened" => 5,
        TICKET_FILED => 6,
        "deflection_offered" => 7,
        "deflection_accepted" => 8,
        _ => return None,
    })
}

/// Every known kind, to turn a stored string back into a `&'static str`.
pub fn static_kind(kind: &str) -> Option<&'static str> {
    [
        "step_viewed",
        "tooltip_viewed",
        "step_advanced",
        "tour_completed",
        "tour_dismissed",
        "element_not_found",
        "stuck_opened",
        TICKET_FILED,
        "deflection_offered",
        "deflection_accepted",
    ]
    .into_iter()
    .find(|k| *k == kind)
}

/// (org, content, step, version, day, role, department, proficiency, locale).
type RollupKey = (
    String,
    String,
    String,
    i64,
    i64,
    String,
    String,
    String,
    String,
);
/// (org, content, step, version, day, bucket).
type DurationKey = (String, String, String, i64, i64, i64);
/// (org, content, step, day, browser).
type NotFoundKey = (String, String, String, i64, String);

/// What a set of newly inserted events adds to the rollups. Ordered maps: every writer upserts keys in
/// the same order, so concurrent transactions on PostgreSQL cannot deadlock on each other's rows.
#[derive(Debug, Default)]
pub struct Delta {
    rows: BTreeMap<RollupKey, (i64, [i64; 9])>,
    durations: BTreeMap<DurationKey, i64>,
    not_found: BTreeMap<NotFoundKey, (i64, i64)>,
}

fn segment(v: &Option<String>) -> String {
    // '*' is reserved for the all-segments row.
    match v.as_deref() {
        Some(ALL) | None => String::new(),
        Some(s) => s.to_string(),
    }
}

impl Delta {
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    pub fn add(&mut self, e: &RawEvent) {
        let Some(counter) = counter_of(e.kind) else {
            return;
        };
        let step = e.step_id.clone().unwrap_or_default();
        let day = day_of_ms(e.occurred_at);
        let index = e.step_index.unwrap_or(0);
        let base = (
            e.org_id.clone(),
            e.content_id.clone(),
            step.clone(),
            e.version,
            day,
        );
        // One row per dimension (its value, '*' elsewhere) and the all-segments row: segments are
        // compared one attribute at a time, so the cross product is never stored and the row count
        // per step and day stays bounded by the number of distinct values.
        let all = || String::from(ALL);
        let keys = [
            (segment(&e.role), all(), all(), all()),
            (all(), segment(&e.department), all(), all()),
            (all(), all(), segment(&e.proficiency), all()),
            (all(), all(), all(), segment(&e.locale)),
            (all(), all(), all(), all()),
        ];
        for (role, department, proficiency, locale) in keys {
            let key = (
                base.0.clone(),
                base.1.clone(),
                base.2.clone(),
                base.3,
                base.4,
                role,
                department,
                proficiency,
                locale,
            );
            let row = self.rows.entry(key).or_insert((index, [0; 9]));
            row.1[counter] += 1;
        }
        if let Some(ms) = e.duration_ms {
            let bucket = i64::from(bucket_of(u32::try_from(ms.max(0)).unwrap_or(u32::MAX)));
            *self
                .durations
                .entry((
                    base.0.clone(),
                    base.1.clone(),
                    step.clone(),
                    e.version,
                    day,
                    bucket,
                ))
                .or_default() += 1;
        }
        if e.kind == "element_not_found" {
            let browser = e.browser.clone().unwrap_or_else(|| "other".into());
            self.not_found
                .entry((base.0, base.1, step, day, browser))
                .or_insert((index, 0))
                .1 += 1;
        }
    }

    /// Upserts everything, adding to what is there.
    pub async fn apply(
        &self,
        backend: Backend,
        conn: &mut AnyConnection,
    ) -> Result<(), sqlx::Error> {
        let rows: Vec<_> = self.rows.iter().collect();
        for chunk in rows.chunks(400) {
            let sql = upsert_sql(
                backend,
                "rollups (org_id, content_id, step_id, version, day, role, department, proficiency, locale, step_index, views, advances, completions, dismissals, not_found, stuck_opened, tickets, deflections_offered, deflections)",
                19,
                chunk.len(),
                "org_id, content_id, step_id, version, day, role, department, proficiency, locale",
                &COUNTERS
                    .map(|c| format!("{c} = rollups.{c} + excluded.{c}"))
                    .join(", "),
            );
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for (k, (index, c)) in chunk {
                q = q
                    .bind(&k.0)
                    .bind(&k.1)
                    .bind(&k.2)
                    .bind(k.3)
                    .bind(k.4)
                    .bind(&k.5)
                    .bind(&k.6)
                    .bind(&k.7)
                    .bind(&k.8)
                    .bind(*index);
                for n in c {
                    q = q.bind(*n);
                }
            }
            q.execute(&mut *conn).await?;
        }
        let durations: Vec<_> = self.durations.iter().collect();
        for chunk in durations.chunks(1000) {
            let sql = upsert_sql(
                backend,
                "rollup_durations (org_id, content_id, step_id, version, day, bucket, n)",
                7,
                chunk.len(),
                "org_id, content_id, step_id, version, day, bucket",
                "n = rollup_durations.n + excluded.n",
            );
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for (k, n) in chunk {
                q = q
                    .bind(&k.0)
                    .bind(&k.1)
                    .bind(&k.2)
                    .bind(k.3)
                    .bind(k.4)
                    .bind(k.5)
                    .bind(**n);
            }
            q.execute(&mut *conn).await?;
        }
        let not_found: Vec<_> = self.not_found.iter().collect();
        for chunk in not_found.chunks(1000) {
            let sql = upsert_sql(
                backend,
                "rollup_not_found (org_id, content_id, step_id, day, browser, step_index, n)",
                7,
                chunk.len(),
                "org_id, content_id, step_id, day, browser",
                "n = rollup_not_found.n + excluded.n",
            );
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for (k, (index, n)) in chunk {
                q = q
                    .bind(&k.0)
                    .bind(&k.1)
                    .bind(&k.2)
                    .bind(k.3)
                    .bind(&k.4)
                    .bind(*index)
                    .bind(*n);
            }
            q.execute(&mut *conn).await?;
        }
        Ok(())
    }
}

/// `INSERT INTO table VALUES ($1, …), … ON CONFLICT (key) DO UPDATE SET …`: literal text, only the
/// number of placeholders depends on the batch size.
fn upsert_sql(
    backend: Backend,
    into: &str,
    cols: usize,
    rows: usize,
    key: &str,
    set: &str,
) -> String {
    format!(
        "INSERT INTO {into} VALUES {} ON CONFLICT ({key}) DO UPDATE SET {set}",
        placeholders(backend, cols, rows)
    )
}

/// `($1,$2),($3,$4)…` for PostgreSQL; anonymous `?` for SQLite, whose numbered-parameter lookup
/// (`sqlite3_bind_parameter_name`) is linear per parameter, i.e. quadratic over a multi-row INSERT.
fn placeholders(backend: Backend, cols: usize, rows: usize) -> String {
    if backend == Backend::Sqlite {
        let row = format!("({})", vec!["?"; cols].join(","));
        return vec![row; rows].join(",");
    }
    let mut s = String::with_capacity(rows * cols * 5);
    for r in 0..rows {
        if r > 0 {
            s.push(',');
        }
        s.push('(');
        for c in 0..cols {
            if c > 0 {
                s.push(',');
            }
            s.push('$');
            s.push_str(&(r * cols + c + 1).to_string());
        }
        s.push(')');
    }
    s
}

const EVENT_COLUMNS: &str = "app_id, id, org_id, kind, content_id, step_id, step_index, version, page_url, occurred_at, received_at, role, department, proficiency, locale, browser, duration_ms, failed_strategies";

/// Inserts events (already de-duplicated within the batch); returns the (app_id, id) of the rows that
/// were new.
pub async fn insert_events(
    backend: Backend,
    conn: &mut AnyConnection,
    events: &[&RawEvent],
) -> Result<HashSet<(String, String)>, sqlx::Error> {
    let mut inserted = HashSet::with_capacity(events.len());
    for chunk in events.chunks(500) {
        let sql = format!(
            "INSERT INTO events ({EVENT_COLUMNS}) VALUES {} ON CONFLICT (app_id, id) DO NOTHING RETURNING app_id, id",
            placeholders(backend, 18, chunk.len())
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for e in chunk {
            q = q
                .bind(&e.app_id)
                .bind(&e.id)
                .bind(&e.org_id)
                .bind(e.kind)
                .bind(&e.content_id)
                .bind(e.step_id.as_deref())
                .bind(e.step_index)
                .bind(e.version)
                .bind(&e.page_url)
                .bind(e.occurred_at)
                .bind(e.received_at)
                .bind(e.role.as_deref())
                .bind(e.department.as_deref())
                .bind(e.proficiency.as_deref())
                .bind(e.locale.as_deref())
                .bind(e.browser.as_deref())
                .bind(e.duration_ms)
                .bind(e.failed_strategies.as_deref());
        }
        for row in q.fetch_all(&mut *conn).await? {
            inserted.insert((row.try_get(0)?, row.try_get(1)?));
        }
    }
    Ok(inserted)
}

/// Re-derives the rollups of the days from `from_day` on (all organisations) from the raw events, in
/// one transaction. On PostgreSQL the rollup tables are locked for it, so a live writer waits instead
/// of adding to rows being rebuilt. Returns the number of events replayed.
pub async fn rebuild(db: &Db, from_day: i64) -> Result<u64, sqlx::Error> {
    let mut tx = db.pool.begin().await?;
    if db.backend == Backend::Postgres {
        sqlx::query("LOCK TABLE rollups, rollup_durations, rollup_not_found IN EXCLUSIVE MODE")
            .execute(&mut *tx)
            .await?;
    }
    for table in [
        "DELETE FROM rollups WHERE day >= $1",
        "DELETE FROM rollup_durations WHERE day >= $1",
        "DELETE FROM rollup_not_found WHERE day >= $1",
    ] {
        sqlx::query(table).bind(from_day).execute(&mut *tx).await?;
    }
    let from_ms = from_day * 86_400_000;
    // Keyset pages over the primary key keep memory flat whatever the volume.
    let (mut after_app, mut after_id) = (String::new(), String::new());
    let mut replayed = 0;
    loop {
        let rows = sqlx::query(concat!(
            "SELECT app_id, id, org_id, kind, content_id, step_id, step_index, version, occurred_at, role, department, proficiency, locale, browser, duration_ms",
            " FROM events WHERE occurred_at >= $1 AND (app_id > $2 OR (app_id = $2 AND id > $3)) ORDER BY app_id, id LIMIT 20000"
        ))
        .bind(from_ms)
        .bind(&after_app)
        .bind(&after_id)
        .fetch_all(&mut *tx)
        .await?;
        let Some(last) = rows.last() else { break };
        after_app = last.try_get(0)?;
        after_id = last.try_get(1)?;
        let mut delta = Delta::default();
        for r in &rows {
            let kind: String = r.try_get(3)?;
            let Some(kind) = static_kind(&kind) else {
                continue;
            };
            delta.add(&RawEvent {
                app_id: String::new(),
                id: String::new(),
                org_id: r.try_get(2)?,
                kind,
                content_id: r.try_get(4)?,
                step_id: r.try_get(5)?,
                step_index: r.try_get(6)?,
                version: r.try_get(7)?,
                page_url: String::new(),
                occurred_at: r.try_get(8)?,
                received_at: 0,
                role: r.try_get(9)?,
                department: r.try_get(10)?,
                proficiency: r.try_get(11)?,
                locale: r.try_get(12)?,
                browser: r.try_get(13)?,
                duration_ms: r.try_get(14)?,
                // Rollups do not count it.
                failed_strategies: None,
            });
        }
        delta.apply(db.backend, &mut tx).await?;
        replayed += rows.len() as u64;
    }
    tx.commit().await?;
    Ok(replayed)
}

/// Deletes raw events older than `retention_days` (their rollups stay). Returns how many.
pub async fn purge_events(db: &Db, now_ms: i64, retention_days: i64) -> Result<u64, sqlx::Error> {
    let cutoff = now_ms - retention_days * 86_400_000;
    let res = sqlx::query("DELETE FROM events WHERE occurred_at < $1")
        .bind(cutoff)
        .execute(&db.pool)
        .await?;
    Ok(res.rows_affected())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_numbered_row_by_row() {
        assert_eq!(placeholders(Backend::Postgres, 2, 2), "($1,$2),($3,$4)");
        assert_eq!(placeholders(Backend::Sqlite, 2, 2), "(?,?),(?,?)");
    }

    #[test]
    fn an_event_counts_in_its_segment_and_in_the_total() {
        let e = RawEvent {
            app_id: "a".into(),
            id: "e1".into(),
            org_id: "o".into(),
            kind: "element_not_found",
            content_id: "t".into(),
            step_id: Some("s".into()),
            step_index: Some(2),
            version: 3,
            page_url: String::new(),
            occurred_at: 86_400_000 + 1,
            received_at: 0,
            role: Some("buyer".into()),
            department: None,
            proficiency: Some("*".into()),
            locale: None,
            browser: None,
            duration_ms: Some(1500),
            failed_strategies: None,
        };
        let mut d = Delta::default();
        d.add(&e);
        d.add(&RawEvent {
            kind: "nonsense",
            ..e.clone()
        });
        assert_eq!(d.rows.len(), 5);
        let role = d.rows.keys().find(|k| k.5 == "buyer").expect("role row");
        assert_eq!((role.4, role.6.as_str()), (1, "*"));
        let proficiency = d.rows.keys().find(|k| k.7.is_empty()).expect("row");
        assert_eq!(proficiency.5, "*", "a '*' value counts as unknown");
        assert!(d.rows.values().all(|(i, c)| *i == 2 && c[4] == 1));
        assert_eq!(d.durations.len(), 1);
        assert_eq!(
            d.not_found.keys().next().map(|k| k.4.as_str()),
            Some("other")
        );
    }
}
