package i18n

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/pickup-terminal/pickup"
)

// Message is a verdict in words: a short title for large type, detail lines
// (who, what, where, when) and what to do next.
type Message struct {
	Title  string   `json:"title"`
	Detail []string `json:"detail,omitempty"`
	Next   string   `json:"next"`
}

// Describe puts a verdict into words. camp names professions and items (it
// may be nil); loc is the time zone for times.
func (c *Catalog) Describe(v pickup.Verdict, camp *pickup.Campaign, loc *time.Location) Message {
	k := string(v.Kind)
	m := Message{Title: c.T("verdict." + k + ".title"), Next: c.T("verdict." + k + ".next")}
	date := func(d pickup.Date) string { return c.Date(d.Year, d.Month, d.Day) }
	switch v.Kind {
	case pickup.VerdictOK:
		if p := v.Pickup; p != nil && p.Name != "" {
			m.Detail = append(m.Detail, p.Name+" — "+c.Profession(camp, p.Profession))
		}
		if len(v.Contents) > 0 {
			m.Detail = append(m.Detail, c.Contents(camp, v.Contents))
		}
		if v.OnSignature {
			m.Detail = append(m.Detail, c.T("verdict.ok.on_signature"))
		}
		if len(v.Owed) > 0 {
			// Every glove size is out: the rest goes now, the gloves are owed.
			m.Title, m.Next = c.T("verdict.ok.owed.title"), c.T("verdict.ok.owed.next")
			m.Detail = append([]string{c.T("verdict.ok.owed")}, m.Detail...)
		}
	case pickup.VerdictOwed:
		for _, col := range v.Collected {
			if len(col.Owed) > 0 {
				m.Detail = append(m.Detail, c.T("verdict.owed.detail", "when", c.DateTime(col.At, loc)))
			}
		}
		m.Detail = append(m.Detail, c.T("verdict.owed.items", "items", c.Contents(camp, v.Owed)))
	case pickup.VerdictAlreadyCollected:
		if len(v.Collected) == 0 {
			m.Detail = append(m.Detail, c.T("verdict.already_collected.detail_unknown"))
		}
		for _, col := range v.Collected {
			centre := col.CentreName
			if centre == "" {
				centre = col.CentreID
			}
			m.Detail = append(m.Detail, c.T("verdict.already_collected.detail",
				"when", c.DateTime(col.At, loc), "centre", centre, "terminal", col.TerminalID))
		}
	case pickup.VerdictNotYetOpen:
		m.Detail = []string{c.T("verdict.not_yet_open.detail", "date", date(v.Opens))}
		m.Next = c.T("verdict.not_yet_open.next", "date", date(v.Opens))
	case pickup.VerdictWindowClosed:
		m.Detail = []string{c.T("verdict.window_closed.detail", "date", date(v.Closed))}
	case pickup.VerdictWrongCentre:
		rc := v.RightCentre
		if rc == nil {
			rc = &pickup.Centre{}
		}
		name := rc.Name
		if name == "" {
			name = c.T("unknown_centre", "id", rc.ID)
		}
		m.Detail = []string{c.T("verdict.wrong_centre.detail", "centre", name)}
		if rc.Address != "" {
			m.Detail = append(m.Detail, c.T("verdict.wrong_centre.address", "address", rc.Address))
		}
		if rc.Hours != "" {
			m.Detail = append(m.Detail, c.T("verdict.wrong_centre.hours", "hours", c.Hours(rc.Hours)))
		}
	case pickup.VerdictCancelled:
		if v.Reason == "revoked" {
			m.Detail = []string{c.T("verdict.cancelled.detail_revoked")}
		} else {
			m.Detail = []string{c.T("verdict.cancelled.detail")}
		}
	case pickup.VerdictUnknownCode:
		m.Detail = []string{c.T("verdict.unknown_code.detail", "when", c.DateTime(v.LastRefresh, loc))}
	case pickup.VerdictInvalidCode:
		switch v.Reason {
		case "too_long":
			m.Title = c.T("verdict.invalid_code.too_long.title")
			m.Detail = []string{c.T("verdict.invalid_code.too_long", "n", fmt.Sprint(v.ReasonN))}
			m.Next = c.T("verdict.invalid_code.too_long.next")
		case "length", "character", "empty":
			m.Detail = []string{c.T("verdict.invalid_code."+v.Reason, "n", fmt.Sprint(v.ReasonN), "pos", fmt.Sprint(v.ReasonN))}
		default:
			m.Detail = []string{c.T("verdict.invalid_code.check")}
		}
	case pickup.VerdictBadSignature:
		m.Detail = []string{c.T("verdict.bad_signature.detail")}
	}
	return m
}

