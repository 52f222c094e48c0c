-- Version 8: the manager's lists. The handovers of a chosen day are read
-- by time (the window's date picker, `pickup handovers --date`), and a
-- double handover's review (a fact of its own, recorded here or at
-- another counter of the centre) is kept once per review.
CREATE INDEX redemptions_at ON redemptions (at);

-- Who is still expected, in name order and searched by name, reads the
-- centre's index entries only: the name joins the centre index (which
-- still serves every query the narrower one did).
DROP INDEX pickups_centre;
CREATE INDEX pickups_centre ON pickups (centre_id, status, name);

CREATE TABLE conflict_reviews (
	event_id    TEXT PRIMARY KEY,
	code        TEXT NOT NULL,
	terminal_id TEXT NOT NULL,
	at          TEXT NOT NULL,
	note        TEXT NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX conflict_reviews_code ON conflict_reviews (code, at);
