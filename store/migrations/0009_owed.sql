-- Owed items (issue 11 item 4): a handover made when every glove size was
-- out gives the rest of the parcel and records the gloves as owed; they
-- are handed over later, at any counter of the centre, as a fact of its
-- own (an owed handover).

-- What a handover left owed: a JSON array of parcel lines ('' for none).
ALTER TABLE redemptions ADD COLUMN owed TEXT NOT NULL DEFAULT '';
CREATE INDEX redemptions_owed ON redemptions (code) WHERE owed <> '';

-- Every known owed handover: this counter's and the other counters'. A
-- second one of a code is a double (a conflict row).
CREATE TABLE owed_deliveries (
	event_id    TEXT PRIMARY KEY,
	code        TEXT NOT NULL,
	terminal_id TEXT NOT NULL,
	centre_id   TEXT NOT NULL,
	at          TEXT NOT NULL,
	glove_size  TEXT NOT NULL DEFAULT '',
	items       TEXT NOT NULL DEFAULT '',
	local       INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX owed_deliveries_code ON owed_deliveries (code);
