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

func storeKeys(ks []protocol.SigningKey) []store.SigningKey {
	if len(ks) == 0 {
		return nil
	}
	out := make([]store.SigningKey, len(ks))
	for i, k := range ks {
		out[i] = store.SigningKey{KeyID: k.KeyID, PublicKey: k.PublicKey}
	}
	return out
}

func storeRows(rs []protocol.PickupRow) []store.PickupRow {
	if len(rs) == 0 {
		return nil
	}
	out := make([]store.PickupRow, len(rs))
	for i, r := range rs {
		out[i] = store.PickupRow{Pickup: r.Pickup, Seq: r.Seq}
	}
	return out
}

// storePage translates one pull page.
func storePage(p *protocol.PullResponse) *store.Page {
	sp := &store.Page{DatasetID: p.DatasetID, CentreID: p.CentreID, Reset: p.Reset, After: p.After, Cursor: p.Cursor,
		Pickups: storeRows(p.Pickups), Keys: storeKeys(p.Keys)}
	for _, r := range p.Reassigned {
		sp.Reassigned = append(sp.Reassigned, store.Reassignment{Code: r.Code, CentreID: r.CentreID, Seq: r.Seq})
	}
	for _, r := range p.Redemptions {
		sp.Redemptions = append(sp.Redemptions, store.Redemption{Collection: r.Collection(), Code: r.Code, Undone: r.Undone})
	}
	for _, r := range p.Received {
		sp.Received = append(sp.Received, r.EventID)
	}
	for _, c := range p.Campaigns {
		sp.Campaigns = append(sp.Campaigns, c.Campaign)
	}
	for _, c := range p.Centres {
		sp.Centres = append(sp.Centres, c.Centre)
	}
	for _, sh := range p.Shipments {
		sp.Shipments = append(sp.Shipments, store.SentShipment{ID: sh.ID, Item: sh.Item, Size: sh.Size, Qty: sh.Qty, SentAt: sh.SentAt, Ref: sh.Ref, Seq: sh.Seq})
	}
	for _, r := range p.Revoked {
		sp.Revoked = append(sp.Revoked, r.Code)
	}
	return sp
}

// storeAnswers translates the registry's answers to a push.
func storeAnswers(res *protocol.PushResponse) []store.PushAnswer {
	out := make([]store.PushAnswer, len(res.Results))
	for i, r := range res.Results {
		out[i] = store.PushAnswer{ID: r.ID, Result: store.PushResult(r.Result), Stored: store.PushResult(r.Stored), Earlier: r.Earlier, Flag: r.Flag}
	}
	return out
}

// credentials returns what the protocol client signs calls with.
func credentials(cfg store.SyncConfig) protocol.Credentials {
	return protocol.Credentials{TerminalID: cfg.TerminalID, CentreID: cfg.CentreID, Secret: cfg.Secret}
}

// LocalDigest computes the digest of this centre's pickups as the registry
// does, for the drift check.
func LocalDigest(ctx context.Context, s *store.Store) (*protocol.Digest, error) {
	d := &protocol.Digest{}
	err := s.CentrePickups(ctx, func(p pickup.Pickup) { d.Add(p) })
	return d, err
}
