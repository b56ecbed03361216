-- A password someone else chose (a demo account's, one the bureau issued or
-- reset) must be changed at the first sign-in.
ALTER TABLE users ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0;
