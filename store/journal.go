package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/pickup-terminal/pickup"
)

// genesisHash is the prev_hash of the first journal entry.
const genesisHash = "0000000000000000000000000000000000000000000000000000000000000000"

func entryHash(prev string, body []byte) string {
	h := sha256.New()
	h.Write([]byte(prev))
	h.Write([]byte{'\n'})
	h.Write(body)
	return hex.EncodeToString(h.Sum(nil))
}

// ownEvent is ev as a fact of this terminal: a new id, the terminal and
// its centre, recorded at.
func ownEvent(id Identity, at time.Time, ev pickup.Event) pickup.Event {
	ev.ID, ev.TerminalID, ev.CentreID, ev.At = uuid.NewString(), id.TerminalID, id.Centre.ID, at
	return ev
}

// appendEvent adds ev to the hash-chained journal and the outbox, in tx.
func appendEvent(ctx context.Context, tx *sql.Tx, ev pickup.Event) error {
	body, err := json.Marshal(ev)
	if err != nil {
		return fmt.Errorf("encode event: %w", err)
	}
	var prev string
	var last int64
	err = tx.QueryRowContext(ctx, "SELECT seq, hash FROM journal ORDER BY seq DESC LIMIT 1").Scan(&last, &prev)
	if errors.Is(err, sql.ErrNoRows) {
		prev, err = genesisHash, nil
	}
	if err != nil {
		return fmt.Errorf("read journal head: %w", err)
	}
	hash := entryHash(prev, body)
	seq := last + 1
	if _, err := tx.ExecContext(ctx, `INSERT INTO journal(seq, id, type, code, at, body, prev_hash, hash) VALUES(?, ?, ?, ?, ?, ?, ?, ?)`,
		seq, ev.ID, string(ev.Type), string(ev.Code), fmtTime(ev.At), string(body), prev, hash); err != nil {
		return fmt.Errorf("append journal: %w", err)
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO outbox(event_id, seq, body) VALUES(?, ?, ?)", ev.ID, seq, string(body)); err != nil {
		return fmt.Errorf("queue event: %w", err)
	}
	return setSetting(ctx, tx, KeyJournalHead, fmt.Sprintf("%d:%s", seq, hash))
}

// VerifyResult is what VerifyLog found.
type VerifyResult struct {
	Entries int    `json:"entries"`
	OK      bool   `json:"ok"`
	Seq     int64  `json:"first_broken_seq,omitempty"`
	EventID string `json:"first_broken_event_id,omitempty"`
	Reason  string `json:"reason,omitempty"`
}

// VerifyLog walks the journal's hash chain and names the first broken entry.
func (s *Store) VerifyLog(ctx context.Context) (VerifyResult, error) {
	var res VerifyResult
	rows, err := s.db.QueryContext(ctx, "SELECT seq, id, type, code, body, prev_hash, hash FROM journal ORDER BY seq")
	if err != nil {
		return res, fmt.Errorf("verify log: %w", err)
	}
	defer rows.Close()
	prev := genesisHash
	var want int64 = 1
	broken := func(seq int64, id, reason string) {
		if res.Reason == "" {
			res.Seq, res.EventID, res.Reason = seq, id, reason
		}
	}
	for rows.Next() {
		var seq int64
		var id, typ, code, body, prevHash, hash string
		if err := rows.Scan(&seq, &id, &typ, &code, &body, &prevHash, &hash); err != nil {
			return res, fmt.Errorf("verify log: %w", err)
		}
		res.Entries++
		var ev pickup.Event
		switch {
		case seq != want:
			broken(seq, id, fmt.Sprintf("entry %d missing before this one", want))
		case prevHash != prev:
			broken(seq, id, "does not chain to the previous entry")
		case entryHash(prevHash, []byte(body)) != hash:
			broken(seq, id, "content changed after it was written")
		case json.Unmarshal([]byte(body), &ev) != nil || ev.ID != id || string(ev.Type) != typ || string(ev.Code) != code:
			broken(seq, id, "columns disagree with the hashed content")
		}
		prev, want = hash, seq+1
	}
	if err := rows.Err(); err != nil {
		return res, fmt.Errorf("verify log: %w", err)
	}
	if res.Reason == "" {
		head, err := getSetting(ctx, s.db, KeyJournalHead)
		if err != nil {
			return res, fmt.Errorf("verify log: %w", err)
		}
		if got := fmt.Sprintf("%d:%s", want-1, prev); head != "" && head != got || head == "" && res.Entries > 0 {
			broken(want, "", "entries missing at the end of the log")
		}
	}
	res.OK = res.Reason == ""
	return res, nil
}
