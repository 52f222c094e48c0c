-- Version 10: the shortage forecast reads the parcels still expected as
-- groups (centre, status, campaign, parcel kind, profession, window) with
-- their count, kept as the pickups change, so it costs the number of
-- groups (tens), not the number of pickups (a million).
CREATE TABLE pickup_groups (
	centre_id    TEXT NOT NULL,
	status       TEXT NOT NULL,
	campaign_id  TEXT NOT NULL,
	parcel_kind  TEXT NOT NULL,
	profession   TEXT NOT NULL,
	window_start TEXT NOT NULL,
	window_end   TEXT NOT NULL,
	n            INTEGER NOT NULL,
	PRIMARY KEY (centre_id, status, campaign_id, parcel_kind, profession, window_start, window_end)
) STRICT, WITHOUT ROWID;

CREATE TRIGGER pickups_groups_insert AFTER INSERT ON pickups BEGIN
	INSERT INTO pickup_groups VALUES (NEW.centre_id, NEW.status, NEW.campaign_id, NEW.parcel_kind, NEW.profession, NEW.window_start, NEW.window_end, 1)
		ON CONFLICT DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER pickups_groups_update AFTER UPDATE OF centre_id, status, campaign_id, parcel_kind, profession, window_start, window_end ON pickups
	WHEN OLD.centre_id IS NOT NEW.centre_id OR OLD.status IS NOT NEW.status OR OLD.campaign_id IS NOT NEW.campaign_id OR OLD.parcel_kind IS NOT NEW.parcel_kind
		OR OLD.profession IS NOT NEW.profession OR OLD.window_start IS NOT NEW.window_start OR OLD.window_end IS NOT NEW.window_end
BEGIN
	UPDATE pickup_groups SET n = n - 1 WHERE centre_id = OLD.centre_id AND status = OLD.status AND campaign_id = OLD.campaign_id
		AND parcel_kind = OLD.parcel_kind AND profession = OLD.profession AND window_start = OLD.window_start AND window_end = OLD.window_end;
	INSERT INTO pickup_groups VALUES (NEW.centre_id, NEW.status, NEW.campaign_id, NEW.parcel_kind, NEW.profession, NEW.window_start, NEW.window_end, 1)
		ON CONFLICT DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER pickups_groups_delete AFTER DELETE ON pickups BEGIN
	UPDATE pickup_groups SET n = n - 1 WHERE centre_id = OLD.centre_id AND status = OLD.status AND campaign_id = OLD.campaign_id
		AND parcel_kind = OLD.parcel_kind AND profession = OLD.profession AND window_start = OLD.window_start AND window_end = OLD.window_end;
END;

INSERT INTO pickup_groups SELECT centre_id, status, campaign_id, parcel_kind, profession, window_start, window_end, count(*)
	FROM pickups GROUP BY centre_id, status, campaign_id, parcel_kind, profession, window_start, window_end;
