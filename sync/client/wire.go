package client

import (
	"context"

	"github.com/pickup-terminal/pickup"
	"github.com/pickup-terminal/pickup/store"
	"github.com/pickup-terminal/pickup/sync/protocol"
)

// The store speaks the domain; these translate the wire format into it.

func storeEnrolment(r *protocol.EnrolResponse) store.Enrolment {
	return store.Enrolment{TerminalID: r.TerminalID, Secret: r.Secret, Centre: r.Centre, Keys: storeKeys(r.Keys), TLSPin: r.TLSPin}
}

// each translates a list, keeping nil for an empty one.
func each[T, U any](in []T, f func(T) U) []U {
	if len(in) == 0 {
		return nil
	}
	out := make([]U, len(in))
	for i, x := range in {
		out[i] = f(x)
	}
	return out
}

func storeKeys(ks []protocol.SigningKey) []store.SigningKey {
	return each(ks, func(k protocol.SigningKey) store.SigningKey {
		return store.SigningKey{KeyID: k.KeyID, PublicKey: k.PublicKey}
	})
}

func storeRows(rs []protocol.PickupRow) []store.PickupRow {
	return each(rs, func(r protocol.PickupRow) store.PickupRow { return store.PickupRow{Pickup: r.Pickup, Seq: r.Seq} })
}

// storePage translates one pull page.
func storePage(p *protocol.PullResponse) *store.Page {
	return &store.Page{DatasetID: p.DatasetID, CentreID: p.CentreID, Reset: p.Reset, After: p.After, Cursor: p.Cursor, More: p.More,
		Pickups: storeRows(p.Pickups), Keys: storeKeys(p.Keys),
		Reassigned: each(p.Reassigned, func(r protocol.Reassignment) store.Reassignment {
			return store.Reassignment{Code: r.Code, CentreID: r.CentreID, Seq: r.Seq}
		}),
		Redemptions: each(p.Redemptions, func(r protocol.Redemption) store.Redemption {
			return store.Redemption{Collection: r.Collection(), Code: r.Code, Undone: r.Undone}
		}),
		Received:  each(p.Received, func(r protocol.ReceivedFact) string { return r.EventID }),
		Campaigns: each(p.Campaigns, func(c protocol.CampaignRow) *pickup.Campaign { return c.Campaign }),
		Centres:   each(p.Centres, func(c protocol.CentreRow) pickup.Centre { return c.Centre }),
		Shipments: each(p.Shipments, func(sh protocol.Shipment) store.SentShipment {
			return store.SentShipment{ID: sh.ID, Item: sh.Item, Size: sh.Size, Qty: sh.Qty, SentAt: sh.SentAt, Ref: sh.Ref, Seq: sh.Seq}
		}),
		Revoked: each(p.Revoked, func(r protocol.RevokedCode) pickup.Code { return r.Code }),
		Facts:   each(p.Facts, func(f protocol.Fact) pickup.Event { return f.Event }),
		Locator: storeLocator(p.Locator),
	}
}

// storeLocator unpacks a page's locator entries (nil for none).
func storeLocator(l *protocol.Locator) *store.Locator {
	if l == nil {
		return nil
	}
	n := l.Len()
	out := &store.Locator{Key: l.Key, CentreIDs: l.Centres, Hashes: make([]int64, n), Centres: make([]int32, n)}
	for i := range n {
		h, c := l.Entry(i)
		out.Hashes[i], out.Centres[i] = h, int32(c)
		if c == protocol.LocatorGone {
			out.Centres[i] = -1
		}
	}
	return out
}

// storeAnswers translates the registry's answers to a push.
func storeAnswers(res *protocol.PushResponse) []store.PushAnswer {
	return each(res.Results, func(r protocol.PushResult) store.PushAnswer {
		return store.PushAnswer{ID: r.ID, Result: store.PushResult(r.Result), Stored: store.PushResult(r.Stored), Earlier: r.Earlier, Flag: r.Flag}
	})
}

// credentials returns what the protocol client signs calls with.
func credentials(cfg store.SyncConfig) protocol.Credentials {
	return protocol.Credentials{TerminalID: cfg.TerminalID, CentreID: cfg.CentreID, Secret: cfg.Secret}
}

// LocalDigest returns the digest of this centre's pickups as the registry
// computes it, for the drift check: the sums the store keeps as rows
// change, so it costs the changes since the last write, not every row.
func LocalDigest(ctx context.Context, s *store.Store) (*protocol.Digest, error) {
	b, err := s.CentreDigest(ctx)
	if err != nil {
		return nil, err
	}
	return protocol.DigestOf(b), nil
}
