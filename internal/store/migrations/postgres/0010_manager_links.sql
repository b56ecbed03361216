-- A manager added with a mobile that belongs to someone serving enterprises
-- outside the adder's scope is kept apart, as a person of its own (whose
-- mobile column holds "mobile#enterprise id", so it never matches a search
-- by number), until the association or the bureau confirms that it is the
-- same person; then the two are merged. claim_person_id is the person it
-- claims to be; link_status is '' (linked), 'pending' or 'rejected';
-- link_needs says who decides: 'association' or 'bureau'.
ALTER TABLE managers ADD COLUMN claim_person_id BIGINT REFERENCES people(id);
ALTER TABLE managers ADD COLUMN link_status TEXT NOT NULL DEFAULT '';
ALTER TABLE managers ADD COLUMN link_needs TEXT NOT NULL DEFAULT '';
ALTER TABLE managers ADD COLUMN link_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE managers ADD COLUMN link_requested_by TEXT NOT NULL DEFAULT '';
ALTER TABLE managers ADD COLUMN link_decided_at BIGINT;
CREATE INDEX managers_link ON managers(link_status, enterprise_id) WHERE link_status = 'pending';
