-- The web console's tables: operator accounts (argon2id hashes), their
-- sessions (only the SHA-256 of the cookie's token is stored), failed
-- logins for lockout (per account and per source), request files waiting
-- for a second operator's approval, and review notes on double handovers.

CREATE TABLE operators (
	name          TEXT PRIMARY KEY,
	password_hash TEXT NOT NULL, -- $argon2id$v=19$m=…,t=…,p=…$salt$hash
	created_at    TEXT NOT NULL
);

CREATE TABLE operator_sessions (
	token_hash TEXT PRIMARY KEY,
	operator   TEXT NOT NULL REFERENCES operators (name) ON DELETE CASCADE,
	csrf       TEXT NOT NULL,
	created_at TEXT NOT NULL,
	expires_at TEXT NOT NULL,
	last_seen  TEXT NOT NULL
);
CREATE INDEX operator_sessions_operator ON operator_sessions (operator);

-- One row per failed login, under two keys: "op:NAME" and "src:ADDRESS".
CREATE TABLE login_failures (
	id  INTEGER PRIMARY KEY,
	key TEXT NOT NULL,
	at  TEXT NOT NULL
);
CREATE INDEX login_failures_key_at ON login_failures (key, at);

CREATE TABLE pending_imports (
	id          TEXT PRIMARY KEY,
	campaign_id TEXT NOT NULL,
	phase       TEXT NOT NULL DEFAULT '',
	file_name   TEXT NOT NULL,
	content     BLOB NOT NULL,          -- emptied once decided
	rows        INTEGER NOT NULL,
	errors      TEXT NOT NULL DEFAULT '[]', -- JSON ImportResult: the dry run of the upload
	uploaded_by TEXT NOT NULL,
	uploaded_at TEXT NOT NULL,
	status      TEXT NOT NULL CHECK (status IN ('pending', 'applying', 'applied', 'rejected', 'failed')),
	decided_by  TEXT NOT NULL DEFAULT '',
	decided_at  TEXT,
	result      TEXT NOT NULL DEFAULT '' -- JSON ImportResult, or the failure
);
CREATE INDEX pending_imports_uploaded ON pending_imports (uploaded_at);

CREATE TABLE review_notes (
	id       INTEGER PRIMARY KEY,
	code     TEXT NOT NULL,
	note     TEXT NOT NULL,
	operator TEXT NOT NULL,
	at       TEXT NOT NULL
);
CREATE INDEX review_notes_code ON review_notes (code, at);
