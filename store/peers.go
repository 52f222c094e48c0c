package store

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/pickup-terminal/pickup/internal/sqlkit"
)

// Peer setting keys.
const (
	KeyPeerKey    = "peer_key"    // the centre's peer key from the registry (base64)
	KeyPeerEpoch  = "peer_epoch"  // its epoch
	KeyPeers      = "peers"       // addresses a technician listed, comma-separated
	KeyPeerListen = "peer_listen" // this counter's peer address (host:port)
	peerPrefix    = "peer_seen:"  // + terminal id: a PeerSeen as JSON
)

// DefaultPeerListen is the peer service's address when none is set.
const DefaultPeerListen = ":7743"

// PeerConfig is what the peer service needs from the store.
type PeerConfig struct {
	TerminalID, TerminalName, CentreID string
	Key                                []byte // empty: no sync with a registry yet
	Epoch                              int64
	Peers                              []string
	Listen                             string
}

// PeerConfig returns the counter's peer settings.
func (s *Store) PeerConfig(ctx context.Context) (PeerConfig, error) {
	id, err := s.Identity(ctx)
	if err != nil {
		return PeerConfig{}, err
	}
	c := PeerConfig{TerminalID: id.TerminalID, TerminalName: id.TerminalName, CentreID: id.Centre.ID, Listen: DefaultPeerListen}
	vals := map[string]string{}
	for _, k := range []string{KeyPeerKey, KeyPeerEpoch, KeyPeers, KeyPeerListen} {
		if vals[k], err = getSetting(ctx, s.db, k); err != nil {
			return c, fmt.Errorf("read peer settings: %w", err)
		}
	}
	c.Key, _ = base64.StdEncoding.DecodeString(vals[KeyPeerKey])
	c.Epoch, _ = strconv.ParseInt(vals[KeyPeerEpoch], 10, 64)
	if vals[KeyPeerListen] != "" {
		c.Listen = vals[KeyPeerListen]
	}
	for _, a := range strings.Split(vals[KeyPeers], ",") {
		if a = strings.TrimSpace(a); a != "" {
			c.Peers = append(c.Peers, a)
		}
	}
	return c, nil
}

// SetPeerKey keeps the centre's peer key and epoch the registry sent.
func (s *Store) SetPeerKey(ctx context.Context, key []byte, epoch int64) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		if err := setSetting(ctx, tx, KeyPeerKey, base64.StdEncoding.EncodeToString(key)); err != nil {
			return err
		}
		return setSetting(ctx, tx, KeyPeerEpoch, strconv.FormatInt(epoch, 10))
	})
}

// SetPeers sets the peer addresses a technician lists (host:port, comma
// separated; empty clears them).
func (s *Store) SetPeers(ctx context.Context, list string) error {
	var out []string
	for _, a := range strings.Split(list, ",") {
		if a = strings.TrimSpace(a); a == "" {
			continue
		}
		if _, _, err := net.SplitHostPort(a); err != nil {
			return errorf(CodeInvalid, "peer address %q: want HOST:PORT (e.g. 192.168.1.12:7743)", a)
		}
		out = append(out, a)
	}
	if len(out) > 64 {
		return errorf(CodeInvalid, "%d peer addresses: at most 64", len(out))
	}
	return s.SetSetting(ctx, KeyPeers, strings.Join(out, ","))
}

// SetPeerListen sets this counter's peer address (host:port; empty: the
// default, every interface on port 7743).
func (s *Store) SetPeerListen(ctx context.Context, addr string) error {
	addr = strings.TrimSpace(addr)
	if addr != "" {
		if _, _, err := net.SplitHostPort(addr); err != nil {
			return errorf(CodeInvalid, "peer-listen %q: want HOST:PORT or :PORT (e.g. :7743)", addr)
		}
	}
	return s.SetSetting(ctx, KeyPeerListen, addr)
}

// PeerSeen is another counter of the centre this one exchanged facts with.
type PeerSeen struct {
	TerminalID   string     `json:"terminal_id"`
	Name         string     `json:"name,omitempty"`
	Addr         string     `json:"addr"`
	LastExchange time.Time  `json:"last_exchange"`
	Lag          int64      `json:"lag"` // facts it held that this counter had not received, at the last exchange
	Cursor       FeedCursor `json:"cursor"`
	LastError    string     `json:"last_error,omitempty"`
}

// Peer returns what this counter knows of a peer (zero when none).
func (s *Store) Peer(ctx context.Context, terminalID string) (PeerSeen, error) {
	v, err := getSetting(ctx, s.db, peerPrefix+terminalID)
	if err != nil || v == "" {
		return PeerSeen{TerminalID: terminalID}, err
	}
	var p PeerSeen
	err = json.Unmarshal([]byte(v), &p)
	p.Name = peerName(p.Name)
	return p, err
}

// peerName is a peer's name if it is a counter name, else "" (see
// NotePeer); names recorded before this check are read through it too.
func peerName(name string) string {
	n, err := counterName(name)
	if err != nil {
		return ""
	}
	return n
}

// NotePeer records an exchange with a peer. The name is the one the peer
// gave in its hello: one that is not a counter name (too long, control
// characters: a modified counter's) is left out, and the peer is shown by
// its terminal id.
func (s *Store) NotePeer(ctx context.Context, p PeerSeen) error {
	p.Name = peerName(p.Name)
	b, err := json.Marshal(p)
	if err != nil {
		return err
	}
	return s.SetSetting(ctx, peerPrefix+p.TerminalID, string(b))
}

// Peers lists the peers this counter exchanged facts with, by terminal id.
func (s *Store) Peers(ctx context.Context) ([]PeerSeen, error) {
	var out []PeerSeen
	err := sqlkit.Each(ctx, s.db, func(rows *sql.Rows) error {
		var v string
		if err := rows.Scan(&v); err != nil {
			return err
		}
		var p PeerSeen
		if json.Unmarshal([]byte(v), &p) == nil {
			p.Name = peerName(p.Name)
			out = append(out, p)
		}
		return nil
	}, "SELECT value FROM settings WHERE key >= ? AND key < ?", peerPrefix, peerPrefix+"\xff")
	if err != nil {
		return nil, fmt.Errorf("list peers: %w", err)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].TerminalID < out[j].TerminalID })
	return out, nil
}

// FeedHead is the end of this counter's feed (see Feed).
func (s *Store) FeedHead(ctx context.Context) (FeedCursor, error) {
	var c FeedCursor
	err := s.db.QueryRowContext(ctx, "SELECT coalesce((SELECT max(seq) FROM journal), 0), coalesce((SELECT max(fseq) FROM foreign_facts), 0)").Scan(&c.Journal, &c.Foreign)
	return c, err
}
