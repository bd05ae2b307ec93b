//! Raw events and the rollups derived from them. The ingestion writer inserts a batch of events with
//! `ON CONFLICT DO NOTHING … RETURNING` and folds only the rows that came back into a [`Delta`], which
//! it upserts additively in the same transaction: a duplicate id is never counted twice, and two
//! instances writing at once simply add up. `rebuild` replays the retained raw events through the same
//! [`Delta`], so a re-roll gives exactly what incremental maintenance gave.
//!
//! Step totals and elements not found are kept at three grains (blocks of 1, 8 and 64 days aligned on
//! multiples of the grain): a report over any day range sums the few blocks [`blocks`] covers it with,
//! so its cost depends on the number of steps, not on the number of days (nor of events).

use std::collections::{BTreeMap, HashMap};

use cairn_shared::reports::day_of_ms;
use cairn_shared::sketch::bucket_of;
use sqlx::{AnyConnection, Row};

use crate::db::{Backend, Db};

/// The kind the server records when a ticket is filed from the overlay (not an overlay event kind).
pub const TICKET_FILED: &str = "ticket_filed";

/// Block lengths in days, finest first. Each is a multiple of the previous one.
pub const GRAINS: [i64; 3] = [1, 8, 64];

/// A day range as at most five runs of aligned blocks, `(grain, first block start, last block start)`:
/// days up to the first 8-aligned day, 8-day blocks up to the first 64-aligned day, 64-day blocks,
/// then 8-day blocks and days again. Unused runs are empty (`first > last`), so every query has the
/// same shape. A 90-day range is at most 29 blocks per step (typically about 15).
pub fn blocks(from_day: i64, to_day: i64) -> [(i64, i64, i64); 5] {
    let mut runs: Vec<(i64, i64, i64)> = Vec::with_capacity(5);
    let mut day = from_day;
    while day <= to_day {
        let grain = GRAINS
            .iter()
            .rev()
            .copied()
            .find(|g| day.rem_euclid(*g) == 0 && day + g - 1 <= to_day)
            .unwrap_or(1);
        match runs.last_mut() {
            Some(run) if run.0 == grain => run.2 = day,
            _ => runs.push((grain, day, day)),
        }
        day += grain;
    }
    let mut out = [(1, 0, -1); 5];
    for (slot, run) in out.iter_mut().zip(runs) {
        *slot = run;
    }
    out
}

/// The rows of `table` in the blocks of [`blocks`] for the organisation `$1`, as a derived table
/// `blocks` (a `UNION ALL` of one primary-key range per run: an `OR` of the runs would make SQLite
/// scan every block of the organisation), with the fifteen parameters (grain, first, last for each
/// run) from `$first` on.
pub fn blocks_sql(table: &str, first: usize) -> String {
    let runs: Vec<String> = (0..5)
        .map(|i| {
            let p = first + 3 * i;
            format!(
                "SELECT * FROM {table} WHERE org_id = $1 AND grain = ${p} AND start_day >= ${} AND start_day <= ${}",
                p + 1,
                p + 2
            )
        })
        .collect();
    format!("({}) AS blocks", runs.join(" UNION ALL "))
}

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

/// Counter columns of `step_totals`, in order.
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

/// Counter columns of `segment_totals`, in order.
const SEGMENT_COUNTERS: [&str; 4] = ["views", "completions", "dismissals", "tickets"];

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

