-- A login attempt is written before its password is checked, as pending,
-- inside one transaction that counts the attempts before it (under an
-- advisory lock on PostgreSQL), so parallel requests cannot all be checked
-- before the first failure is written. A failed check makes it a failure;
-- a good one clears the account's rows.
ALTER TABLE login_failures ADD COLUMN pending INTEGER NOT NULL DEFAULT 0;
