-- The national code locator: every pull walks the pickups of other
-- centres in sequence order (a covering index, so that the rows of the
-- pulling centre are skipped without reading the table).
CREATE INDEX pickups_seq_locator ON pickups (seq, centre_id, status, code);
