package peer

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"log"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/mdns"

	"github.com/pickup-terminal/pickup/store"
)

// ServiceName is the DNS-SD service counters advertise on the LAN.
const ServiceName = "_pickup-peer._tcp"

// Discovery advertises this counter by mDNS/DNS-SD and finds the other
// counters of its centre. An advertisement names no centre: its TXT
// record carries a tag derived from the centre's peer key (c=…), so that
// counters of other centres, and anyone without the key, learn only that
// a Pickup counter is there; whoever answers still has to prove itself
// in the exchange.
type Discovery struct {
	Store *store.Store
	Every time.Duration // between queries; 5 s when zero

	mu    sync.Mutex
	found map[string]time.Time // host:port → last seen
}

// centreTag is the TXT tag of a centre's counters.
func centreTag(key []byte) string {
	h := hmac.New(sha256.New, key)
	h.Write([]byte("mdns"))
	return hex.EncodeToString(h.Sum(nil)[:6])
}

// lanIPs are this machine's IPv4 addresses other than loopback.
func lanIPs() []net.IP {
	var out []net.IP
	addrs, _ := net.InterfaceAddrs()
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && !n.IP.IsLoopback() && n.IP.To4() != nil {
			out = append(out, n.IP)
		}
	}
	return out
}

// Addrs returns the peers seen in the last minute.
func (d *Discovery) Addrs() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	var out []string
	for a, at := range d.found {
		if time.Since(at) < time.Minute {
			out = append(out, a)
		}
	}
	return out
}

// Run advertises port and queries until ctx ends. It waits for a peer key
// (the first sync with the registry) before it advertises anything.
func (d *Discovery) Run(ctx context.Context, port int) error {
	every := d.Every
	if every <= 0 {
		every = 5 * time.Second
	}
	quiet := log.New(io.Discard, "", 0)
	var srv *mdns.Server
	defer func() {
		if srv != nil {
			srv.Shutdown()
		}
	}()
	tag := ""
	for {
		cfg, err := d.Store.PeerConfig(ctx)
		if err == nil && len(cfg.Key) > 0 && centreTag(cfg.Key) != tag {
			if srv != nil {
				srv.Shutdown()
				srv = nil
			}
			tag = centreTag(cfg.Key)
			svc, err := mdns.NewMDNSService(cfg.TerminalID, ServiceName, "", "", port, lanIPs(), []string{"c=" + tag, "t=" + cfg.TerminalID})
			if err != nil {
				return fmt.Errorf("mdns: %w", err)
			}
			if srv, err = mdns.NewServer(&mdns.Config{Zone: svc, Logger: quiet}); err != nil {
				return fmt.Errorf("mdns: %w", err)
			}
		}
		if tag != "" {
			d.query(ctx, tag, cfg.TerminalID, quiet)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(every):
		}
	}
}

func (d *Discovery) query(ctx context.Context, tag, self string, quiet *log.Logger) {
	entries := make(chan *mdns.ServiceEntry, 64)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for e := range entries {
			var c, t string
			for _, f := range e.InfoFields {
				if v, ok := strings.CutPrefix(f, "c="); ok {
					c = v
				} else if v, ok := strings.CutPrefix(f, "t="); ok {
					t = v
				}
			}
			if c != tag || t == self || e.AddrV4 == nil || e.Port <= 0 {
				continue
			}
			d.mu.Lock()
			if d.found == nil {
				d.found = map[string]time.Time{}
			}
			d.found[net.JoinHostPort(e.AddrV4.String(), strconv.Itoa(e.Port))] = time.Now()
			d.mu.Unlock()
		}
	}()
	p := mdns.DefaultParams(ServiceName)
	p.Entries, p.Timeout, p.DisableIPv6, p.Logger = entries, time.Second, true, quiet
	mdns.QueryContext(ctx, p) // nothing found on an error: listed peers still work
	close(entries)
	<-done
}
