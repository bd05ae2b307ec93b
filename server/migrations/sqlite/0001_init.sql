-- Cairn's first schema. Every tenant-owned table carries org_id; every query filters on it.
-- Timestamps are milliseconds since the Unix epoch (BIGINT) so both backends read them alike.

CREATE TABLE organizations (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE users (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organizations (id),
    email TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);

CREATE TABLE apps (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organizations (id),
    name TEXT NOT NULL,
    public_key TEXT NOT NULL UNIQUE,
    allowed_origins TEXT NOT NULL,
    identity_secret TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE content (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organizations (id),
    app_id TEXT NOT NULL REFERENCES apps (id),
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    draft TEXT NOT NULL,
    published_version BIGINT,
    draft_changed BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX content_by_org ON content (org_id, kind);
CREATE INDEX content_by_app ON content (app_id);

CREATE TABLE content_versions (
    content_id TEXT NOT NULL REFERENCES content (id),
    version BIGINT NOT NULL,
    document TEXT NOT NULL,
    message TEXT NOT NULL,
    published_by TEXT,
    published_at BIGINT NOT NULL,
    PRIMARY KEY (content_id, version)
);

CREATE TABLE events (
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
    PRIMARY KEY (app_id, id)
);
CREATE INDEX events_by_content ON events (org_id, content_id, kind);

CREATE TABLE tickets (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organizations (id),
    app_id TEXT NOT NULL REFERENCES apps (id),
    number BIGINT NOT NULL,
    status TEXT NOT NULL,
    message TEXT NOT NULL,
    context TEXT NOT NULL,
    tour_id TEXT,
    step_id TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (org_id, number)
);
CREATE INDEX tickets_by_org ON tickets (org_id, created_at);
CREATE INDEX tickets_by_tour ON tickets (org_id, tour_id, step_id);

-- Instance-wide facts, such as which application the built-in demo page shows.
CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
