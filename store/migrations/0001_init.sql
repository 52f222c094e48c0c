-- Terminal store, version 1.

-- Identity and settings: terminal_id, centre_id, campaign_id, undo_window_s,
-- lang, cursor, dataset_id, last_sync, last_refresh, journal_head, ...
CREATE TABLE settings (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
) STRICT, WITHOUT ROWID;

-- Campaign definitions (pickup.Campaign as JSON).
CREATE TABLE campaigns (
	id         TEXT PRIMARY KEY,
	definition TEXT NOT NULL
) STRICT, WITHOUT ROWID;

-- The centre directory, for the wrong-centre answer.
CREATE TABLE centres (
	id      TEXT PRIMARY KEY,
	name    TEXT NOT NULL,
	address TEXT NOT NULL DEFAULT '',
	hours   TEXT NOT NULL DEFAULT ''
) STRICT, WITHOUT ROWID;

-- Expected pickups: the local copy of the registry's list. Only a display
-- name and a profession: no other personal data.
-- A rowid table with a unique index on code: a large list inserts in random
-- code order, and the narrow index takes that far better than a table
-- clustered on code would.
CREATE TABLE pickups (
	id           INTEGER PRIMARY KEY,
	code         TEXT NOT NULL UNIQUE,
	name         TEXT NOT NULL,
	profession   TEXT NOT NULL,
	parcel_kind  TEXT NOT NULL,
	centre_id    TEXT NOT NULL,
	campaign_id  TEXT NOT NULL DEFAULT '',
	window_start TEXT NOT NULL,
	window_end   TEXT NOT NULL,
	status       TEXT NOT NULL,
	registry_seq INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX pickups_centre ON pickups (centre_id, status);

-- The append-only journal of every fact recorded at this terminal
-- (handovers, undos, stock receptions and counts). body is the event's JSON;
-- hash = sha256(prev_hash || body), so a changed, removed or inserted row
-- breaks the chain. sync_state is the only column that changes.
CREATE TABLE journal (
	seq        INTEGER PRIMARY KEY,
	id         TEXT NOT NULL UNIQUE,
	type       TEXT NOT NULL,
	code       TEXT NOT NULL DEFAULT '',
	at         TEXT NOT NULL,
	body       TEXT NOT NULL,
	prev_hash  TEXT NOT NULL,
	hash       TEXT NOT NULL,
	sync_state TEXT NOT NULL DEFAULT 'pending'
) STRICT;
CREATE TRIGGER journal_no_delete BEFORE DELETE ON journal
BEGIN SELECT RAISE(ABORT, 'journal is append-only'); END;
CREATE TRIGGER journal_no_update BEFORE UPDATE OF seq, id, type, code, at, body, prev_hash, hash ON journal
BEGIN SELECT RAISE(ABORT, 'journal is append-only'); END;

-- Every known handover of a code: this terminal's and, from sync, other
-- terminals'. A row is never deleted; an undo sets undone_by.
CREATE TABLE redemptions (
	event_id    TEXT PRIMARY KEY,
	code        TEXT NOT NULL,
	terminal_id TEXT NOT NULL,
	centre_id   TEXT NOT NULL,
	at          TEXT NOT NULL,
	glove_size  TEXT NOT NULL DEFAULT '',
	local       INTEGER NOT NULL,
	undone_by   TEXT NOT NULL DEFAULT ''
) STRICT, WITHOUT ROWID;
CREATE INDEX redemptions_code ON redemptions (code);

-- Stock movements per item and size; stock is their running sum.
CREATE TABLE stock_moves (
	id       INTEGER PRIMARY KEY,
	event_id TEXT NOT NULL,
	kind     TEXT NOT NULL CHECK (kind IN ('reception', 'handover', 'undo', 'count')),
	item     TEXT NOT NULL,
	size     TEXT NOT NULL DEFAULT '',
	delta    INTEGER NOT NULL,
	reason   TEXT NOT NULL DEFAULT '',
	ref      TEXT NOT NULL DEFAULT '',
	at       TEXT NOT NULL
) STRICT;
CREATE INDEX stock_moves_event ON stock_moves (event_id);

CREATE TABLE stock (
	item TEXT NOT NULL,
	size TEXT NOT NULL DEFAULT '',
	qty  INTEGER NOT NULL,
	PRIMARY KEY (item, size)
) STRICT, WITHOUT ROWID;

-- Facts waiting for a definite answer from the registry.
CREATE TABLE outbox (
	event_id   TEXT PRIMARY KEY,
	seq        INTEGER NOT NULL,
	body       TEXT NOT NULL,
	attempts   INTEGER NOT NULL DEFAULT 0,
	last_error TEXT NOT NULL DEFAULT ''
) STRICT;

-- Double handovers this terminal knows of (one row per handover involved).
CREATE TABLE conflicts (
	event_id    TEXT PRIMARY KEY,
	code        TEXT NOT NULL,
	terminal_id TEXT NOT NULL,
	centre_id   TEXT NOT NULL,
	at          TEXT NOT NULL,
	detail      TEXT NOT NULL DEFAULT '',
	seen_at     TEXT NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX conflicts_code ON conflicts (code);

-- The registry's signing keys and revoked codes, for signed codes.
CREATE TABLE signing_keys (
	key_id     TEXT PRIMARY KEY,
	public_key BLOB NOT NULL
) STRICT, WITHOUT ROWID;

CREATE TABLE revoked_codes (
	code TEXT PRIMARY KEY
) STRICT, WITHOUT ROWID;
