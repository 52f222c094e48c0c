package cli

import (
	"context"
	"log/slog"
	"time"

	"github.com/spf13/cobra"

	"github.com/pickup-terminal/pickup/internal/cmdkit"
	"github.com/pickup-terminal/pickup/store"
	"github.com/pickup-terminal/pickup/sync/client"
	"github.com/pickup-terminal/pickup/sync/peer"
)

type runOptions struct {
	*ctx
	mdns bool
}

func newCmdRun(o *runOptions) *cobra.Command {
	return cmdkit.Command(o, withSetUpStore(runRun), "run [--mdns=false]",
		"run in the background what the window does (sync with the registry, exchange with the centre's other counters on the LAN) until stopped (SIGTERM)",
		cmdkit.Flag(&o.mdns, "mdns", true, "advertise this counter and find the others by mDNS (off: only the addresses of 'pickup config peers')"))
}

func runRun(ctx context.Context, c *runOptions, s *store.Store) error {
	log := slog.New(slog.NewTextHandler(c.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	sv := &peer.Service{Store: s, Log: log, MDNS: c.mdns}
	addr, err := sv.Listen(ctx)
	if err != nil {
		return err
	}
	log.Info("peer service", "listen", addr.String(), "mdns", c.mdns)
	done := make(chan struct{})
	if _, err := s.SyncConfig(ctx); err == nil {
		go func() {
			defer close(done)
			y := &client.Syncer{Store: s, Log: log}
			y.Run(ctx, nil)
		}()
	} else {
		close(done) // not enrolled: the LAN only
	}
	err = sv.Run(ctx)
	<-done
	return err
}

func newCmdPeers(c *ctx) *cobra.Command {
	return showCmd(c, "peers", "the centre's other counters this one exchanged facts with on the LAN: last exchange and lag",
		withSetUpStore, (*store.Store).Peers, listed("peers", printPeers))
}

// printPeers is peers' text.
func printPeers(ctx context.Context, c *ctx, s *store.Store, ps []store.PeerSeen) error {
	cfg, err := s.PeerConfig(ctx)
	if err != nil {
		return err
	}
	if len(cfg.Key) == 0 {
		c.printf("No peer key yet: sync with the registry once ('pickup sync'), then counters of this centre find each other.\n")
	}
	for _, p := range ps {
		c.printf("%-20s %-22s last exchange %s ago, lag %d\n", counterOf(p.Name, p.TerminalID), p.Addr, time.Since(p.LastExchange).Round(time.Second), p.Lag)
	}
	c.printf("%d peers (listening on %s)\n", len(ps), cfg.Listen)
	return nil
}
