-- Version 2: what sync brings besides pickups.

-- Stock the registry shipped to this centre (in transit until received).
CREATE TABLE shipments (
	id       TEXT PRIMARY KEY,
	item     TEXT NOT NULL,
	size     TEXT NOT NULL DEFAULT '',
	qty      INTEGER NOT NULL,
	sent_at  TEXT NOT NULL,
	ref      TEXT NOT NULL DEFAULT '',
	seq      INTEGER NOT NULL,
	received_by TEXT NOT NULL DEFAULT '' -- the reception event, once it arrived
) STRICT, WITHOUT ROWID;

-- Which registry row each sync-maintained table came from, so that a reset
-- drops exactly what the registry sent.
ALTER TABLE centres ADD COLUMN from_registry INTEGER NOT NULL DEFAULT 0;
ALTER TABLE signing_keys ADD COLUMN from_registry INTEGER NOT NULL DEFAULT 0;
