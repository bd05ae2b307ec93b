//! Report queries over the rollups. Step figures and elements not found sum the fewest aligned blocks
//! of days that cover the period (`rollups::blocks`: at most 29 per step for 90 days, whatever the
//! volume), each run of blocks one range of the primary key (`rollups::blocks_sql`); the segment comparison and time on step
//! read one tour's day rows through the primary key. Sums are cast to BIGINT: PostgreSQL's
//! `SUM(bigint)` is `numeric`.

use std::collections::HashMap;
use std::sync::LazyLock;

use cairn_shared::reports::StepAlert;
use cairn_shared::sketch::DurationSketch;
use sqlx::Row;
use sqlx::any::{Any, AnyArguments};

use crate::db::Db;
use crate::error::ApiError;
use crate::store::rollups;

/// A day range, inclusive, and an optional version (`-1`: every version).
#[derive(Debug, Clone, Copy)]
pub struct Span {
    pub from_day: i64,
    pub to_day: i64,
    pub version: i64,
}

/// Per-step sums.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StepSums {
    pub step_index: i64,
    pub views: i64,
    pub advances: i64,
    pub completions: i64,
    pub dismissals: i64,
    pub not_found: i64,
    pub stuck_opened: i64,
    pub tickets: i64,
}

/// The per-step columns every step query reads.
const STEP_SUMS: &str = "MAX(step_index), CAST(SUM(views) AS BIGINT), CAST(SUM(advances) AS BIGINT),
    CAST(SUM(completions) AS BIGINT), CAST(SUM(dismissals) AS BIGINT), CAST(SUM(not_found) AS BIGINT),
    CAST(SUM(stuck_opened) AS BIGINT), CAST(SUM(tickets) AS BIGINT)";

/// Query text reading `{steps}` or `{not_found}` as the blocks of [`rollups::blocks`] (parameters
/// from `$first` on), built once per query (the text depends only on literals).
macro_rules! blocks_query {
    ($first:literal, $fmt:literal) => {{
        static SQL: LazyLock<String> = LazyLock::new(|| {
            $fmt.replace("{sums}", STEP_SUMS)
                .replace("{steps}", &rollups::blocks_sql("step_totals", $first))
                .replace(
                    "{not_found}",
                    &rollups::blocks_sql("not_found_totals", $first),
                )
        });
        sqlx::AssertSqlSafe(SQL.as_str())
    }};
}

/// Binds the fifteen block parameters of a span.
fn bind_blocks<'q, O>(
    mut q: sqlx::query::QueryAs<'q, Any, O, AnyArguments>,
    span: Span,
) -> sqlx::query::QueryAs<'q, Any, O, AnyArguments> {
    for (grain, first, last) in rollups::blocks(span.from_day, span.to_day) {
        q = q.bind(grain).bind(first).bind(last);
    }
    q
}

type StepRow = (String, i64, i64, i64, i64, i64, i64, i64, i64);

fn step_sums(rows: Vec<StepRow>) -> HashMap<String, StepSums> {
    rows.into_iter()
        .map(|r| {
            (
                r.0,
                StepSums {
                    step_index: r.1,
                    views: r.2,
                    advances: r.3,
                    completions: r.4,
                    dismissals: r.5,
                    not_found: r.6,
                    stuck_opened: r.7,
                    tickets: r.8,
                },
            )
        })
        .collect()
}

/// One tour's sums per step id.
pub async fn tour_steps(
    db: &Db,
    org_id: &str,
    tour_id: &str,
    span: Span,
) -> Result<HashMap<String, StepSums>, ApiError> {
    let q = sqlx::query_as::<_, StepRow>(blocks_query!(
        4,
        "SELECT step_id, {sums} FROM {steps}
         WHERE content_id = $2 AND ($3 < 0 OR version = $3) GROUP BY step_id"
    ))
    .bind(org_id)
    .bind(tour_id)
    .bind(span.version);
    Ok(step_sums(bind_blocks(q, span).fetch_all(&db.pool).await?))
}

