-- Version 4: the centre as one. Facts recorded at the centre's other
-- counters (from the registry's pull, a USB bundle or a peer on the LAN)
-- are kept once each, by event id, and count toward one centre stock.

-- Every fact of another counter of this centre, once. fseq orders them as
-- they arrived here (a peer's cursor into this table); to_registry is 1
-- while the registry is not known to hold it (it came from a peer), so
-- that any counter with a link delivers it.
CREATE TABLE foreign_facts (
	fseq        INTEGER PRIMARY KEY,
	event_id    TEXT NOT NULL UNIQUE,
	terminal_id TEXT NOT NULL,
	type        TEXT NOT NULL,
	at          TEXT NOT NULL,
	body        TEXT NOT NULL,
	source      TEXT NOT NULL, -- registry, bundle or peer
	to_registry INTEGER NOT NULL DEFAULT 0,
	received_at TEXT NOT NULL
) STRICT;
CREATE INDEX foreign_facts_upload ON foreign_facts (fseq) WHERE to_registry = 1;

-- A count's level: the stock of its item and size as of its time. Facts
-- after it (from any counter) apply on top; facts before it are absorbed.
ALTER TABLE stock_moves ADD COLUMN level INTEGER;
UPDATE stock_moves SET level = (SELECT json_extract(body, '$.qty') FROM journal WHERE journal.id = stock_moves.event_id)
	WHERE kind = 'count';
UPDATE stock_moves SET level = 0 WHERE kind = 'count' AND level IS NULL;
CREATE INDEX stock_moves_line ON stock_moves (item, size, kind, at);
CREATE INDEX stock_moves_ref ON stock_moves (ref) WHERE kind = 'reception' AND ref <> '';
