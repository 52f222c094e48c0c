package protocol

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"time"

	"github.com/pickup-terminal/pickup"
)

// Fixed values for golden files, tests and fuzz seeds.

var (
	t0      = time.Date(2020, 11, 9, 9, 30, 0, 0, time.UTC)
	secret0 = bytes.Repeat([]byte{0x5a}, 32)
	creds0  = Credentials{TerminalID: "term-7KQ4M2XD", CentreID: "namur", Secret: secret0}
	keySeed = bytes.Repeat([]byte{7}, ed25519.SeedSize)
	priv0   = ed25519.NewKeyFromSeed(keySeed)
	pub0    = priv0.Public().(ed25519.PublicKey)
)

func code(seed byte) pickup.Code {
	sum := sha256.Sum256([]byte{seed})
	c, err := pickup.NewCode(bytes.NewReader(sum[:]))
	if err != nil {
		panic(err)
	}
	return c
}

func fixtureEnrolRequest() EnrolRequest {
	tok, err := NewEnrolmentToken(bytes.NewReader(bytes.Repeat([]byte{3, 14, 15, 92, 65}, 4)))
	if err != nil {
		panic(err)
	}
	return EnrolRequest{EnrolmentCode: EnrolmentCode{Token: tok}.String(), RequestID: "0f8d2c4e-9a51-4c3e-8f0b-1d2e3f4a5b6c",
		Hostname: "counter-1", ClientVersion: "0.1.0"}
}

func fixtureKeys() []SigningKey {
	return []SigningKey{{KeyID: pickup.KeyID(pub0), PublicKey: pub0, Current: true, CreatedAt: t0.Add(-48 * time.Hour), Seq: 2}}
}

func fixtureEnrolResponse() EnrolResponse {
	return EnrolResponse{
		TerminalID: creds0.TerminalID, Secret: secret0,
		Centre:    pickup.Centre{ID: "namur", Name: "Croix-Rouge Namur", Address: "Rue de Fer 1, 5000 Namur", Hours: "Mon-Fri 9:00-17:00"},
		Keys:      fixtureKeys(),
		DatasetID: "ds-3f9a1c0b7e2d4a68", TLSPin: CertPin([]byte("certificate")), ServerTime: t0,
	}
}

func fixtureCampaign() *pickup.Campaign {
	c, err := pickup.BuiltinCampaign(pickup.DefaultCampaignID)
	if err != nil {
		panic(err)
	}
	return c
}

func fixturePull() PullResponse {
	w := pickup.Window{Start: pickup.MustDate("2020-11-09"), End: pickup.MustDate("2021-01-08")}
	return PullResponse{
		DatasetID: "ds-3f9a1c0b7e2d4a68", CentreID: "namur", After: 10, Cursor: 20, More: true,
		Pickups: []PickupRow{
			{Pickup: pickup.Pickup{Code: code(1), Name: "Anne Dupont", Profession: "physiotherapist", ParcelKind: "close_contact",
				CentreID: "namur", CampaignID: "oct2020-strategic", Window: w, Status: pickup.StatusExpected}, Seq: 11},
			{Pickup: pickup.Pickup{Code: code(2), Name: "Jan Peeters", Profession: "pharmacist", ParcelKind: "masks_only",
				CentreID: "namur", CampaignID: "oct2020-strategic", Window: pickup.Window{Start: pickup.MustDate("2020-12-07"), End: w.End},
				Status: pickup.StatusCancelled}, Seq: 12},
		},
		Reassigned: []Reassignment{{Code: code(3), CentreID: "liege", Seq: 13}},
		Redemptions: []Redemption{{EventID: "6a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d", Code: code(4), TerminalID: "term-ABCD1234",
			CentreID: "namur", At: t0.Add(-time.Hour), GloveSize: "M", Undone: false, Seq: 14}},
		Received:   []ReceivedFact{{EventID: "2d3e4f5a-6b7c-4d8e-9f0a-1b2c3d4e5f6a", TerminalID: "term-7KQ4M2XD", Type: pickup.EventStockReceive, Seq: 20}},
		Campaigns:  []CampaignRow{{Campaign: fixtureCampaign(), Seq: 15}},
		Centres:    []CentreRow{{Centre: pickup.Centre{ID: "liege", Name: "Croix-Rouge Liège", Address: "Boulevard d'Avroy 10, 4000 Liège", Hours: "Mon-Sat 8:30-16:30"}, Seq: 16}},
		Shipments:  []Shipment{{ID: "ship-1", CentreID: "namur", Item: "gloves", Size: "M", Qty: 10000, SentAt: t0.Add(-24 * time.Hour), Ref: "DEL-2020-0042", Seq: 17}},
		Keys:       []SigningKey{{KeyID: pickup.KeyID(pub0), PublicKey: pub0, Current: true, CreatedAt: t0.Add(-48 * time.Hour), Seq: 18}},
		Revoked:    []RevokedCode{{Code: code(5), At: t0.Add(-2 * time.Hour), Seq: 19}},
		ServerTime: t0,
		// On a last page only, in practice; here for the wire shape.
		RecommendedVersion: "0.2.0",
	}
}