/// One tour's sums per step id over all time (the 64-day blocks add up to every day).
pub async fn tour_all_time(
    db: &Db,
    org_id: &str,
    tour_id: &str,
) -> Result<HashMap<String, StepSums>, ApiError> {
    static SQL: LazyLock<String> = LazyLock::new(|| {
        format!(
            "SELECT step_id, {STEP_SUMS} FROM step_totals
             WHERE org_id = $1 AND grain = {} AND content_id = $2 GROUP BY step_id",
            rollups::GRAINS[rollups::GRAINS.len() - 1]
        )
    });
    let rows = sqlx::query_as::<_, StepRow>(sqlx::AssertSqlSafe(SQL.as_str()))
        .bind(org_id)
        .bind(tour_id)
        .fetch_all(&db.pool)
        .await?;
    Ok(step_sums(rows))
}

/// One tour's time-on-step sketches per step id.
pub async fn tour_durations(
    db: &Db,
    org_id: &str,
    tour_id: &str,
    span: Span,
) -> Result<HashMap<String, DurationSketch>, ApiError> {
    let rows = sqlx::query_as::<_, (String, i64, i64)>(
        "SELECT step_id, bucket, CAST(SUM(n) AS BIGINT) FROM duration_totals
         WHERE org_id = $1 AND content_id = $2 AND day >= $3 AND day <= $4 AND ($5 < 0 OR version = $5)
         GROUP BY step_id, bucket",
    )
    .bind(org_id)
    .bind(tour_id)
    .bind(span.from_day)
    .bind(span.to_day)
    .bind(span.version)
    .fetch_all(&db.pool)
    .await?;
    let mut out: HashMap<String, DurationSketch> = HashMap::new();
    for (step, bucket, n) in rows {
        out.entry(step).or_default().add_bucket(
            u16::try_from(bucket).unwrap_or(u16::MAX),
            u64::try_from(n).unwrap_or(0),
        );
    }
    Ok(out)
}

/// (content id, step id) → (step index, views, tickets) over every tour's steps.
pub async fn all_steps(
    db: &Db,
    org_id: &str,
    span: Span,
) -> Result<Vec<(String, String, i64, i64, i64)>, ApiError> {
    let q = sqlx::query_as::<_, (String, String, i64, i64, i64)>(blocks_query!(
        2,
        "SELECT content_id, step_id, MAX(step_index), CAST(SUM(views) AS BIGINT), CAST(SUM(tickets) AS BIGINT)
         FROM {steps} WHERE step_id <> '' GROUP BY content_id, step_id"
    ))
    .bind(org_id);
    Ok(bind_blocks(q, span).fetch_all(&db.pool).await?)
}

/// (step id, version) → (step index, views, tickets, not found) for one tour.
pub async fn tour_versions(
    db: &Db,
    org_id: &str,
    tour_id: &str,
    step_id: Option<&str>,
    span: Span,
) -> Result<Vec<(String, i64, i64, i64, i64, i64)>, ApiError> {
    let q = sqlx::query_as::<_, (String, i64, i64, i64, i64, i64)>(blocks_query!(
        4,
        "SELECT step_id, version, MAX(step_index), CAST(SUM(views) AS BIGINT), CAST(SUM(tickets) AS BIGINT),
                CAST(SUM(not_found) AS BIGINT)
         FROM {steps} WHERE content_id = $2 AND step_id <> '' AND ($3 = '' OR step_id = $3)
         GROUP BY step_id, version ORDER BY step_id, version"
    ))
    .bind(org_id)
    .bind(tour_id)
    .bind(step_id.unwrap_or(""));
    Ok(bind_blocks(q, span).fetch_all(&db.pool).await?)
}

