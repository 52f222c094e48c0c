-- The national code locator (issue 10): for every code of another centre,
-- its keyed hash (pickup.LocatorHash with the registry's key, kept in the
-- settings as locator_key) and the centre it belongs to, as a small number
-- into locator_centres. The hash is the rowid: about 20 bytes a code.
CREATE TABLE locator (
	hash   INTEGER PRIMARY KEY,
	centre INTEGER NOT NULL
);

CREATE TABLE locator_centres (
	n         INTEGER PRIMARY KEY,
	centre_id TEXT NOT NULL UNIQUE
) STRICT;
