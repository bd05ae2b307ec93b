-- Rollups reshaped for report latency at tens of millions of events and for cheaper ingestion
-- (issue 8). One table per question instead of one wide table with '*' rows:
--   step_totals      per step, version and block of days, at three grains (1, 8 and 64 days, blocks
--                    aligned on multiples of the grain): a report over any day range reads at most a
--                    few dozen blocks per step instead of one row per day;
--   segment_totals   per tour, dimension, value, version and day (the segment report sums a tour's
--                    steps, so the step is not in the key);
--   duration_totals  the time-on-step sketch per step, version and day, keyed tour first;
--   not_found_totals elements not found per step and browser, at the same three grains.
-- WITHOUT ROWID: each upsert updates one B-tree (the primary key) instead of a rowid table plus its
-- key index. Existing rollups are carried over, so no history is lost.

CREATE TABLE step_totals (
    org_id TEXT NOT NULL,
    grain BIGINT NOT NULL,
    start_day BIGINT NOT NULL,
    content_id TEXT NOT NULL,
    step_id TEXT NOT NULL,
    version BIGINT NOT NULL,
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
    PRIMARY KEY (org_id, grain, start_day, content_id, step_id, version)
) WITHOUT ROWID;

CREATE TABLE segment_totals (
    org_id TEXT NOT NULL,
    content_id TEXT NOT NULL,
    dimension TEXT NOT NULL,
    day BIGINT NOT NULL,
    value TEXT NOT NULL,
    version BIGINT NOT NULL,
    views BIGINT NOT NULL DEFAULT 0,
    completions BIGINT NOT NULL DEFAULT 0,
    dismissals BIGINT NOT NULL DEFAULT 0,
    tickets BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (org_id, content_id, dimension, day, value, version)
) WITHOUT ROWID;

CREATE TABLE duration_totals (
    org_id TEXT NOT NULL,
    content_id TEXT NOT NULL,
    day BIGINT NOT NULL,
    step_id TEXT NOT NULL,
    version BIGINT NOT NULL,
    bucket BIGINT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (org_id, content_id, day, step_id, version, bucket)
) WITHOUT ROWID;

CREATE TABLE not_found_totals (
    org_id TEXT NOT NULL,
    grain BIGINT NOT NULL,
    start_day BIGINT NOT NULL,
    content_id TEXT NOT NULL,
    step_id TEXT NOT NULL,
    browser TEXT NOT NULL,
    step_index BIGINT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (org_id, grain, start_day, content_id, step_id, browser)
) WITHOUT ROWID;

INSERT INTO step_totals
SELECT org_id, 1, day, content_id, step_id, version, step_index, views, advances, completions, dismissals,
       not_found, stuck_opened, tickets, deflections_offered, deflections
FROM rollups WHERE role = '*' AND department = '*' AND proficiency = '*' AND locale = '*';

INSERT INTO segment_totals
SELECT org_id, content_id, 'role', day, role, version, SUM(views), SUM(completions), SUM(dismissals), SUM(tickets)
FROM rollups WHERE role <> '*' GROUP BY org_id, content_id, day, role, version;
INSERT INTO segment_totals
SELECT org_id, content_id, 'department', day, department, version, SUM(views), SUM(completions), SUM(dismissals), SUM(tickets)
FROM rollups WHERE department <> '*' GROUP BY org_id, content_id, day, department, version;
INSERT INTO segment_totals
SELECT org_id, content_id, 'proficiency', day, proficiency, version, SUM(views), SUM(completions), SUM(dismissals), SUM(tickets)
FROM rollups WHERE proficiency <> '*' GROUP BY org_id, content_id, day, proficiency, version;
INSERT INTO segment_totals
SELECT org_id, content_id, 'locale', day, locale, version, SUM(views), SUM(completions), SUM(dismissals), SUM(tickets)
FROM rollups WHERE locale <> '*' GROUP BY org_id, content_id, day, locale, version;

INSERT INTO duration_totals
SELECT org_id, content_id, day, step_id, version, bucket, n FROM rollup_durations;

INSERT INTO not_found_totals
SELECT org_id, 1, day, content_id, step_id, browser, step_index, n FROM rollup_not_found;

-- The coarse grains, derived from the day rows (the same statements a re-roll runs).
INSERT INTO step_totals
SELECT org_id, 8, (start_day / 8) * 8, content_id, step_id, version, MAX(step_index), SUM(views), SUM(advances),
       SUM(completions), SUM(dismissals), SUM(not_found), SUM(stuck_opened), SUM(tickets), SUM(deflections_offered),
       SUM(deflections)
FROM step_totals WHERE grain = 1 GROUP BY org_id, (start_day / 8) * 8, content_id, step_id, version;
INSERT INTO step_totals
SELECT org_id, 64, (start_day / 64) * 64, content_id, step_id, version, MAX(step_index), SUM(views), SUM(advances),
       SUM(completions), SUM(dismissals), SUM(not_found), SUM(stuck_opened), SUM(tickets), SUM(deflections_offered),
       SUM(deflections)
FROM step_totals WHERE grain = 1 GROUP BY org_id, (start_day / 64) * 64, content_id, step_id, version;
INSERT INTO not_found_totals
SELECT org_id, 8, (start_day / 8) * 8, content_id, step_id, browser, MAX(step_index), SUM(n)
FROM not_found_totals WHERE grain = 1 GROUP BY org_id, (start_day / 8) * 8, content_id, step_id, browser;
INSERT INTO not_found_totals
SELECT org_id, 64, (start_day / 64) * 64, content_id, step_id, browser, MAX(step_index), SUM(n)
FROM not_found_totals WHERE grain = 1 GROUP BY org_id, (start_day / 64) * 64, content_id, step_id, browser;

DROP TABLE rollups;
DROP TABLE rollup_durations;
DROP TABLE rollup_not_found;

-- Raw events: per-tour counts now come from the rollups, so the (org, content, kind) index only cost
-- writes; retention purges delete by time across organisations, which needs occurred_at first.
DROP INDEX events_by_content;
DROP INDEX events_by_time;
CREATE INDEX events_by_time ON events (occurred_at);
