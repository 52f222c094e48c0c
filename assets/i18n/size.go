package i18n

import (
	"strconv"
	"strings"

	"github.com/pickup-terminal/pickup"
)

// Number writes n with the language's thousands separator: 60 000, 60.000,
// 60,000.
func (c *Catalog) Number(n int) string {
	return GroupDigits(n, c.T("ui.number.thousands"))
}

// GroupDigits writes n with sep between groups of three digits.
func GroupDigits(n int, sep string) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteString(sep)
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// SizeRefusal puts a refused size into words: why (no size chosen, no
// such size, too little stock) and which sizes are left, with their stock.
func (c *Catalog) SizeRefusal(camp *pickup.Campaign, r pickup.SizeRefusal) (why, left string) {
	switch r.Reason {
	case "out_of_stock":
		why = c.T("handover.out_of_stock", "item", c.ItemName(camp, r.Item), "size", r.Size,
			"have", c.Number(r.Have), "need", c.Number(r.Need))
	case "unknown_size":
		why = c.T("handover.unknown_size", "size", r.Size)
	default:
		why = c.T("handover.size_required")
	}
	if len(r.Available) == 0 {
		return why, c.T("handover.no_sizes_left")
	}
	parts := make([]string, 0, len(r.Available))
	for _, a := range r.Available {
		parts = append(parts, a.Size+" ("+c.Number(a.Qty)+")")
	}
	return why, c.T("handover.sizes_left", "sizes", strings.Join(parts, ", "))
}
