-- Version 12: during a bulk load (0011) the national locator's entries
-- are appended here in the order the pages bring them, and merged into
-- the locator once, in hash order, at the load's end: inserting each
-- page's entries at random places of a 17 MB table rewrote most of its
-- pages at every page's commit. A lookup during the load reads the
-- latest entry for its hash here first.
CREATE TABLE locator_stage (
	seq    INTEGER PRIMARY KEY,
	hash   INTEGER NOT NULL,
	centre INTEGER NOT NULL -- locator_centres.n, or -1: no longer another centre's code
) STRICT;
