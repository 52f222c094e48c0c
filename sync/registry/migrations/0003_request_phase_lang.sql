-- Requests carry the phase of their campaign they were imported for (so a
-- campaign re-imported with new dates moves the windows of that phase's
-- pickups) and the professional's language (the letter is printed in it).
-- Campaigns remember when they were imported.

ALTER TABLE pickups ADD COLUMN phase TEXT NOT NULL DEFAULT '';
ALTER TABLE pickups ADD COLUMN lang TEXT NOT NULL DEFAULT '';
ALTER TABLE campaigns ADD COLUMN imported_at TEXT NOT NULL DEFAULT '';
CREATE INDEX pickups_campaign_phase ON pickups (campaign_id, phase);
