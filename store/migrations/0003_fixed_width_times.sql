-- Version 3: every stored time in one fixed-width UTC form,
-- "2006-01-02T15:04:05.000Z" (to the millisecond), so that times compare
-- and sort correctly as text. Earlier versions wrote time.RFC3339Nano,
-- whose width varies: "…00.5Z" sorted before "…00Z", and a handover half a
-- second after midnight was not counted in "today".
--
-- Only the time columns change. The journal's hash chain covers prev_hash
-- and body (the event's JSON, which keeps its own time text): its "at"
-- column is derived from body, outside the hash, so rewriting it keeps
-- 'pickup verify-log' passing. Its append-only trigger is lifted for this
-- one statement and put back as it was.
--
-- Old text is "YYYY-MM-DDTHH:MM:SS" then an optional "." and 1 to 9
-- digits, then "Z": the fraction is cut (not rounded) to 3 digits, as Go's
-- formatting does.

DROP TRIGGER journal_no_update;
UPDATE journal SET at = substr(at, 1, 19) || '.' || substr(trim(substr(at, 20), '.Z') || '000', 1, 3) || 'Z' WHERE at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z';
UPDATE redemptions SET at = substr(at, 1, 19) || '.' || substr(trim(substr(at, 20), '.Z') || '000', 1, 3) || 'Z' WHERE at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z';
UPDATE stock_moves SET at = substr(at, 1, 19) || '.' || substr(trim(substr(at, 20), '.Z') || '000', 1, 3) || 'Z' WHERE at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z';
UPDATE conflicts SET at = substr(at, 1, 19) || '.' || substr(trim(substr(at, 20), '.Z') || '000', 1, 3) || 'Z' WHERE at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z';
UPDATE conflicts SET seen_at = substr(seen_at, 1, 19) || '.' || substr(trim(substr(seen_at, 20), '.Z') || '000', 1, 3) || 'Z' WHERE seen_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z';
UPDATE shipments SET sent_at = substr(sent_at, 1, 19) || '.' || substr(trim(substr(sent_at, 20), '.Z') || '000', 1, 3) || 'Z' WHERE sent_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z';
UPDATE settings SET value = substr(value, 1, 19) || '.' || substr(trim(substr(value, 20), '.Z') || '000', 1, 3) || 'Z'
	WHERE key IN ('set_up_at', 'last_refresh', 'last_sync') AND value GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z';
CREATE TRIGGER journal_no_update BEFORE UPDATE OF seq, id, type, code, at, body, prev_hash, hash ON journal
BEGIN SELECT RAISE(ABORT, 'journal is append-only'); END;