// named returns the name find gives in the language, or id when there is
// no campaign or find does not know it.
func (c *Catalog) named(camp *pickup.Campaign, id string, find func(*pickup.Campaign) (pickup.Names, bool)) string {
	if camp != nil {
		if n, ok := find(camp); ok {
			return n.In(c.Lang)
		}
	}
	return id
}

// Profession returns a profession's name in the language, or the text as
// given when the campaign does not know it.
func (c *Catalog) Profession(camp *pickup.Campaign, id string) string {
	return c.named(camp, id, func(camp *pickup.Campaign) (pickup.Names, bool) {
		p, ok := camp.Profession(id)
		return p.Names, ok
	})
}

// ParcelKind returns a parcel kind's name in the language, or its id when
// the campaign does not know it.
func (c *Catalog) ParcelKind(camp *pickup.Campaign, id string) string {
	return c.named(camp, id, func(camp *pickup.Campaign) (pickup.Names, bool) {
		k, ok := camp.ParcelKind(id)
		return k.Names, ok
	})
}

// ItemName returns an item's name in the language.
func (c *Catalog) ItemName(camp *pickup.Campaign, id string) string {
	return c.named(camp, id, func(camp *pickup.Campaign) (pickup.Names, bool) {
		it, ok := camp.Item(id)
		return it.Names, ok
	})
}

// ItemSize names an item and its size, if any: "Gloves M", "Gowns".
func (c *Catalog) ItemSize(camp *pickup.Campaign, id, size string) string {
	if size == "" {
		return c.ItemName(camp, id)
	}
	return c.ItemName(camp, id) + " " + size
}

// Contents lists a parcel: "500 Gloves (M) · 50 Gowns · …".
func (c *Catalog) Contents(camp *pickup.Campaign, lines []pickup.Line) string {
	parts := make([]string, 0, len(lines))
	for _, l := range lines {
		s := fmt.Sprintf("%d %s", l.Qty, c.ItemName(camp, l.Item))
		if l.Size != "" {
			s += " (" + l.Size + ")"
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, " · ")
}

// englishDays are the day abbreviations a centre's opening hours are
// written with at the registry (Mon–Fri 9:00–17:00, Sat 9:00–12:00).
var englishDays = []string{"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"}

// Hours puts a centre's opening hours, as the registry holds them, in the
// catalogue's language: each English day abbreviation standing as a word
// becomes the language's (day.short.1–7); the rest is left as written.
func (c *Catalog) Hours(hours string) string {
	var b strings.Builder
	word := func(w string) {
		if i := slices.Index(englishDays, w); i >= 0 {
			w = c.T("day.short." + strconv.Itoa(i+1))
		}
		b.WriteString(w)
	}
	start := -1
	for i, r := range hours {
		letter := unicode.IsLetter(r)
		switch {
		case letter && start < 0:
			start = i
		case !letter && start >= 0:
			word(hours[start:i])
			start = -1
		}
		if !letter {
			b.WriteRune(r)
		}
	}
	if start >= 0 {
		word(hours[start:])
	}
	return b.String()
}
