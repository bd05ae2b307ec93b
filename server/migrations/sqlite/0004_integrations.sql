-- Outbound integrations (signed webhooks, help-desk connectors) and the transactional outbox that
-- delivers to them with retries.

CREATE TABLE integrations (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organizations (id),
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    config TEXT NOT NULL,
    secret TEXT NOT NULL,
    enabled BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX integrations_by_org ON integrations (org_id);

CREATE TABLE outbox (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL,
    integration_id TEXT NOT NULL REFERENCES integrations (id),
    ticket_id TEXT NOT NULL,
    event TEXT NOT NULL,
    payload TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts BIGINT NOT NULL,
    next_attempt_at BIGINT NOT NULL,
    locked_until BIGINT,
    last_status BIGINT,
    last_error TEXT,
    external_id TEXT,
    external_url TEXT,
    created_at BIGINT NOT NULL,
    delivered_at BIGINT
);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
CREATE INDEX outbox_by_ticket ON outbox (org_id, ticket_id);
