package registry

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strconv"
)

// metaPeerMaster holds the registry's random secret the centres' peer keys
// are derived from.
const metaPeerMaster = "peer_master"

// PeerKey returns the key the counters of a centre authenticate each other
// with on the LAN (sync/peer), and its epoch: the number of the centre's
// revoked terminals. A revocation changes the epoch and so the key; a
// revoked terminal cannot pull the new one, and its peers refuse it once
// their own pull brought it. The key is derived, never stored per centre:
// HMAC-SHA256(master, "pickup-peer" centre epoch).
func (reg *Registry) PeerKey(ctx context.Context, centreID string) ([]byte, int64, error) {
	master, err := reg.Meta(ctx, metaPeerMaster)
	if err != nil {
		return nil, 0, err
	}
	if master == "" {
		b := make([]byte, 32)
		rand.Read(b)
		if err := reg.write(ctx, func(tx *wtx) error {
			_, err := tx.ExecContext(ctx, "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING", metaPeerMaster, base64.StdEncoding.EncodeToString(b))
			return err
		}); err != nil {
			return nil, 0, fmt.Errorf("peer key: %w", err)
		}
		if master, err = reg.Meta(ctx, metaPeerMaster); err != nil {
			return nil, 0, err
		}
	}
	m, err := base64.StdEncoding.DecodeString(master)
	if err != nil || len(m) < 32 {
		return nil, 0, fmt.Errorf("peer key: master secret unreadable")
	}
	var epoch int64
	if err := reg.r.QueryRowContext(ctx, "SELECT count(*) FROM terminals WHERE centre_id = ? AND revoked_at IS NOT NULL", centreID).Scan(&epoch); err != nil {
		return nil, 0, fmt.Errorf("peer key: %w", err)
	}
	h := hmac.New(sha256.New, m)
	h.Write([]byte("pickup-peer\x00" + centreID + "\x00" + strconv.FormatInt(epoch, 10)))
	return h.Sum(nil), epoch, nil
}
