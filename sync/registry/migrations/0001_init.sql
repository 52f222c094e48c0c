-- The registry's schema. Every change a terminal pulls carries a sequence
-- number from seq.head, allocated inside the writing transaction; writes
-- are serialised (BEGIN IMMEDIATE), so sequences are assigned in commit
-- order and a reader's snapshot always holds a gap-free prefix.

CREATE TABLE meta (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE seq (
	id   INTEGER PRIMARY KEY CHECK (id = 1),
	head INTEGER NOT NULL
);
INSERT INTO seq (id, head) VALUES (1, 0);

CREATE TABLE centres (
	id         TEXT PRIMARY KEY,
	name       TEXT NOT NULL,
	address    TEXT NOT NULL DEFAULT '',
	hours      TEXT NOT NULL DEFAULT '',
	created_at TEXT NOT NULL,
	seq        INTEGER NOT NULL
);
CREATE INDEX centres_seq ON centres (seq);

CREATE TABLE campaigns (
	id         TEXT PRIMARY KEY,
	definition TEXT NOT NULL, -- pickup.Campaign JSON
	builtin    INTEGER NOT NULL DEFAULT 0,
	seq        INTEGER NOT NULL
);
CREATE INDEX campaigns_seq ON campaigns (seq);

CREATE TABLE pickups (
	code            TEXT PRIMARY KEY,
	campaign_id     TEXT NOT NULL REFERENCES campaigns (id),
	professional_id TEXT NOT NULL,
	name            TEXT NOT NULL,
	profession      TEXT NOT NULL,
	parcel_kind     TEXT NOT NULL,
	centre_id       TEXT NOT NULL REFERENCES centres (id),
	window_start    TEXT NOT NULL,
	window_end      TEXT NOT NULL,
	cancelled       INTEGER NOT NULL DEFAULT 0,
	active          INTEGER NOT NULL DEFAULT 0, -- handovers not undone
	status          TEXT NOT NULL CHECK (status IN ('expected', 'collected', 'cancelled')),
	signed          TEXT NOT NULL DEFAULT '',   -- the signed payload, for QR codes
	created_at      TEXT NOT NULL,
	seq             INTEGER NOT NULL,
	UNIQUE (campaign_id, professional_id)
);
CREATE INDEX pickups_centre_seq ON pickups (centre_id, seq);
CREATE INDEX pickups_centre_code ON pickups (centre_id, code);

CREATE TABLE reassignments (
	id          INTEGER PRIMARY KEY,
	code        TEXT NOT NULL,
	from_centre TEXT NOT NULL,
	to_centre   TEXT NOT NULL,
	at          TEXT NOT NULL,
	seq         INTEGER NOT NULL
);
CREATE INDEX reassignments_from_seq ON reassignments (from_centre, seq);

-- Every fact pushed by a terminal, once, by its id. Handovers carry a
-- sequence (bumped when undone) and are the redemptions terminals pull.
CREATE TABLE events (
	id           TEXT PRIMARY KEY,
	type         TEXT NOT NULL,
	terminal_id  TEXT NOT NULL,
	centre_id    TEXT NOT NULL,
	at           TEXT NOT NULL,
	received_at  TEXT NOT NULL,
	via          TEXT NOT NULL, -- push or bundle
	code         TEXT,
	code_centre  TEXT,          -- the pickup's centre when received
	glove_size   TEXT NOT NULL DEFAULT '',
	items        TEXT NOT NULL DEFAULT '[]',
	volunteer    TEXT NOT NULL DEFAULT '',
	on_signature INTEGER NOT NULL DEFAULT 0,
	signed       TEXT NOT NULL DEFAULT '',
	undoes       TEXT,
	undone       INTEGER NOT NULL DEFAULT 0,
	item         TEXT,
	size         TEXT,
	qty          INTEGER,
	reason       TEXT,
	ref          TEXT,
	result       TEXT NOT NULL, -- the first answer: accepted or conflict
	earlier      TEXT NOT NULL DEFAULT '', -- JSON []pickup.Collection, for a conflict
	seq          INTEGER
);
CREATE INDEX events_handover_centre_seq ON events (centre_id, seq) WHERE type = 'handover';
CREATE INDEX events_handover_code_centre_seq ON events (code_centre, seq) WHERE type = 'handover';
CREATE INDEX events_handover_code ON events (code) WHERE type = 'handover';
CREATE INDEX events_undoes ON events (undoes) WHERE type = 'undo';

CREATE TABLE shipments (
	id        TEXT PRIMARY KEY,
	centre_id TEXT NOT NULL REFERENCES centres (id),
	item      TEXT NOT NULL,
	size      TEXT NOT NULL DEFAULT '',
	qty       INTEGER NOT NULL CHECK (qty > 0),
	ref       TEXT NOT NULL DEFAULT '',
	sent_at   TEXT NOT NULL,
	seq       INTEGER NOT NULL
);
CREATE INDEX shipments_centre_seq ON shipments (centre_id, seq);

CREATE TABLE signing_keys (
	key_id      TEXT PRIMARY KEY,
	public_key  BLOB NOT NULL,
	private_key BLOB NOT NULL,
	current     INTEGER NOT NULL DEFAULT 0,
	created_at  TEXT NOT NULL,
	seq         INTEGER NOT NULL
);

CREATE TABLE revoked (
	code TEXT PRIMARY KEY,
	at   TEXT NOT NULL,
	seq  INTEGER NOT NULL
);
CREATE INDEX revoked_seq ON revoked (seq);

CREATE TABLE terminals (
	id             TEXT PRIMARY KEY,
	centre_id      TEXT NOT NULL REFERENCES centres (id),
	secret         BLOB NOT NULL,
	hostname       TEXT NOT NULL DEFAULT '',
	client_version TEXT NOT NULL DEFAULT '',
	enrolled_at    TEXT NOT NULL,
	revoked_at     TEXT,
	last_seen      TEXT
);

CREATE TABLE enrolments (
	token_hash  TEXT PRIMARY KEY, -- SHA-256 of the token: a copy of the file cannot enrol
	centre_id   TEXT NOT NULL REFERENCES centres (id),
	created_at  TEXT NOT NULL,
	expires_at  TEXT NOT NULL,
	used_at     TEXT,
	request_id  TEXT,
	terminal_id TEXT
);

-- Nonces of mutating calls (push), so that a replay is refused even after
-- a restart; reads are guarded by the in-memory cache.
CREATE TABLE nonces (
	terminal_id TEXT NOT NULL,
	nonce       TEXT NOT NULL,
	expires_at  INTEGER NOT NULL, -- unix ms
	PRIMARY KEY (terminal_id, nonce)
) WITHOUT ROWID;

CREATE TABLE bundles (
	id          TEXT PRIMARY KEY,
	terminal_id TEXT NOT NULL,
	imported_at TEXT NOT NULL,
	events      INTEGER NOT NULL
);
