//! Raw events and the rollups derived from them. The ingestion writer inserts a batch of events with
//! `ON CONFLICT DO NOTHING … RETURNING` and folds only the rows that came back into a [`Delta`], which
//! it upserts additively in the same transaction: a duplicate id is never counted twice, and two
//! instances writing at once simply add up. `rebuild` replays the retained raw events through the same
//! [`Delta`], so a re-roll gives exactly what incremental maintenance gave.
//!
//! Step totals and elements not found are kept at three grains (blocks of 1, 8 and 64 days aligned on
//! multiples of the grain): a report over any day range sums the few blocks [`blocks`] covers it with,
//! so its cost depends on the number of steps, not on the number of days (nor of events).

use std::collections::HashMap;

use foldhash::fast::RandomState;

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

impl RawEvent {
    /// Its values in the order of [`EVENT_COLUMNS`].
    pub fn cells(&self) -> [Cell<'_>; 18] {
        [
            Cell::text(&self.app_id),
            Cell::text(&self.id),
            Cell::text(&self.org_id),
            Cell::text(self.kind),
            Cell::text(&self.content_id),
            Cell::Text(self.step_id.as_deref()),
            Cell::Int(self.step_index),
            Cell::int(self.version),
            Cell::text(&self.page_url),
            Cell::int(self.occurred_at),
            Cell::int(self.received_at),
            Cell::Text(self.role.as_deref()),
            Cell::Text(self.department.as_deref()),
            Cell::Text(self.proficiency.as_deref()),
            Cell::Text(self.locale.as_deref()),
            Cell::Text(self.browser.as_deref()),
            Cell::Int(self.duration_ms),
            Cell::Text(self.failed_strategies.as_deref()),
        ]
    }
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

/// Keys hold names as [`Names`] ids: hashing and comparing a few integers per key instead of
/// cloning and comparing strings made summing a flush several times cheaper.
type Id = u32;
/// (org, grain, block start, content, step, version).
type StepKey = (Id, i64, i64, Id, Id, i64);
/// (org, content, dimension, day, value, version).
type SegmentKey = (Id, Id, &'static str, i64, Id, i64);
/// (org, content, day, step, version, bucket).
type DurationKey = (Id, Id, i64, Id, i64, i64);
/// (org, grain, block start, content, step, browser).
type NotFoundKey = (Id, i64, i64, Id, Id, Id);

/// The delta's hash maps: foldhash (seeded per process) hashes these short keys several times
/// faster than the standard SipHash, the bulk of summing a flush.
type FastMap<K, V> = HashMap<K, V, RandomState>;

/// The strings of a delta's keys, each stored once.
#[derive(Debug, Default)]
struct Names {
    ids: FastMap<String, Id>,
    names: Vec<String>,
}

impl Names {
    fn id(&mut self, name: &str) -> Id {
        if let Some(&id) = self.ids.get(name) {
            return id;
        }
        let id = self.names.len() as Id;
        self.names.push(name.to_string());
        self.ids.insert(name.to_string(), id);
        id
    }

    fn name(&self, id: Id) -> &str {
        &self.names[id as usize]
    }

    /// Each id's position among the names in string order: sorting keys by ranks sorts them as
    /// by their strings.
    fn ranks(&self) -> Vec<u32> {
        let mut order: Vec<Id> = (0..self.names.len() as Id).collect();
        order.sort_unstable_by_key(|&id| self.name(id));
        let mut rank = vec![0; order.len()];
        for (r, id) in order.into_iter().enumerate() {
            rank[id as usize] = r as u32;
        }
        rank
    }
}

/// What a set of newly inserted events adds to the rollups, summed per key so a flush upserts each
/// key once. [`Delta::rows`] yields the keys in one order for every writer (by their strings), so
/// concurrent transactions on PostgreSQL cannot deadlock on each other's rows.
#[derive(Debug)]
pub struct Delta {
    /// Grains maintained here; a re-roll keeps days only and derives the coarser grains in SQL.
    grains: &'static [i64],
    names: Names,
    steps: FastMap<StepKey, (i64, [i64; 9])>,
    segments: FastMap<SegmentKey, [i64; 4]>,
    durations: FastMap<DurationKey, i64>,
    not_found: FastMap<NotFoundKey, (i64, i64)>,
}

impl Default for Delta {
    fn default() -> Self {
        Delta {
            grains: &GRAINS,
            names: Names::default(),
            steps: FastMap::default(),
            segments: FastMap::default(),
            durations: FastMap::default(),
            not_found: FastMap::default(),
        }
    }
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

    /// Counts an event.
    pub fn add(&mut self, e: &RawEvent) {
        self.count(e, 1);
    }

    /// Takes back an event that was counted (one found a duplicate after all).
    pub fn remove(&mut self, e: &RawEvent) {
        self.count(e, -1);
    }

    fn count(&mut self, e: &RawEvent, n: i64) {
        let Some(counter) = counter_of(e.kind) else {
            return;
        };
        let org = self.names.id(&e.org_id);
        let content = self.names.id(&e.content_id);
        let step = self.names.id(e.step_id.as_deref().unwrap_or_default());
        let day = day_of_ms(e.occurred_at);
        let index = e.step_index.unwrap_or(0);
        for &grain in self.grains {
            let start = day - day.rem_euclid(grain);
            let row = self
                .steps
                .entry((org, grain, start, content, step, e.version))
                .or_insert((index, [0; 9]));
            row.1[counter] += n;
        }
        // One row per dimension and value: segments are compared one attribute at a time, so the
        // cross product is never stored.
        if let Some(sc) = segment_counter(counter) {
            let values = [&e.role, &e.department, &e.proficiency, &e.locale];
            for (dimension, value) in DIMENSIONS.into_iter().zip(values) {
                let value = self.names.id(value.as_deref().unwrap_or_default());
                self.segments
                    .entry((org, content, dimension, day, value, e.version))
                    .or_insert([0; 4])[sc] += n;
            }
        }
        if let Some(ms) = e.duration_ms {
            let bucket = i64::from(bucket_of(u32::try_from(ms.max(0)).unwrap_or(u32::MAX)));
            *self
                .durations
                .entry((org, content, day, step, e.version, bucket))
                .or_default() += n;
        }
        if e.kind == "element_not_found" {
            let browser = self.names.id(e.browser.as_deref().unwrap_or("other"));
            for &grain in self.grains {
                let start = day - day.rem_euclid(grain);
                self.not_found
                    .entry((org, grain, start, content, step, browser))
                    .or_insert((index, 0))
                    .1 += n;
            }
        }
    }

    /// The rows to upsert, table by table, in key order: each table's bound values, `table.cols`
    /// per row.
    pub fn rows(&self) -> [(Table, Vec<Cell<'_>>); 4] {
        let rank = self.names.ranks();
        let r = |id: Id| rank[id as usize];
        let name = |id: Id| Cell::text(self.names.name(id));

        let mut steps = Vec::with_capacity(self.steps.len() * STEP_TOTALS.cols);
        let adds = |(_, c): &(i64, [i64; 9])| c.iter().any(|n| *n != 0);
        let order = |k: &StepKey| (r(k.0), k.1, k.2, r(k.3), r(k.4), k.5);
        for (k, (index, c)) in sorted(&self.steps, adds, order) {
            steps.extend([
                name(k.0),
                Cell::int(k.1),
                Cell::int(k.2),
                name(k.3),
                name(k.4),
                Cell::int(k.5),
                Cell::int(*index),
            ]);
            steps.extend(c.iter().map(|n| Cell::int(*n)));
        }
        let mut segments = Vec::with_capacity(self.segments.len() * SEGMENT_TOTALS.cols);
        let adds = |c: &[i64; 4]| c.iter().any(|n| *n != 0);
        let order = |k: &SegmentKey| (r(k.0), r(k.1), k.2, k.3, r(k.4), k.5);
        for (k, c) in sorted(&self.segments, adds, order) {
            segments.extend([
                name(k.0),
                name(k.1),
                Cell::text(k.2),
                Cell::int(k.3),
                name(k.4),
                Cell::int(k.5),
            ]);
            segments.extend(c.iter().map(|n| Cell::int(*n)));
        }
        let mut durations = Vec::with_capacity(self.durations.len() * DURATION_TOTALS.cols);
        let order = |k: &DurationKey| (r(k.0), r(k.1), k.2, r(k.3), k.4, k.5);
        for (k, n) in sorted(&self.durations, |n| *n != 0, order) {
            durations.extend([
                name(k.0),
                name(k.1),
                Cell::int(k.2),
                name(k.3),
                Cell::int(k.4),
                Cell::int(k.5),
                Cell::int(*n),
            ]);
        }
        let mut not_found = Vec::with_capacity(self.not_found.len() * NOT_FOUND_TOTALS.cols);
        let order = |k: &NotFoundKey| (r(k.0), k.1, k.2, r(k.3), r(k.4), r(k.5));
        for (k, (index, n)) in sorted(&self.not_found, |v| v.1 != 0, order) {
            not_found.extend([
                name(k.0),
                Cell::int(k.1),
                Cell::int(k.2),
                name(k.3),
                name(k.4),
                name(k.5),
                Cell::int(*index),
                Cell::int(*n),
            ]);
        }
        [
            (STEP_TOTALS, steps),
            (SEGMENT_TOTALS, segments),
            (DURATION_TOTALS, durations),
            (NOT_FOUND_TOTALS, not_found),
        ]
    }

    /// Upserts everything, adding to what is there, in multi-row statements.
    pub async fn apply(
        &self,
        backend: Backend,
        conn: &mut AnyConnection,
    ) -> Result<(), sqlx::Error> {
        for (table, cells) in self.rows() {
            let rows: Vec<&[Cell]> = cells.chunks(table.cols).collect();
            for chunk in cacheable_chunks(&rows) {
                let mut q =
                    sqlx::query(sqlx::AssertSqlSafe(table.upsert_sql(backend, chunk.len())));
                for row in chunk {
                    q = bind(q, row);
                }
                q.execute(&mut *conn).await?;
            }
        }
        Ok(())
    }
}

/// The entries of `map` that add something (keys whose events all turned out duplicates, taken back
/// with `remove`, are not upserted), sorted by `order`.
fn sorted<K, V, O: Ord>(
    map: &FastMap<K, V>,
    adds: impl Fn(&V) -> bool,
    order: impl Fn(&K) -> O,
) -> Vec<(&K, &V)> {
    let mut entries: Vec<_> = map.iter().filter(|(_, v)| adds(v)).collect();
    entries.sort_unstable_by_key(|(k, _)| order(k));
    entries
}

/// A value bound to a statement, so one description of a row serves both drivers (sqlx's for
/// every backend, the native SQLite writer's in `crate::ingest`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Cell<'a> {
    Text(Option<&'a str>),
    Int(Option<i64>),
}

impl<'a> Cell<'a> {
    fn text(s: &'a str) -> Self {
        Cell::Text(Some(s))
    }

    fn int(n: i64) -> Self {
        Cell::Int(Some(n))
    }
}

type AnyQuery<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>;

fn bind<'q>(mut q: AnyQuery<'q>, row: &[Cell<'q>]) -> AnyQuery<'q> {
    for cell in row {
        q = match *cell {
            Cell::Text(s) => q.bind(s),
            Cell::Int(n) => q.bind(n),
        };
    }
    q
}

/// A rollup table: its columns and key, for additive upserts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Table {
    /// `name (columns…)`.
    into: &'static str,
    pub cols: usize,
    key: &'static str,
    /// `col = name.col + excluded.col, …`.
    set: &'static str,
}

const STEP_TOTALS: Table = Table {
    into: "step_totals (org_id, grain, start_day, content_id, step_id, version, step_index, views, advances, completions, dismissals, not_found, stuck_opened, tickets, deflections_offered, deflections)",
    cols: 16,
    key: "org_id, grain, start_day, content_id, step_id, version",
    set: "views = step_totals.views + excluded.views, advances = step_totals.advances + excluded.advances, completions = step_totals.completions + excluded.completions, dismissals = step_totals.dismissals + excluded.dismissals, not_found = step_totals.not_found + excluded.not_found, stuck_opened = step_totals.stuck_opened + excluded.stuck_opened, tickets = step_totals.tickets + excluded.tickets, deflections_offered = step_totals.deflections_offered + excluded.deflections_offered, deflections = step_totals.deflections + excluded.deflections",
};

const SEGMENT_TOTALS: Table = Table {
    into: "segment_totals (org_id, content_id, dimension, day, value, version, views, completions, dismissals, tickets)",
    cols: 10,
    key: "org_id, content_id, dimension, day, value, version",
    set: "views = segment_totals.views + excluded.views, completions = segment_totals.completions + excluded.completions, dismissals = segment_totals.dismissals + excluded.dismissals, tickets = segment_totals.tickets + excluded.tickets",
};

const DURATION_TOTALS: Table = Table {
    into: "duration_totals (org_id, content_id, day, step_id, version, bucket, n)",
    cols: 7,
    key: "org_id, content_id, day, step_id, version, bucket",
    set: "n = duration_totals.n + excluded.n",
};

const NOT_FOUND_TOTALS: Table = Table {
    into: "not_found_totals (org_id, grain, start_day, content_id, step_id, browser, step_index, n)",
    cols: 8,
    key: "org_id, grain, start_day, content_id, step_id, browser",
    set: "n = not_found_totals.n + excluded.n",
};

impl Table {
    /// `INSERT INTO table VALUES (…), … ON CONFLICT (key) DO UPDATE SET …` for `rows` rows: literal
    /// text, only the number of placeholders depends on the batch size.
    pub fn upsert_sql(&self, backend: Backend, rows: usize) -> String {
        format!(
            "INSERT INTO {} VALUES {} ON CONFLICT ({}) DO UPDATE SET {}",
            self.into,
            placeholders(backend, self.cols, rows),
            self.key,
            self.set
        )
    }
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

/// The columns of `events`, in the order of [`RawEvent::cells`].
pub const EVENT_COLUMNS: &str = "app_id, id, org_id, kind, content_id, step_id, step_index, version, page_url, occurred_at, received_at, role, department, proficiency, locale, browser, duration_ms, failed_strategies";

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
            q = bind(q, &e.cells());
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

    /// Each table's column list has `cols` columns, and every column outside the key is added to.
    #[test]
    fn upserts_add_every_counter() {
        for table in [
            STEP_TOTALS,
            SEGMENT_TOTALS,
            DURATION_TOTALS,
            NOT_FOUND_TOTALS,
        ] {
            let (name, cols) = table.into.split_once(" (").expect("name (columns)");
            let cols: Vec<&str> = cols.trim_end_matches(')').split(", ").collect();
            assert_eq!(cols.len(), table.cols, "{name}");
            let key: Vec<&str> = table.key.split(", ").collect();
            for c in cols
                .iter()
                .filter(|c| !key.contains(c) && **c != "step_index")
            {
                let add = format!("{c} = {name}.{c} + excluded.{c}");
                assert!(table.set.contains(&add), "{name}: {add}");
            }
            assert_eq!(
                table.set.matches(" = ").count(),
                cols.len() - key.len() - usize::from(cols.contains(&"step_index")),
                "{name}"
            );
        }
        let d = Delta::default();
        assert!(d.rows().iter().all(|(_, cells)| cells.is_empty()));
    }

    /// Taking an event back leaves what the others counted, and no row for a key only it had.
    #[test]
    fn a_removed_event_leaves_no_trace() {
        let e = RawEvent {
            app_id: "a".into(),
            id: "e1".into(),
            org_id: "o".into(),
            kind: "element_not_found",
            content_id: "t".into(),
            step_id: Some("s".into()),
            step_index: Some(0),
            version: 1,
            page_url: String::new(),
            occurred_at: 0,
            received_at: 0,
            role: Some("buyer".into()),
            department: None,
            proficiency: None,
            locale: None,
            browser: None,
            duration_ms: Some(10),
            failed_strategies: None,
        };
        let view = RawEvent {
            kind: "step_viewed",
            duration_ms: None,
            ..e.clone()
        };
        let mut both = Delta::default();
        both.add(&e);
        both.add(&view);
        both.remove(&e);
        let mut view_only = Delta::default();
        view_only.add(&view);
        assert_eq!(both.rows(), view_only.rows());
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
        let [(_, steps), (_, segments), (_, durations), (_, not_found)] = d.rows();
        let starts: Vec<(Cell, Cell)> = steps.chunks(16).map(|r| (r[1], r[2])).collect();
        let at = |grain, start| (Cell::int(grain), Cell::int(start));
        assert_eq!(starts, vec![at(1, 70), at(8, 64), at(64, 64)]);
        assert!(
            steps
                .chunks(16)
                .all(|r| r[6] == Cell::int(2) && r[11] == Cell::int(1))
        );
        assert!(segments.is_empty(), "not found is not a segment counter");
        assert_eq!(durations[6], Cell::int(1));
        assert_eq!(not_found.len(), 3 * 8);
        assert_eq!(not_found[5], Cell::text("other"));
        d.add(&RawEvent {
            kind: "step_viewed",
            ..e.clone()
        });
        let [(_, _), (_, segments), (_, durations_after), _] = d.rows();
        let segments: Vec<(Cell, Cell)> = segments.chunks(10).map(|r| (r[2], r[4])).collect();
        let seg = |d, v| (Cell::text(d), Cell::text(v));
        assert_eq!(
            segments,
            vec![
                seg("department", ""),
                seg("locale", ""),
                seg("proficiency", ""),
                seg("role", "buyer")
            ]
        );
        assert_eq!(durations_after[6], Cell::int(2));
        // A step row: the key, the step index, then the counters (one not found, one view).
        let [(_, steps), ..] = d.rows();
        assert_eq!(steps[..3], [Cell::text("o"), Cell::int(1), Cell::int(70)]);
        assert_eq!(steps[6..9], [Cell::int(2), Cell::int(1), Cell::int(0)]);
        assert_eq!(steps[11], Cell::int(1));
    }
}
