package cli

import (
	"context"

	"github.com/pickup-terminal/pickup"
	"github.com/pickup-terminal/pickup/assets/i18n"
	"github.com/pickup-terminal/pickup/store"
)

// labels names the campaign's items, sizes and professions in the user's
// language, for every list and report the command line prints.
type labels struct {
	tr *i18n.Catalog
	// camp is the terminal's campaign; nil when it has none yet or it
	// cannot be read, and the raw names are printed.
	camp *pickup.Campaign
}

// labels reads the campaign the terminal's lists are named by.
func (c *ctx) labels(ctx context.Context, s *store.Store) labels {
	camp, _ := s.Campaign(ctx, "")
	return labels{tr: c.tr, camp: camp}
}

// item is an item's name, with its size when it has one: "Gloves M".
func (l labels) item(item, size string) string { return l.tr.ItemSize(l.camp, item, size) }

// profession is a profession's name.
func (l labels) profession(p string) string { return l.tr.Profession(l.camp, p) }
