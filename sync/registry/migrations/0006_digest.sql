-- The drift digest kept as rows change (internal/rowdigest): triggers copy
-- each inserted, changed or deleted pickup into digest_log (the old row
-- with sign -1, the new with +1); every write transaction ends by folding
-- the log into digest_buckets, the per-centre, per-bucket sums of the rows'
-- hashes, so a drift check reads a few sums instead of every row. The rows
-- already there are logged here and folded at the next write.

CREATE TABLE digest_log (
	id           INTEGER PRIMARY KEY,
	sign         INTEGER NOT NULL,
	code         TEXT NOT NULL,
	name         TEXT NOT NULL,
	profession   TEXT NOT NULL,
	parcel_kind  TEXT NOT NULL,
	centre_id    TEXT NOT NULL,
	campaign_id  TEXT NOT NULL,
	window_start TEXT NOT NULL,
	window_end   TEXT NOT NULL,
	status       TEXT NOT NULL
);

CREATE TABLE digest_buckets (
	centre_id TEXT NOT NULL,
	prefix    TEXT NOT NULL,
	count     INTEGER NOT NULL,
	sum       BLOB NOT NULL,
	PRIMARY KEY (centre_id, prefix)
) WITHOUT ROWID;

CREATE TRIGGER pickups_digest_insert AFTER INSERT ON pickups BEGIN
	INSERT INTO digest_log (sign, code, name, profession, parcel_kind, centre_id, campaign_id, window_start, window_end, status) VALUES (1, NEW.code, NEW.name, NEW.profession, NEW.parcel_kind, NEW.centre_id, NEW.campaign_id, NEW.window_start, NEW.window_end, NEW.status);
END;

CREATE TRIGGER pickups_digest_update AFTER UPDATE OF code, name, profession, parcel_kind, centre_id, campaign_id, window_start, window_end, status ON pickups
	WHEN OLD.code IS NOT NEW.code OR OLD.name IS NOT NEW.name OR OLD.profession IS NOT NEW.profession OR OLD.parcel_kind IS NOT NEW.parcel_kind OR OLD.centre_id IS NOT NEW.centre_id OR OLD.campaign_id IS NOT NEW.campaign_id OR OLD.window_start IS NOT NEW.window_start OR OLD.window_end IS NOT NEW.window_end OR OLD.status IS NOT NEW.status
BEGIN
	INSERT INTO digest_log (sign, code, name, profession, parcel_kind, centre_id, campaign_id, window_start, window_end, status) VALUES (-1, OLD.code, OLD.name, OLD.profession, OLD.parcel_kind, OLD.centre_id, OLD.campaign_id, OLD.window_start, OLD.window_end, OLD.status);
	INSERT INTO digest_log (sign, code, name, profession, parcel_kind, centre_id, campaign_id, window_start, window_end, status) VALUES (1, NEW.code, NEW.name, NEW.profession, NEW.parcel_kind, NEW.centre_id, NEW.campaign_id, NEW.window_start, NEW.window_end, NEW.status);
END;

CREATE TRIGGER pickups_digest_delete AFTER DELETE ON pickups BEGIN
	INSERT INTO digest_log (sign, code, name, profession, parcel_kind, centre_id, campaign_id, window_start, window_end, status) VALUES (-1, OLD.code, OLD.name, OLD.profession, OLD.parcel_kind, OLD.centre_id, OLD.campaign_id, OLD.window_start, OLD.window_end, OLD.status);
END;

INSERT INTO digest_log (sign, code, name, profession, parcel_kind, centre_id, campaign_id, window_start, window_end, status) SELECT 1, code, name, profession, parcel_kind, centre_id, campaign_id, window_start, window_end, status FROM pickups;
