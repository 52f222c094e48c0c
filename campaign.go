package pickup

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"sort"

	"github.com/pickup-terminal/pickup/assets"
)

// Names maps a language tag ("en", "fr", "nl", "de") to a display name.
type Names map[string]string

// In returns the name in lang, falling back to English, then to any name.
func (n Names) In(lang string) string {
	if s, ok := n[lang]; ok && s != "" {
		return s
	}
	if s, ok := n["en"]; ok && s != "" {
		return s
	}
	keys := make([]string, 0, len(n))
	for k := range n {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if n[k] != "" {
			return n[k]
		}
	}
	return ""
}

// Item is something a centre hands out and counts, in units.
type Item struct {
	ID    string   `json:"id"`
	Names Names    `json:"names"`
	Sizes []string `json:"sizes,omitempty"`    // e.g. gloves S, M, L, XL; empty for unsized items
	Box   int      `json:"box_size,omitempty"` // units per box, for allocations rounded up to whole boxes
}

// Sized reports whether the item is tracked per size.
func (it Item) Sized() bool { return len(it.Sizes) > 0 }

// ContentLine is one item of a parcel kind: a fixed quantity, or, when
// PerDay is set, the profession's per-day rate times the campaign's period,
// rounded up to whole boxes.
type ContentLine struct {
	Item   string `json:"item"`
	Qty    int    `json:"qty,omitempty"`
	PerDay bool   `json:"per_day,omitempty"`
}

// ParcelKind is a kind of parcel with its contents.
type ParcelKind struct {
	ID       string        `json:"id"`
	Names    Names         `json:"names"`
	Contents []ContentLine `json:"contents"`
}

// Phase is a stage of a campaign with its own pickup window.
type Phase struct {
	ID           string `json:"id"`
	RequestsOpen Date   `json:"requests_open"`
	Pickup       Window `json:"pickup"`
}

// Profession says which parcel kind and phase a profession gets.
type Profession struct {
	ID         string `json:"id"`
	Names      Names  `json:"names"`
	ParcelKind string `json:"parcel_kind"`
	Phase      string `json:"phase"`
	PerDay     int    `json:"per_day,omitempty"` // units per day, for per-day parcel contents
	Note       string `json:"note,omitempty"`    // eligibility detail, e.g. "graduated in 2020"
}

// Campaign is a distribution campaign, entirely data.
type Campaign struct {
	ID          string       `json:"id"`
	Names       Names        `json:"names"`
	Source      string       `json:"source,omitempty"`
	OnePerPro   bool         `json:"one_parcel_per_professional"`
	PeriodDays  int          `json:"period_days,omitempty"` // allocation period, for per-day contents
	Items       []Item       `json:"items"`
	ParcelKinds []ParcelKind `json:"parcel_kinds"`
	Phases      []Phase      `json:"phases"`
	Professions []Profession `json:"professions"`
}

// Line is a resolved parcel line: an item (and size, where chosen) and a
// quantity in units.
type Line struct {
	Item string `json:"item"`
	Size string `json:"size,omitempty"`
	Qty  int    `json:"qty"`
}

