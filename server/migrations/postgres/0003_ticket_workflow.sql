-- The help-desk workflow: priority from impact x urgency, owner, tier, SLA due times, and every change
-- and message as an entry (the audit trail and the conversation in one place).

ALTER TABLE tickets ADD COLUMN category TEXT;
ALTER TABLE tickets ADD COLUMN impact TEXT NOT NULL DEFAULT 'me';
ALTER TABLE tickets ADD COLUMN urgency TEXT NOT NULL DEFAULT 'can_wait';
ALTER TABLE tickets ADD COLUMN priority BIGINT NOT NULL DEFAULT 4;
ALTER TABLE tickets ADD COLUMN owner_id TEXT;
ALTER TABLE tickets ADD COLUMN tier BIGINT NOT NULL DEFAULT 1;
ALTER TABLE tickets ADD COLUMN first_response_due BIGINT NOT NULL DEFAULT 0;
ALTER TABLE tickets ADD COLUMN resolution_due BIGINT NOT NULL DEFAULT 0;
ALTER TABLE tickets ADD COLUMN first_responded_at BIGINT;
ALTER TABLE tickets ADD COLUMN resolved_at BIGINT;
ALTER TABLE tickets ADD COLUMN requester_id TEXT;

CREATE TABLE ticket_entries (
    id TEXT PRIMARY KEY,
    ticket_id TEXT NOT NULL REFERENCES tickets (id),
    org_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    author TEXT,
    body TEXT NOT NULL,
    internal BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX ticket_entries_by_ticket ON ticket_entries (ticket_id, created_at);
