-- Two-factor sign-in (TOTP, RFC 6238): an account's secret, set while it
-- enrols and in force once a code confirms it, and one-time recovery codes
-- kept as SHA-256 hashes.
ALTER TABLE users ADD COLUMN totp_secret TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN totp_enabled INTEGER NOT NULL DEFAULT 0;
-- The last step whose code was taken: a code works once.
ALTER TABLE users ADD COLUMN totp_last_step BIGINT NOT NULL DEFAULT 0;

CREATE TABLE recovery_codes (
    id        INTEGER PRIMARY KEY,
    user_id   BIGINT NOT NULL REFERENCES users(id),
    code_hash TEXT NOT NULL,
    used_at   BIGINT
);
CREATE INDEX recovery_codes_user ON recovery_codes(user_id);
