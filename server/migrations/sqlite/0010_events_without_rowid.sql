-- Raw events keyed by their primary key alone (WITHOUT ROWID): a rowid table kept the rows in one
-- B-tree and the (app_id, id) key in a second, so every insert wrote three B-trees with the time
-- index; now it writes two. The time index (retention purges) is the only secondary index: reports
-- read the rollups, and the rebuild walks the primary key.
CREATE TABLE events_new (
    app_id TEXT NOT NULL,
    id TEXT NOT NULL,
    org_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    content_id TEXT NOT NULL,
    step_id TEXT,
    step_index BIGINT,
    version BIGINT NOT NULL,
    page_url TEXT NOT NULL,
    occurred_at BIGINT NOT NULL,
    received_at BIGINT NOT NULL,
    role TEXT,
    department TEXT,
    proficiency TEXT,
    locale TEXT,
    browser TEXT,
    duration_ms BIGINT,
    failed_strategies TEXT,
    PRIMARY KEY (app_id, id)
) WITHOUT ROWID;
INSERT INTO events_new (app_id, id, org_id, kind, content_id, step_id, step_index, version, page_url,
                        occurred_at, received_at, role, department, proficiency, locale, browser,
                        duration_ms, failed_strategies)
SELECT app_id, id, org_id, kind, content_id, step_id, step_index, version, page_url, occurred_at,
       received_at, role, department, proficiency, locale, browser, duration_ms, failed_strategies
FROM events;
DROP TABLE events;
ALTER TABLE events_new RENAME TO events;
CREATE INDEX events_by_time ON events (occurred_at);
