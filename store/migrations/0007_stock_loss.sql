-- Version 7: stock losses (damaged, expired, stolen), with their reason: a
-- fact like a reception or a count, counted by the same rule. The kind's
-- CHECK cannot be altered in place: the table is made again, rows, ids
-- and indexes kept.
CREATE TABLE stock_moves_v7 (
	id       INTEGER PRIMARY KEY,
	event_id TEXT NOT NULL,
	kind     TEXT NOT NULL CHECK (kind IN ('reception', 'handover', 'undo', 'count', 'loss')),
	item     TEXT NOT NULL,
	size     TEXT NOT NULL DEFAULT '',
	delta    INTEGER NOT NULL,
	reason   TEXT NOT NULL DEFAULT '',
	ref      TEXT NOT NULL DEFAULT '',
	at       TEXT NOT NULL,
	level    INTEGER
) STRICT;
INSERT INTO stock_moves_v7 (id, event_id, kind, item, size, delta, reason, ref, at, level)
	SELECT id, event_id, kind, item, size, delta, reason, ref, at, level FROM stock_moves;
DROP TABLE stock_moves;
ALTER TABLE stock_moves_v7 RENAME TO stock_moves;
CREATE INDEX stock_moves_event ON stock_moves (event_id);
CREATE INDEX stock_moves_line ON stock_moves (item, size, kind, at);
CREATE INDEX stock_moves_ref ON stock_moves (ref) WHERE kind = 'reception' AND ref <> '';
-- The movement history, newest first.
CREATE INDEX stock_moves_at ON stock_moves (at);