/// Segment value → (views, completions, dismissals, tickets) for one tour, by one attribute.
pub async fn tour_segments(
    db: &Db,
    org_id: &str,
    tour_id: &str,
    dimension: &str,
    span: Span,
) -> Result<Vec<(String, i64, i64, i64, i64)>, ApiError> {
    if !rollups::DIMENSIONS.contains(&dimension) {
        return Err(ApiError::BadRequest("unknown segment dimension".into()));
    }
    let rows = sqlx::query_as::<_, (String, i64, i64, i64, i64)>(
        "SELECT value, CAST(SUM(views) AS BIGINT), CAST(SUM(completions) AS BIGINT),
                CAST(SUM(dismissals) AS BIGINT), CAST(SUM(tickets) AS BIGINT)
         FROM segment_totals WHERE org_id = $1 AND content_id = $2 AND dimension = $3
           AND day >= $4 AND day <= $5 AND ($6 < 0 OR version = $6)
         GROUP BY value ORDER BY value",
    )
    .bind(org_id)
    .bind(tour_id)
    .bind(dimension)
    .bind(span.from_day)
    .bind(span.to_day)
    .bind(span.version)
    .fetch_all(&db.pool)
    .await?;
    Ok(rows)
}

/// Content id → (offered, accepted) for suggested content.
pub async fn deflections(
    db: &Db,
    org_id: &str,
    span: Span,
) -> Result<Vec<(String, i64, i64)>, ApiError> {
    let q = sqlx::query_as::<_, (String, i64, i64)>(blocks_query!(
        2,
        "SELECT content_id, CAST(SUM(deflections_offered) AS BIGINT), CAST(SUM(deflections) AS BIGINT)
         FROM {steps} WHERE deflections_offered > 0 OR deflections > 0 GROUP BY content_id"
    ))
    .bind(org_id);
    Ok(bind_blocks(q, span).fetch_all(&db.pool).await?)
}

/// Tickets filed in the organisation between two instants (every ticket, with a tour or not).
pub async fn tickets_between(
    db: &Db,
    org_id: &str,
    from_ms: i64,
    to_ms: i64,
) -> Result<i64, ApiError> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) FROM tickets WHERE org_id = $1 AND created_at >= $2 AND created_at < $3",
    )
    .bind(org_id)
    .bind(from_ms)
    .bind(to_ms)
    .fetch_one(&db.pool)
    .await?)
}

/// (content id, step id, step index, browser, not found).
pub async fn not_found(
    db: &Db,
    org_id: &str,
    span: Span,
) -> Result<Vec<(String, String, i64, String, i64)>, ApiError> {
    let q = sqlx::query_as::<_, (String, String, i64, String, i64)>(blocks_query!(
        2,
        "SELECT content_id, step_id, MAX(step_index), browser, CAST(SUM(n) AS BIGINT) FROM {not_found}
         GROUP BY content_id, step_id, browser"
    ))
    .bind(org_id);
    Ok(bind_blocks(q, span).fetch_all(&db.pool).await?)
}

/// The organisation's alerts, open first, newest first, at most 200.
pub async fn alerts(db: &Db, org_id: &str) -> Result<Vec<StepAlert>, ApiError> {
    let rows = sqlx::query(
        "SELECT a.id, a.content_id, COALESCE(c.title, ''), a.step_id, a.opened_at, a.closed_at, a.recent_views,
                a.recent_not_found, a.baseline_views, a.baseline_not_found, a.notified_at
         FROM step_alerts a LEFT JOIN content c ON c.id = a.content_id AND c.org_id = a.org_id
         WHERE a.org_id = $1
         ORDER BY CASE WHEN a.closed_at IS NULL THEN 0 ELSE 1 END, a.opened_at DESC LIMIT 200",
    )
    .bind(org_id)
    .fetch_all(&db.pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(StepAlert {
                id: r.try_get(0)?,
                tour_id: r.try_get(1)?,
                tour_title: r.try_get(2)?,
                step_id: r.try_get(3)?,
                opened_at: r.try_get(4)?,
                closed_at: r.try_get(5)?,
                recent_views: r.try_get(6)?,
                recent_not_found: r.try_get(7)?,
                baseline_views: r.try_get(8)?,
                baseline_not_found: r.try_get(9)?,
                notified: r.try_get::<Option<i64>, _>(10)?.is_some(),
            })
        })
        .collect()
}

/// Content id → title, for every document of the organisation.
pub async fn titles(db: &Db, org_id: &str) -> Result<HashMap<String, String>, ApiError> {
    let rows = sqlx::query("SELECT id, title FROM content WHERE org_id = $1")
        .bind(org_id)
        .fetch_all(&db.pool)
        .await?;
    rows.iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
        .collect()
}
