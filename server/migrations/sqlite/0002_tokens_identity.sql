-- Bearer API tokens (stored as SHA-256, shown once) and per-application identity verification.

CREATE TABLE api_tokens (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organizations (id),
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    scopes TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    last_used_at BIGINT,
    revoked_at BIGINT
);
CREATE INDEX api_tokens_by_org ON api_tokens (org_id);

ALTER TABLE apps ADD COLUMN require_verified_identity BIGINT NOT NULL DEFAULT 0;