/// The segment counter of a step counter, if segments count it.
fn segment_counter(counter: usize) -> Option<usize> {
    match counter {
        0 => Some(0),
        2 => Some(1),
        3 => Some(2),
        6 => Some(3),
        _ => None,
    }
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

/// Segment dimensions, in the order of [`RawEvent`]'s fields.
pub const DIMENSIONS: [&str; 4] = ["role", "department", "proficiency", "locale"];

/// (org, grain, block start, content, step, version).
type StepKey = (String, i64, i64, String, String, i64);
/// (org, content, dimension, day, value, version).
type SegmentKey = (String, String, &'static str, i64, String, i64);
/// (org, content, day, step, version, bucket).
type DurationKey = (String, String, i64, String, i64, i64);
/// (org, grain, block start, content, step, browser).
type NotFoundKey = (String, i64, i64, String, String, String);

/// What a set of newly inserted events adds to the rollups, summed per key so a flush upserts each
/// key once. Ordered maps: every writer upserts keys in the same order, so concurrent transactions on
/// PostgreSQL cannot deadlock on each other's rows.
#[derive(Debug)]
pub struct Delta {
    /// Grains maintained here; a re-roll keeps days only and derives the coarser grains in SQL.
    grains: &'static [i64],
    steps: BTreeMap<StepKey, (i64, [i64; 9])>,
    segments: BTreeMap<SegmentKey, [i64; 4]>,
    durations: BTreeMap<DurationKey, i64>,
    not_found: BTreeMap<NotFoundKey, (i64, i64)>,
}

impl Default for Delta {
    fn default() -> Self {
        Delta {
            grains: &GRAINS,
            steps: BTreeMap::new(),
            segments: BTreeMap::new(),
            durations: BTreeMap::new(),
            not_found: BTreeMap::new(),
        }
    }
}

fn segment(v: &Option<String>) -> String {
    v.clone().unwrap_or_default()
}

impl Delta {
    /// A delta of day rows only (for a re-roll).
    fn days_only() -> Self {
        Delta {
            grains: &GRAINS[..1],
            ..Delta::default()
        }
    }

    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }

    /// Keys held (rows the next `apply` upserts).
    pub fn len(&self) -> usize {
        self.steps.len() + self.segments.len() + self.durations.len() + self.not_found.len()
    }

    pub fn add(&mut self, e: &RawEvent) {
        let Some(counter) = counter_of(e.kind) else {
            return;
        };
        let step = e.step_id.clone().unwrap_or_default();
        let day = day_of_ms(e.occurred_at);
        let index = e.step_index.unwrap_or(0);
        for &grain in self.grains {
            let start = day - day.rem_euclid(grain);
            let row = self
                .steps
                .entry((
                    e.org_id.clone(),
                    grain,
                    start,
                    e.content_id.clone(),
                    step.clone(),
                    e.version,
                ))
                .or_insert((index, [0; 9]));
            row.1[counter] += 1;
        }
        // One row per dimension and value: segments are compared one attribute at a time, so the
        // cross product is never stored.
        if let Some(sc) = segment_counter(counter) {
            let values = [&e.role, &e.department, &e.proficiency, &e.locale];
            for (dimension, value) in DIMENSIONS.into_iter().zip(values) {
                self.segments
                    .entry((
                        e.org_id.clone(),
                        e.content_id.clone(),
                        dimension,
                        day,
                        segment(value),
                        e.version,
                    ))
                    .or_insert([0; 4])[sc] += 1;
            }
        }
        if let Some(ms) = e.duration_ms {
            let bucket = i64::from(bucket_of(u32::try_from(ms.max(0)).unwrap_or(u32::MAX)));
            *self
                .durations
                .entry((
                    e.org_id.clone(),
                    e.content_id.clone(),
                    day,
                    step.clone(),
                    e.version,
                    bucket,
                ))
                .or_default() += 1;
        }
        if e.kind == "element_not_found" {
            let browser = e.browser.clone().unwrap_or_else(|| "other".into());
            for &grain in self.grains {
                let start = day - day.rem_euclid(grain);
                self.not_found
                    .entry((
                        e.org_id.clone(),
                        grain,
                        start,
                        e.content_id.clone(),
                        step.clone(),
                        browser.clone(),
                    ))
                    .or_insert((index, 0))
                    .1 += 1;
            }
        }
    }

    /// Upserts everything, adding to what is there.
    pub async fn apply(
        &self,
        backend: Backend,
        conn: &mut AnyConnection,
    ) -> Result<(), sqlx::Error> {
        let steps: Vec<_> = self.steps.iter().collect();
        for chunk in cacheable_chunks(&steps) {
            let sql = upsert_sql(
                backend,
                "step_totals (org_id, grain, start_day, content_id, step_id, version, step_index, views, advances, completions, dismissals, not_found, stuck_opened, tickets, deflections_offered, deflections)",
                16,
                chunk.len(),
                "org_id, grain, start_day, content_id, step_id, version",
                &COUNTERS
                    .map(|c| format!("{c} = step_totals.{c} + excluded.{c}"))
                    .join(", "),
            );
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for (k, (index, c)) in chunk {
                q = q
                    .bind(&k.0)
                    .bind(k.1)
                    .bind(k.2)
                    .bind(&k.3)
                    .bind(&k.4)
                    .bind(k.5)
                    .bind(*index);
                for n in c {
                    q = q.bind(*n);
                }
            }
            q.execute(&mut *conn).await?;
        }
        let segments: Vec<_> = self.segments.iter().collect();
        for chunk in cacheable_chunks(&segments) {
            let sql = upsert_sql(
                backend,
                "segment_totals (org_id, content_id, dimension, day, value, version, views, completions, dismissals, tickets)",
                10,
                chunk.len(),
                "org_id, content_id, dimension, day, value, version",
                &SEGMENT_COUNTERS
                    .map(|c| format!("{c} = segment_totals.{c} + excluded.{c}"))
                    .join(", "),
            );
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for (k, c) in chunk {
                q = q
                    .bind(&k.0)
                    .bind(&k.1)
                    .bind(k.2)
                    .bind(k.3)
                    .bind(&k.4)
                    .bind(k.5);
                for n in *c {
                    q = q.bind(*n);
                }
            }
            q.execute(&mut *conn).await?;
        }
        let durations: Vec<_> = self.durations.iter().collect();
        for chunk in cacheable_chunks(&durations) {
            let sql = upsert_sql(
                backend,
                "duration_totals (org_id, content_id, day, step_id, version, bucket, n)",
                7,
                chunk.len(),
                "org_id, content_id, day, step_id, version, bucket",
                "n = duration_totals.n + excluded.n",
            );
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for (k, n) in chunk {
                q = q
                    .bind(&k.0)
                    .bind(&k.1)
                    .bind(k.2)
                    .bind(&k.3)
                    .bind(k.4)
                    .bind(k.5)
                    .bind(**n);
            }
            q.execute(&mut *conn).await?;
        }
        let not_found: Vec<_> = self.not_found.iter().collect();
        for chunk in cacheable_chunks(&not_found) {
            let sql = upsert_sql(
                backend,
                "not_found_totals (org_id, grain, start_day, content_id, step_id, browser, step_index, n)",
                8,
                chunk.len(),
                "org_id, grain, start_day, content_id, step_id, browser",
                "n = not_found_totals.n + excluded.n",
            );
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for (k, (index, n)) in chunk {
                q = q
                    .bind(&k.0)
                    .bind(k.1)
                    .bind(k.2)
                    .bind(&k.3)
                    .bind(&k.4)
                    .bind(&k.5)
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

/// Inserts events (already de-duplicated within the batch); returns, for each, whether it was new
/// (`RETURNING` names the rows actually inserted: the others were already there).
pub async fn insert_events(
    backend: Backend,
    conn: &mut AnyConnection,
    events: &[&RawEvent],
) -> Result<Vec<bool>, sqlx::Error> {
    let mut inserted = vec![false; events.len()];
    let mut start = 0;
    for chunk in cacheable_chunks(events) {
        let c0 = start;
        start += chunk.len();
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
        let rows = q.fetch_all(&mut *conn).await?;
        let position: HashMap<(&str, &str), usize> = chunk
            .iter()
            .enumerate()
            .map(|(i, e)| ((e.app_id.as_str(), e.id.as_str()), c0 + i))
            .collect();
        for row in &rows {
            let key: (&str, &str) = (row.try_get(0)?, row.try_get(1)?);
            if let Some(&i) = position.get(&key) {
                inserted[i] = true;
            }
        }
    }
    Ok(inserted)
}

/// Rows per multi-row statement at most (a power of two).
const CHUNK_ROWS: usize = 512;

/// `items` in slices of [`CHUNK_ROWS`], then the rest in power-of-two slices (512 + 256 + …): a
/// statement's text depends on its row count only, so with few distinct counts every flush reuses
/// the prepared statements of the connection's cache instead of compiling new ones, each as long as
/// its rows.
fn cacheable_chunks<T>(items: &[T]) -> impl Iterator<Item = &[T]> {
    let mut rest = items;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let n = if rest.len() >= CHUNK_ROWS {
            CHUNK_ROWS
        } else {
            1 << rest.len().ilog2()
        };
        let (chunk, tail) = rest.split_at(n);
        rest = tail;
        Some(chunk)
    })
}

/// Replayed events summed in memory before an upsert, at most (keys).
const REPLAY_KEYS: usize = 400_000;

/// Re-derives the rollups of the days from `from_day` on (all organisations) from the raw events, in
/// one transaction. Day rows are replayed from the events; the 8- and 64-day blocks from the first
/// 64-aligned day before `from_day` on are then summed again from the day rows (which still hold the
/// days before `from_day`, whose raw events may be gone). On PostgreSQL the rollup tables are locked
/// for it, so a live writer waits instead of adding to rows being rebuilt. Returns the number of
/// events replayed.
pub async fn rebuild(db: &Db, from_day: i64) -> Result<u64, sqlx::Error> {
    let coarse_from = from_day - from_day.rem_euclid(GRAINS[GRAINS.len() - 1]);
    let mut tx = db.begin_write().await?;
    if db.backend == Backend::Postgres {
        sqlx::query(
            "LOCK TABLE step_totals, segment_totals, duration_totals, not_found_totals IN EXCLUSIVE MODE",
        )
        .execute(&mut *tx)
        .await?;
    }
    for (sql, day) in [
        (
            "DELETE FROM step_totals WHERE grain = 1 AND start_day >= $1",
            from_day,
        ),
        (
            "DELETE FROM step_totals WHERE grain > 1 AND start_day >= $1",
            coarse_from,
        ),
        (
            "DELETE FROM not_found_totals WHERE grain = 1 AND start_day >= $1",
            from_day,
        ),
        (
            "DELETE FROM not_found_totals WHERE grain > 1 AND start_day >= $1",
            coarse_from,
        ),
        ("DELETE FROM segment_totals WHERE day >= $1", from_day),
        ("DELETE FROM duration_totals WHERE day >= $1", from_day),
    ] {
        sqlx::query(sql).bind(day).execute(&mut *tx).await?;
    }
    let from_ms = from_day * 86_400_000;
    // Keyset pages over the primary key keep memory flat whatever the volume; the row-value
    // comparison lets both databases seek into the key instead of rescanning from the start.
    let (mut after_app, mut after_id) = (String::new(), String::new());
    let mut replayed = 0;
    let mut delta = Delta::days_only();
    loop {
        let rows = sqlx::query(concat!(
            "SELECT app_id, id, org_id, kind, content_id, step_id, step_index, version, occurred_at, role, department, proficiency, locale, browser, duration_ms",
            " FROM events WHERE (app_id, id) > ($1, $2) ORDER BY app_id, id LIMIT 20000"
        ))
        .bind(&after_app)
        .bind(&after_id)
        .fetch_all(&mut *tx)
        .await?;
        let Some(last) = rows.last() else { break };
        after_app = last.try_get(0)?;
        after_id = last.try_get(1)?;
        for r in &rows {
            // Filtered here: in the WHERE clause, SQLite would walk the time index and sort.
            let occurred_at: i64 = r.try_get(8)?;
            if occurred_at < from_ms {
                continue;
            }
            replayed += 1;
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
                occurred_at,
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
        if delta.len() >= REPLAY_KEYS {
            delta.apply(db.backend, &mut tx).await?;
            delta = Delta::days_only();
        }
    }
    delta.apply(db.backend, &mut tx).await?;
    derive_coarse(&mut tx, coarse_from).await?;
    tx.commit().await?;
    Ok(replayed)
}

/// Sums the day rows from `from_day` (64-aligned) on into the 8- and 64-day blocks.
async fn derive_coarse(conn: &mut AnyConnection, from_day: i64) -> Result<(), sqlx::Error> {
    let sums = COUNTERS
        .map(|c| format!("CAST(SUM({c}) AS BIGINT)"))
        .join(", ");
    for grain in &GRAINS[1..] {
        let steps = format!(
            "INSERT INTO step_totals SELECT org_id, {grain}, (start_day / {grain}) * {grain}, content_id, step_id, version, MAX(step_index), {sums}
             FROM step_totals WHERE grain = 1 AND start_day >= $1
             GROUP BY org_id, (start_day / {grain}) * {grain}, content_id, step_id, version"
        );
        sqlx::query(sqlx::AssertSqlSafe(steps))
            .bind(from_day)
            .execute(&mut *conn)
            .await?;
        let not_found = format!(
            "INSERT INTO not_found_totals SELECT org_id, {grain}, (start_day / {grain}) * {grain}, content_id, step_id, browser, MAX(step_index), CAST(SUM(n) AS BIGINT)
             FROM not_found_totals WHERE grain = 1 AND start_day >= $1
             GROUP BY org_id, (start_day / {grain}) * {grain}, content_id, step_id, browser"
        );
        sqlx::query(sqlx::AssertSqlSafe(not_found))
            .bind(from_day)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
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
    fn chunks_cover_everything_in_few_distinct_sizes() {
        for n in [0, 1, 2, 3, 511, 512, 513, 1000, 4321] {
            let items: Vec<usize> = (0..n).collect();
            let chunks: Vec<&[usize]> = cacheable_chunks(&items).collect();
            assert_eq!(chunks.concat(), items, "{n}");
            assert!(
                chunks
                    .iter()
                    .all(|c| c.len().is_power_of_two() && c.len() <= CHUNK_ROWS)
            );
        }
        let sizes: Vec<usize> = cacheable_chunks(&[0u8; 1300]).map(<[u8]>::len).collect();
        assert_eq!(sizes, vec![512, 512, 256, 16, 4]);
    }

    #[test]
    fn placeholders_are_numbered_row_by_row() {
        assert_eq!(placeholders(Backend::Postgres, 2, 2), "($1,$2),($3,$4)");
        assert_eq!(placeholders(Backend::Sqlite, 2, 2), "(?,?),(?,?)");
    }

    /// Every day of the range is in exactly one block, and no day outside it.
    #[test]
    fn blocks_cover_a_range_exactly_once() {
        for from in [0, 1, 7, 8, 63, 64, 65, 20_000, 20_419] {
            for len in [1, 2, 7, 8, 9, 30, 63, 64, 65, 90, 129, 400] {
                let to = from + len - 1;
                let runs = blocks(from, to);
                let mut days = Vec::new();
                for (grain, first, last) in runs {
                    let mut start = first;
                    while start <= last {
                        assert_eq!(start.rem_euclid(grain), 0, "aligned");
                        days.extend(start..start + grain);
                        start += grain;
                    }
                }
                days.sort_unstable();
                assert_eq!(days, (from..=to).collect::<Vec<_>>(), "{from}+{len}");
                let n: i64 = runs
                    .iter()
                    .map(|(g, a, b)| if a > b { 0 } else { (b - a) / g + 1 })
                    .sum();
                if len == 90 {
                    assert!(n <= 29, "{n} blocks for 90 days");
                }
            }
        }
    }

    #[test]
    fn an_event_counts_at_every_grain_and_in_each_segment() {
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
            occurred_at: 70 * 86_400_000 + 1,
            received_at: 0,
            role: Some("buyer".into()),
            department: None,
            proficiency: None,
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
        let starts: Vec<(i64, i64)> = d.steps.keys().map(|k| (k.1, k.2)).collect();
        assert_eq!(starts, vec![(1, 70), (8, 64), (64, 64)]);
        assert!(d.steps.values().all(|(i, c)| *i == 2 && c[4] == 1));
        assert!(d.segments.is_empty(), "not found is not a segment counter");
        d.add(&RawEvent {
            kind: "step_viewed",
            ..e.clone()
        });
        let segments: Vec<(&str, &str)> = d.segments.keys().map(|k| (k.2, k.4.as_str())).collect();
        assert_eq!(
            segments,
            vec![
                ("department", ""),
                ("locale", ""),
                ("proficiency", ""),
                ("role", "buyer")
            ]
        );
        assert_eq!(d.durations.values().sum::<i64>(), 2);
        assert_eq!(d.not_found.len(), 3);
        assert_eq!(
            d.not_found.keys().next().map(|k| k.5.as_str()),
            Some("other")
        );
    }
}
