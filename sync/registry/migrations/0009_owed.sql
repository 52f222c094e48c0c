-- Owed items (issue 11 item 4): what a handover could not give because
-- every glove size was out (a JSON array of parcel lines, '' for none), and
-- the owed handovers that give it later (type 'owed_handover', a code's
-- first one accepted, a second one a conflict).
ALTER TABLE events ADD COLUMN owed TEXT NOT NULL DEFAULT '';
CREATE INDEX events_owed_code ON events (code) WHERE type = 'owed_handover';
