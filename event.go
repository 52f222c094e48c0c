package pickup

import (
	"errors"
	"fmt"
	"time"
)

// EventType names a fact a terminal records and pushes to the registry.
type EventType string

// Event types.
const (
	EventHandover     EventType = "handover"      // a parcel was handed over
	EventUndo         EventType = "undo"          // a handover was undone (compensating event)
	EventStockReceive EventType = "stock_receive" // stock arrived at the centre
	EventStockCount   EventType = "stock_count"   // a physical count set the stock of an item
	EventStockLoss    EventType = "stock_loss"    // stock lost (damaged, expired, stolen), with its reason

	// EventConflictReview: a manager reviewed the double handover of Code,
	// with a note. It changes no count: the registry keeps the note with
	// the case, and the centre's other counters show it.
	EventConflictReview EventType = "conflict_review"
	// EventOwedHandover: items a handover left owed (Event.Owed: the
	// gloves, when every size was out) were handed over later.
	EventOwedHandover EventType = "owed_handover"
)

// Event is a fact recorded at a terminal. Its ID (a UUID made by the
// terminal) makes every push idempotent: the registry stores a fact once,
// however often it is sent.
type Event struct {
	ID         string    `json:"id"`
	Type       EventType `json:"type"`
	TerminalID string    `json:"terminal_id"`
	CentreID   string    `json:"centre_id"`
	At         time.Time `json:"at"` // the terminal's clock when recorded

	// Handover.
	Code        Code   `json:"code,omitempty"`
	GloveSize   string `json:"glove_size,omitempty"`
	Items       []Line `json:"items,omitempty"`
	Volunteer   string `json:"volunteer,omitempty"`
	OnSignature bool   `json:"on_signature,omitempty"`
	Signed      string `json:"signed,omitempty"` // the signed payload, when accepted on signature
	// Owed lists what a handover could not give (out of stock): it is
	// handed over later, as an owed_handover of the same code.
	Owed []Line `json:"owed,omitempty"`

	// Undo: the handover event it compensates.
	Undoes string `json:"undoes,omitempty"`

	// Stock reception, count and loss. A reception of a registry shipment
	// has Ref "shipment ID" and the quantity actually received; a reason
	// says why it differs from what was sent (0 when none of it came).
	Item   string `json:"item,omitempty"`
	Size   string `json:"size,omitempty"`
	Qty    int    `json:"qty,omitempty"` // received units, the counted quantity on hand, or the units lost
	Reason string `json:"reason,omitempty"`
	Ref    string `json:"ref,omitempty"`

	// Conflict review: the manager's note (Code names the double handover).
	Note string `json:"note,omitempty"`
}

// Bounds of an event's fields: far above what a counter records, low
// enough that no sum the registry makes can overflow and no single fact
// can fill a disk.
const (
	MaxQty       = 10_000_000 // units in one reception, count or item line
	MaxItemLines = 32         // lines of one handover
	MaxSizeLen   = 8          // a glove or item size ("S", "XL", "7.5")
)

// MaxUndoWindow is the longest undo window: a terminal cannot be given a
// longer one, and the registry honours an undo no later than this after
// the handover, on the terminal's clock and on its own.
const MaxUndoWindow = 15 * time.Minute

// Validate checks an event's shape (not its effect).
func (e Event) Validate() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if len(e.ID) != 36 {
		bad("id %q is not a UUID", e.ID)
	}
	if !ValidID(e.TerminalID) {
		bad("terminal_id %q invalid", e.TerminalID)
	}
	if !ValidID(e.CentreID) {
		bad("centre_id %q invalid", e.CentreID)
	}
	if e.At.IsZero() {
		bad("at missing")
	}
	// Every string field is bounded whatever the type (the registry
	// stores them as they come).
	if len(e.Code) > 32 || len(e.Undoes) > 36 || len(e.Item) > 64 || len(e.Volunteer) > MaxNameLen ||
		len(e.Reason) > MaxNameLen || len(e.Ref) > MaxNameLen || len(e.GloveSize) > MaxSizeLen ||
		len(e.Size) > MaxSizeLen || len(e.Signed) > MaxScanLen || len(e.Items) > MaxItemLines || len(e.Note) > MaxNoteLen || len(e.Owed) > MaxItemLines {
		bad("a field is over its length bound")
	}
	switch e.Type {
	case EventHandover:
		if _, err := ParseCode(string(e.Code)); err != nil {
			bad("code: %v", err)
		}
		if len(e.Volunteer) > MaxNameLen {
			bad("volunteer too long")
		}
		if len(e.GloveSize) > MaxSizeLen {
			bad("glove_size too long")
		}
		if len(e.Signed) > MaxScanLen {
			bad("signed payload longer than %d bytes", MaxScanLen)
		}
		if len(e.Items) > MaxItemLines {
			bad("%d item lines, at most %d", len(e.Items), MaxItemLines)
		}
		for _, l := range e.Items {
			if !validLine(l) {
				bad("item line %q×%d invalid", l.Item, l.Qty)
			}
		}
		for _, l := range e.Owed {
			if !validLine(l) {
				bad("owed line %q×%d invalid", l.Item, l.Qty)
			}
		}
	case EventOwedHandover:
		if _, err := ParseCode(string(e.Code)); err != nil {
			bad("code: %v", err)
		}
		if len(e.Items) == 0 || len(e.Owed) > 0 {
			bad("an owed handover gives item lines and owes none")
		}
		for _, l := range e.Items {
			if !validLine(l) {
				bad("item line %q×%d invalid", l.Item, l.Qty)
			}
		}
	case EventUndo:
		if len(e.Undoes) != 36 {
			bad("undoes %q is not a UUID", e.Undoes)
		}
	case EventStockReceive, EventStockCount, EventStockLoss:
		if !ValidID(e.Item) {
			bad("item %q invalid", e.Item)
		}
		// A reception of nothing is a shipment line that did not come, said why.
		nothingCame := e.Type == EventStockReceive && e.Qty == 0 && e.Reason != "" && IsShipmentRef(e.Ref)
		if e.Qty < 0 || e.Qty == 0 && e.Type != EventStockCount && !nothingCame || e.Qty > MaxQty {
			bad("qty %d invalid (1 to %d)", e.Qty, MaxQty)
		}
		if e.Type == EventStockLoss && e.Reason == "" {
			bad("a loss needs a reason")
		}
		if len(e.Size) > MaxSizeLen {
			bad("size too long")
		}
		if len(e.Reason) > MaxNameLen || len(e.Ref) > MaxNameLen {
			bad("reason or ref too long")
		}
	case EventConflictReview:
		if _, err := ParseCode(string(e.Code)); err != nil {
			bad("code: %v", err)
		}
		if n, err := CleanNote(e.Note); err != nil || n != e.Note {
			bad("note: not a clean note (%v)", err)
		}
	default:
		bad("unknown type %q", e.Type)
	}
	if e.Type != EventConflictReview && e.Note != "" {
		bad("a note on a %s", e.Type)
	}
	return errors.Join(errs...)
}

// ShipmentRefPrefix starts the reference of a reception of a registry
// shipment: "shipment ID".
const ShipmentRefPrefix = "shipment "

// IsShipmentRef reports whether ref names a registry shipment.
func IsShipmentRef(ref string) bool {
	return len(ref) > len(ShipmentRefPrefix) && ref[:len(ShipmentRefPrefix)] == ShipmentRefPrefix
}

func validLine(l Line) bool {
	return ValidID(l.Item) && l.Qty > 0 && l.Qty <= MaxQty && len(l.Size) <= MaxSizeLen
}