func fixturePush() PushRequest {
	return PushRequest{Events: []pickup.Event{
		{ID: "9b2f6c1e-3d4a-4b5c-8d6e-7f8091a2b3c4", Type: pickup.EventHandover, TerminalID: creds0.TerminalID, CentreID: "namur",
			At: t0, Code: code(1), GloveSize: "M", Volunteer: "Marie",
			Items: []pickup.Line{{Item: "gloves", Size: "M", Qty: 500}, {Item: "gowns", Qty: 50}, {Item: "glasses", Qty: 1}, {Item: "masks", Qty: 500}}},
		{ID: "1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f", Type: pickup.EventUndo, TerminalID: creds0.TerminalID, CentreID: "namur",
			At: t0.Add(time.Minute), Undoes: "9b2f6c1e-3d4a-4b5c-8d6e-7f8091a2b3c4"},
		{ID: "2d3e4f5a-6b7c-4d8e-9f0a-1b2c3d4e5f6a", Type: pickup.EventStockReceive, TerminalID: creds0.TerminalID, CentreID: "namur",
			At: t0.Add(2 * time.Minute), Item: "gloves", Size: "M", Qty: 10000, Ref: "ship-1"},
	}}
}

func fixturePushResponse() PushResponse {
	return PushResponse{Results: []PushResult{
		{ID: "9b2f6c1e-3d4a-4b5c-8d6e-7f8091a2b3c4", Result: ResultConflict, Earlier: []pickup.Collection{
			{EventID: "6a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d", At: t0.Add(-time.Hour), TerminalID: "term-ABCD1234", CentreID: "namur", GloveSize: "L"}}},
		{ID: "1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f", Result: ResultAccepted},
		{ID: "2d3e4f5a-6b7c-4d8e-9f0a-1b2c3d4e5f6a", Result: ResultDuplicate, Stored: ResultAccepted},
	}, ServerTime: t0}
}

func fixtureDigest() DigestResponse {
	var d Digest
	p := fixturePull()
	for _, r := range p.Pickups {
		d.Add(r.Pickup)
	}
	return DigestResponse{DatasetID: p.DatasetID, CentreID: "namur", Cursor: 20, Count: d.Count(), Digest: d.Hex(), Buckets: d.Buckets(), ServerTime: t0}
}

func fixturePickups() PickupsResponse {
	p := fixturePull()
	rows := p.Pickups
	if rows[0].Code > rows[1].Code {
		rows[0], rows[1] = rows[1], rows[0]
	}
	return PickupsResponse{Pickups: rows, More: false, Cursor: 20, ServerTime: t0}
}

func fixtureError() ErrorBody {
	e := Errorf(CodeClockSkew, "request time is 7m0s away from the registry's clock (allowed 5m0s): correct the clock or the offset")
	e.ServerTime = t0
	return e.Body()
}

// fixturePushOwed is a handover made when every glove size was out (the
// gloves owed) and the owed handover that gave them later, at another
// counter.
func fixturePushOwed() PushRequest {
	return PushRequest{Events: []pickup.Event{
		{ID: "7c8d9e0f-1a2b-4c3d-8e4f-6a7b8c9d0e1f", Type: pickup.EventHandover, TerminalID: creds0.TerminalID, CentreID: "namur",
			At: t0.Add(6 * time.Minute), Code: code(2), Volunteer: "Anne",
			Items: []pickup.Line{{Item: "masks", Qty: 500}, {Item: "gowns", Qty: 50}}, Owed: []pickup.Line{{Item: "gloves", Qty: 500}}},
		{ID: "8d9e0f1a-2b3c-4d4e-9f5a-7b8c9d0e1f2a", Type: pickup.EventOwedHandover, TerminalID: "term-2", CentreID: "namur",
			At: t0.Add(48 * time.Hour), Code: code(2), GloveSize: "L", Volunteer: "Bert",
			Items: []pickup.Line{{Item: "gloves", Size: "L", Qty: 500}}},
	}}
}

// fixturePushReview is a manager's review of a double handover, with its
// note.
func fixturePushReview() PushRequest {
	return PushRequest{Events: []pickup.Event{
		{ID: "6b7c8d9e-0f1a-4b2c-9d3e-5f6a7b8c9d0e", Type: pickup.EventConflictReview, TerminalID: creds0.TerminalID, CentreID: "namur",
			At: t0.Add(5 * time.Minute), Code: code(1), Note: "Two sisters with the same initials: both were entitled.\nChecked with the registry."},
	}}
}

// fixturePushStock is the manager's stock facts: a shipment line received
// short with why, one that did not come at all, a loss.
func fixturePushStock() PushRequest {
	return PushRequest{Events: []pickup.Event{
		{ID: "3e4f5a6b-7c8d-4e9f-8a0b-2c3d4e5f6a7b", Type: pickup.EventStockReceive, TerminalID: creds0.TerminalID, CentreID: "namur",
			At: t0.Add(3 * time.Minute), Item: "masks", Qty: 900, Reason: "one box of 100 missing", Ref: "shipment ship-2"},
		{ID: "5a6b7c8d-9e0f-4a1b-8c2d-4e5f6a7b8c9d", Type: pickup.EventStockReceive, TerminalID: creds0.TerminalID, CentreID: "namur",
			At: t0.Add(3 * time.Minute), Item: "gowns", Qty: 0, Reason: "not on the lorry", Ref: "shipment ship-3"},
		{ID: "4f5a6b7c-8d9e-4f0a-9b1c-3d4e5f6a7b8c", Type: pickup.EventStockLoss, TerminalID: creds0.TerminalID, CentreID: "namur",
			At: t0.Add(4 * time.Minute), Item: "gowns", Qty: 20, Reason: "box damaged by water"},
	}}
}
