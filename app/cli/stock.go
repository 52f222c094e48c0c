package cli

import (
	"context"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/pickup-terminal/pickup/internal/cmdkit"
	"github.com/pickup-terminal/pickup/store"
)

type stockHistoryOptions struct {
	*ctx
	handovers bool
	limit     int
}

func newCmdStockHistory(o *stockHistoryOptions) *cobra.Command {
	return cmdkit.Command(o, withSetUpStore(runStockHistory), "history [--handovers] [--limit N]",
		"the stock movements, newest first: receptions, counts and losses at every counter of the centre, with their reasons",
		cmdkit.Flag(&o.handovers, "handovers", false, "list handovers and undos too"),
		cmdkit.Flag(&o.limit, "limit", 200, "at most this many movements"))
}

func runStockHistory(ctx context.Context, c *stockHistoryOptions, s *store.Store) error {
	if c.limit <= 0 || c.limit > 100_000 {
		return usagef("--limit %d: want 1 to 100000", c.limit)
	}
	moves, err := s.StockMoves(ctx, store.MovesFilter{Handovers: c.handovers, Limit: c.limit})
	return printList(c, "moves", moves, err, func() error { return printMoves(ctx, c, s, moves) })
}

func printMoves(ctx context.Context, c *stockHistoryOptions, s *store.Store, moves []store.StockMove) error {
	lb := c.labels(ctx, s)
	for _, m := range moves {
		name := lb.item(m.Item, m.Size)
		change := strconv.Itoa(m.Delta)
		if m.Delta > 0 {
			change = "+" + change
		}
		if m.Level != nil {
			change += " (= " + strconv.Itoa(*m.Level) + ")"
		}
		why := m.Reason
		if m.Ref != "" {
			why = m.Ref + " " + why
		}
		c.printf("%s  %-12s %-9s %-24s %12s  %s\n", m.At.Local().Format("2006-01-02 15:04"), m.TerminalID, m.Kind, name, change, why)
	}
	c.printf("%d movements\n", len(moves))
	return nil
}
