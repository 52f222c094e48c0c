-- Facts other than handovers (undos, stock receptions and counts) get a
-- sequence too, so that a pull tells the centre's terminals which of them
-- the registry holds (PullResponse.received): a terminal synced only by USB
-- stick has no other way to learn it.

UPDATE events SET seq = (SELECT head FROM seq WHERE id = 1) + rowid
	WHERE type <> 'handover' AND seq IS NULL;
UPDATE seq SET head = (SELECT max(seq) FROM events)
	WHERE id = 1 AND (SELECT max(seq) FROM events) > head;
CREATE INDEX events_fact_centre_seq ON events (centre_id, seq) WHERE type <> 'handover';
