-- Calendar feed secrets are kept as SHA-256 hashes from now on, like API
-- tokens: a feed address is shown once when it is made. Addresses made
-- before were stored as they are, so they end here; managers subscribe
-- again from a booking page.
DELETE FROM calendar_feeds;