// ParseCampaign reads and validates a campaign definition.
func ParseCampaign(b []byte) (*Campaign, error) {
	var c Campaign
	if err := json.Unmarshal(b, &c); err != nil {
		return nil, fmt.Errorf("parse campaign: %w", err)
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return &c, nil
}

// Validate checks that every reference in the campaign resolves.
func (c *Campaign) Validate() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if !ValidID(c.ID) {
		bad("campaign id %q invalid", c.ID)
	}
	seen := map[string]bool{}
	for _, it := range c.Items {
		if !ValidID(it.ID) || seen["item:"+it.ID] {
			bad("item id %q invalid or repeated", it.ID)
		}
		seen["item:"+it.ID] = true
	}
	for _, k := range c.ParcelKinds {
		if !ValidID(k.ID) || seen["kind:"+k.ID] {
			bad("parcel kind id %q invalid or repeated", k.ID)
		}
		seen["kind:"+k.ID] = true
		if len(k.Contents) == 0 {
			bad("parcel kind %q has no contents", k.ID)
		}
		for _, l := range k.Contents {
			it, ok := c.Item(l.Item)
			switch {
			case !ok:
				bad("parcel kind %q: unknown item %q", k.ID, l.Item)
			case l.PerDay && (c.PeriodDays <= 0 || it.Box <= 0):
				bad("parcel kind %q: per-day item %q needs period_days and box_size", k.ID, l.Item)
			case !l.PerDay && l.Qty <= 0:
				bad("parcel kind %q: item %q needs a positive qty", k.ID, l.Item)
			}
		}
	}
	for _, p := range c.Phases {
		if !ValidID(p.ID) || seen["phase:"+p.ID] {
			bad("phase id %q invalid or repeated", p.ID)
		}
		seen["phase:"+p.ID] = true
		if !p.Pickup.Valid() {
			bad("phase %q: invalid pickup window", p.ID)
		}
	}
	for _, p := range c.Professions {
		if !ValidID(p.ID) || seen["prof:"+p.ID] {
			bad("profession id %q invalid or repeated", p.ID)
		}
		seen["prof:"+p.ID] = true
		k, ok := c.ParcelKind(p.ParcelKind)
		if !ok {
			bad("profession %q: unknown parcel kind %q", p.ID, p.ParcelKind)
		} else if slices.ContainsFunc(k.Contents, func(l ContentLine) bool { return l.PerDay }) && p.PerDay <= 0 {
			bad("profession %q: parcel kind %q needs a per_day rate", p.ID, k.ID)
		}
		if _, ok := c.Phase(p.Phase); !ok {
			bad("profession %q: unknown phase %q", p.ID, p.Phase)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("campaign %q: %w", c.ID, err)
	}
	return nil
}

// Item returns the item with the given id.
func (c *Campaign) Item(id string) (Item, bool) {
	return byID(c.Items, id, func(x Item) string { return x.ID })
}

// ParcelKind returns the parcel kind with the given id.
func (c *Campaign) ParcelKind(id string) (ParcelKind, bool) {
	return byID(c.ParcelKinds, id, func(x ParcelKind) string { return x.ID })
}

// Phase returns the phase with the given id.
func (c *Campaign) Phase(id string) (Phase, bool) {
	return byID(c.Phases, id, func(x Phase) string { return x.ID })
}

// Profession returns the profession with the given id.
func (c *Campaign) Profession(id string) (Profession, bool) {
	return byID(c.Professions, id, func(x Profession) string { return x.ID })
}

// byID returns the first element of list whose id is id.
func byID[T any](list []T, id string, idOf func(T) string) (T, bool) {
	for _, x := range list {
		if idOf(x) == id {
			return x, true
		}
	}
	var zero T
	return zero, false
}

// WindowFor returns the pickup window of a profession's phase.
func (c *Campaign) WindowFor(professionID string) (Window, error) {
	p, ok := c.Profession(professionID)
	if !ok {
		return Window{}, fmt.Errorf("campaign %s: unknown profession %q", c.ID, professionID)
	}
	ph, _ := c.Phase(p.Phase)
	return ph.Pickup, nil
}

// RoundUpToBox rounds units up to a whole number of boxes of size box.
func RoundUpToBox(units, box int) int {
	if box <= 0 {
		return units
	}
	return (units + box - 1) / box * box
}

// Contents resolves what a parcel of kind holds for a profession: fixed
// quantities as they are, per-day lines as rate × period days rounded up to
// whole boxes. professionID may be empty for kinds with only fixed lines.
func (c *Campaign) Contents(kindID, professionID string) ([]Line, error) {
	k, ok := c.ParcelKind(kindID)
	if !ok {
		return nil, fmt.Errorf("campaign %s: unknown parcel kind %q", c.ID, kindID)
	}
	lines := make([]Line, 0, len(k.Contents))
	for _, l := range k.Contents {
		qty := l.Qty
		if l.PerDay {
			p, ok := c.Profession(professionID)
			if !ok || p.PerDay <= 0 {
				return nil, fmt.Errorf("campaign %s: parcel kind %q needs the profession's per-day rate", c.ID, kindID)
			}
			it, _ := c.Item(l.Item)
			qty = RoundUpToBox(p.PerDay*c.PeriodDays, it.Box)
		}
		lines = append(lines, Line{Item: l.Item, Qty: qty})
	}
	return lines, nil
}

// SizeRefusal says why a parcel's size was refused: Reason is
// "size_required" (none chosen), "unknown_size" (the item has no such
// size) or "out_of_stock" (Have units of Size, Need needed). Available
// lists the sizes that can still be handed over, with their stock.
type SizeRefusal struct {
	Reason    string      `json:"reason"`
	Item      string      `json:"item"`
	Size      string      `json:"size,omitempty"`
	Have      int         `json:"have,omitempty"`
	Need      int         `json:"need"`
	Available []SizeStock `json:"sizes_left"`
}

// SizeStock is the stock of one size.
type SizeStock struct {
	Size string `json:"size"`
	Qty  int    `json:"qty"`
}

// SizedLine returns the line of a parcel whose size the counter asks for
// (the gloves): the first line whose item comes in sizes, its index in
// lines and its item; ok is false for a parcel with no sized item. Other
// lines are handed over as they are.
func (c *Campaign) SizedLine(lines []Line) (i int, it Item, ok bool) {
	for i, l := range lines {
		if it, found := c.Item(l.Item); found && it.Sized() {
			return i, it, true
		}
	}
	return -1, Item{}, false
}

// SizedItems returns the ids of the items of kind that come in sizes.
func (c *Campaign) SizedItems(kindID string) []string {
	k, _ := c.ParcelKind(kindID)
	var out []string
	for _, l := range k.Contents {
		if it, _ := c.Item(l.Item); it.Sized() {
			out = append(out, it.ID)
		}
	}
	return out
}

// DefaultCampaignID is the campaign a stand-alone terminal starts with: the
// October 2020 strategic stock.
const DefaultCampaignID = "oct2020-strategic"

// BuiltinCampaigns returns the campaigns shipped in assets/campaigns, sorted
// by id.
func BuiltinCampaigns() ([]*Campaign, error) {
	names, err := fs.Glob(assets.Campaigns, "campaigns/*.json")
	if err != nil {
		return nil, fmt.Errorf("list built-in campaigns: %w", err)
	}
	var out []*Campaign
	for _, n := range names {
		b, err := fs.ReadFile(assets.Campaigns, n)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", path.Base(n), err)
		}
		c, err := ParseCampaign(b)
		if err != nil {
			return nil, fmt.Errorf("built-in %s: %w", path.Base(n), err)
		}
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

// BuiltinCampaign returns the built-in campaign with the given id.
func BuiltinCampaign(id string) (*Campaign, error) {
	all, err := BuiltinCampaigns()
	if err != nil {
		return nil, err
	}
	for _, c := range all {
		if c.ID == id {
			return c, nil
		}
	}
	ids := make([]string, len(all))
	for i, c := range all {
		ids[i] = c.ID
	}
	return nil, fmt.Errorf("no built-in campaign %q (have %v)", id, ids)
}
