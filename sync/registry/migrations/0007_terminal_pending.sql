-- What each terminal last reported waiting in its outbox (facts recorded
-- at the counter the registry has not acknowledged), with the pull's
-- pending parameter, and when: shown on the console's terminals page.
-- NULL until a terminal of this version reports it.
ALTER TABLE terminals ADD COLUMN pending INTEGER;
ALTER TABLE terminals ADD COLUMN pending_at TEXT;
