-- A fact the registry could not accept as it stands (another centre's
-- code, a cancelled one, an undo from another terminal, a time out of any
-- sane range…) is still recorded — a counter's fact is never thrown away —
-- with the reason in flag. A flagged handover counts nowhere (status,
-- collected, items, redemptions); a flagged undo undoes nothing; both show
-- in the report. Conflicts no longer copy the earlier handovers into each
-- row (that grew quadratically): they are read back when needed.
ALTER TABLE events ADD COLUMN flag TEXT NOT NULL DEFAULT '';
CREATE INDEX events_flagged ON events (centre_id) WHERE flag <> '';
