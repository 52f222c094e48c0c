package pickup

import "slices"

// Owed items: when every size of a parcel's sized line (the gloves) is out
// of stock, the counter hands over the rest of the parcel and records the
// sized line as owed on the handover (Event.Owed). The next scan of the
// code, at any counter of the centre, answers VerdictOwed: the volunteer
// chooses the size and hands the owed items over, a fact of its own
// (EventOwedHandover) that the stock counts. One owed handover settles a
// code; a second is a double, like a second handover.

// Shortfall returns the lines of a parcel that cannot be handed over now:
// the sized line (see SizedLine) when no size has at least its quantity in
// stock, without a size (the size is chosen when it is handed over).
// have returns the stock of an item in a size. Unsized lines are not
// checked: their stock may go below zero, as a count corrects it.
func (c *Campaign) Shortfall(lines []Line, have func(item, size string) int) []Line {
	i, it, ok := c.SizedLine(lines)
	if !ok {
		return nil
	}
	need := lines[i].Qty
	for _, sz := range it.Sizes {
		if have(it.ID, sz) >= need {
			return nil
		}
	}
	return []Line{{Item: lines[i].Item, Qty: need}}
}

// Rest returns the lines of contents that are not owed: what a handover
// that leaves owed gives now.
func Rest(contents, owed []Line) []Line {
	out := make([]Line, 0, len(contents))
	for _, l := range contents {
		if !slices.ContainsFunc(owed, func(o Line) bool { return o.Item == l.Item }) {
			out = append(out, l)
		}
	}
	return out
}

// OwedState is where the owed items of a code stand.
type OwedState int

// Owed states.
const (
	OwedNone      OwedState = iota // no handover of the code left anything owed
	OwedDue                        // owed, not handed over yet
	OwedDelivered                  // owed and handed over (once or more)
)

// Owing says where the owed items of a code stand, from its handovers not
// undone and its owed handovers (not undone). It returns the owed lines
// while they are due.
func Owing(handovers, deliveries []Collection) (OwedState, []Line) {
	var owed []Line
	for _, h := range handovers {
		if len(h.Owed) > 0 {
			owed = h.Owed // a double handover owes once
			break
		}
	}
	switch {
	case len(owed) == 0:
		return OwedNone, nil
	case len(deliveries) > 0:
		return OwedDelivered, nil
	}
	return OwedDue, owed
}

// OwedNow returns the lines still owed on a code (nil when nothing is).
func OwedNow(handovers, deliveries []Collection) []Line {
	_, owed := Owing(handovers, deliveries)
	return owed
}

// OwedDeliveryDouble reports whether an owed handover, recorded after the
// deliveries already known, is a double: the owed items were handed over
// already.
func OwedDeliveryDouble(deliveries []Collection) bool { return len(deliveries) > 0 }
