-- Analytics: segment attributes, browser and time on step on raw events; rollups the ingestion writer
-- maintains incrementally (additive upserts) from the events it actually inserted; broken-step alerts.

ALTER TABLE events ADD COLUMN role TEXT;
ALTER TABLE events ADD COLUMN department TEXT;
ALTER TABLE events ADD COLUMN proficiency TEXT;
ALTER TABLE events ADD COLUMN locale TEXT;
ALTER TABLE events ADD COLUMN browser TEXT;
ALTER TABLE events ADD COLUMN duration_ms BIGINT;
-- Retention purges and re-rolls walk events by time.
CREATE INDEX events_by_time ON events (org_id, occurred_at);

-- One row per tour/tooltip, step ('' for content-level events), version, UTC day and segment value:
-- a segment row has one attribute set (its value, '' when unknown) and '*' in the others; the row
-- with '*' everywhere sums every event, so reports that do not compare segments read one row per step
-- and day.
CREATE TABLE rollups (
    org_id TEXT NOT NULL,
    content_id TEXT NOT NULL,
    step_id TEXT NOT NULL,
    version BIGINT NOT NULL,
    day BIGINT NOT NULL,
    role TEXT NOT NULL,
    department TEXT NOT NULL,
    proficiency TEXT NOT NULL,
    locale TEXT NOT NULL,
    step_index BIGINT NOT NULL,
    views BIGINT NOT NULL DEFAULT 0,
    advances BIGINT NOT NULL DEFAULT 0,
    completions BIGINT NOT NULL DEFAULT 0,
    dismissals BIGINT NOT NULL DEFAULT 0,
    not_found BIGINT NOT NULL DEFAULT 0,
    stuck_opened BIGINT NOT NULL DEFAULT 0,
    tickets BIGINT NOT NULL DEFAULT 0,
    deflections_offered BIGINT NOT NULL DEFAULT 0,
    deflections BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (org_id, content_id, step_id, version, day, role, department, proficiency, locale)
);
CREATE INDEX rollups_all_by_day ON rollups (org_id, day, content_id, step_id) WHERE role = '*' AND department = '*' AND proficiency = '*' AND locale = '*';

-- Time-on-step sketch: counts per log bucket (cairn_shared::sketch), all segments summed.
CREATE TABLE rollup_durations (
    org_id TEXT NOT NULL,
    content_id TEXT NOT NULL,
    step_id TEXT NOT NULL,
    version BIGINT NOT NULL,
    day BIGINT NOT NULL,
    bucket BIGINT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (org_id, content_id, step_id, version, day, bucket)
);

-- Elements not found by browser.
CREATE TABLE rollup_not_found (
    org_id TEXT NOT NULL,
    content_id TEXT NOT NULL,
    step_id TEXT NOT NULL,
    day BIGINT NOT NULL,
    browser TEXT NOT NULL,
    step_index BIGINT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (org_id, content_id, step_id, day, browser)
);

-- Broken-step alerts: one row per step and episode (opened when the not-found rate jumps, closed once
-- it is back to normal); notified_at is set when the webhook delivery was queued.
CREATE TABLE step_alerts (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL,
    content_id TEXT NOT NULL,
    step_id TEXT NOT NULL,
    opened_at BIGINT NOT NULL,
    closed_at BIGINT,
    recent_views BIGINT NOT NULL,
    recent_not_found BIGINT NOT NULL,
    baseline_views BIGINT NOT NULL,
    baseline_not_found BIGINT NOT NULL,
    notified_at BIGINT
);
CREATE INDEX step_alerts_by_org ON step_alerts (org_id, opened_at);
CREATE UNIQUE INDEX step_alerts_one_open ON step_alerts (org_id, content_id, step_id) WHERE closed_at IS NULL;
