-- Version 11: an initial pull (a reset page of many pickups, then the
-- pages that follow) loads the pickups with the objects that follow each
-- row set aside: the triggers that keep the forecast's pickup_groups and
-- the drift digest, and the centre index with its random-order names.
-- They cost more than the insert itself; rebuilt once at the end of the
-- pull (one GROUP BY, one pass over the rows for the digest, one sorted
-- index build) they cost a fraction. This table holds each set-aside
-- object's SQL as sqlite_schema had it, until it is restored: at the
-- pull's last page, at the next open after a killed pull, or when a pull
-- fails. A later migration that changes one of these objects must not
-- assume it exists: Open restores them only after the migrations.
CREATE TABLE deferred_schema (
	name TEXT PRIMARY KEY,
	sql  TEXT NOT NULL
) STRICT, WITHOUT ROWID;
