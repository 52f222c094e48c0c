package store

import (
	"context"
	"crypto/ed25519"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/google/uuid"
	"github.com/pickup-terminal/pickup"
	"github.com/pickup-terminal/pickup/internal/demo"
	"github.com/pickup-terminal/pickup/internal/sqlkit"
)

// DemoCentres is the directory a demo terminal starts with; the first one is
// the demo terminal's own centre.
var DemoCentres = demo.Centres[:4:4]

// DemoResult lists what the demo made and sample inputs for each verdict.
type DemoResult struct {
	Created bool                          `json:"created"`
	Pickups int                           `json:"pickups"`
	Samples map[pickup.VerdictKind]string `json:"samples"`
	// SignedSample is a signed payload for a code the local list does not
	// hold, accepted on signature.
	SignedSample string `json:"signed_sample"`
}

// demoSeed makes the demo's codes the same every time, so a newcomer can
// follow the README's examples.
const demoSeed = 2020

// Demo fills a fresh terminal with n synthetic pickups around today, a
// directory of centres and stock, so everything can be tried at once. On a
// terminal the demo already filled it only reports the samples again.
func (s *Store) Demo(ctx context.Context, n int) (DemoResult, error) {
	if n <= 0 {
		n = 400
	}
	res := DemoResult{Samples: map[pickup.VerdictKind]string{}}
	if id, err := s.Identity(ctx); err == nil {
		if set, _ := s.Setting(ctx, "demo"); set == "" {
			return res, errorf(CodeAlreadySetUp, "demo: terminal already set up for centre %s: the demo needs an empty data folder", id.Centre.ID)
		}
	} else {
		own := DemoCentres[0]
		if _, err := s.Init(ctx, InitOptions{CentreID: own.ID, CentreName: own.Name, Address: own.Address, Hours: own.Hours, TerminalName: "counter-1"}); err != nil {
			return res, fmt.Errorf("demo: %w", err)
		}
		if err := s.fillDemo(ctx, n); err != nil {
			return res, fmt.Errorf("demo: %w", err)
		}
		res.Created = true
	}
	return s.demoSamples(ctx, res)
}

func demoKey() ed25519.PrivateKey {
	seed := make([]byte, ed25519.SeedSize)
	copy(seed, "pickup demo signing key, public")
	return ed25519.NewKeyFromSeed(seed)
}

func (s *Store) fillDemo(ctx context.Context, n int) error {
	id, err := s.Identity(ctx)
	if err != nil {
		return err
	}
	camp, err := campaign(ctx, s.db, id.CampaignID)
	if err != nil {
		return err
	}
	rng := rand.New(rand.NewPCG(demoSeed, 1))
	codeRand := rand.New(rand.NewPCG(demoSeed, 2))
	today := s.Today()
	now := s.Now()
	key := demoKey()
	pub := key.Public().(ed25519.PublicKey)
	err = s.tx(ctx, func(tx *sql.Tx) error {
		for _, c := range DemoCentres {
			if err := putCentre(ctx, tx, c); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, "INSERT OR REPLACE INTO signing_keys(key_id, public_key) VALUES(?, ?)", pickup.KeyID(pub), []byte(pub)); err != nil {
			return err
		}
		ps := make([]pickup.Pickup, 0, n)
		for i := range n {
			code, err := pickup.NewCode(randReader{codeRand})
			if err != nil {
				return err
			}
			prof := camp.Professions[rng.IntN(len(camp.Professions))]
			p := pickup.Pickup{
				Code: code, Name: demo.Name(rng.IntN),
				Profession: prof.ID, ParcelKind: prof.ParcelKind, CentreID: id.Centre.ID, CampaignID: camp.ID,
				Window: pickup.Window{Start: today.AddDays(-14), End: today.AddDays(30)}, Status: pickup.StatusExpected,
			}
			// The first rows are one of each kind, so the samples are stable.
			switch k := i % 20; {
			case i == 0 || k == 5:
				p.ParcelKind, p.Profession = "close_contact", "physiotherapist"
			case i == 1 || k == 6:
				p.ParcelKind, p.Profession = "masks_only", "pharmacist"
			case i == 2 || k == 7:
				p.Window = pickup.Window{Start: today.AddDays(3), End: today.AddDays(40)}
			case i == 3 || k == 8:
				p.Window = pickup.Window{Start: today.AddDays(-40), End: today.AddDays(-2)}
			case i == 4 || k == 9:
				p.CentreID = DemoCentres[1+rng.IntN(len(DemoCentres)-1)].ID
			case i == 10 || k == 11:
				p.Status = pickup.StatusCancelled
			}
			ps = append(ps, p)
		}
		if err := upsertPickups(ctx, tx, 0, ps...); err != nil {
			return err
		}
		// Some codes were already handed over at the other counter today;
		// one of them (after the first) without gloves, owed.
		owedDone := false
		for i := 12; i < n; i += 20 {
			at := now.Add(-time.Duration(10+rng.IntN(180)) * time.Minute)
			size, owed := "M", ""
			if lines, err := camp.Contents(ps[i].ParcelKind, ps[i].Profession); err == nil && i > 12 && !owedDone {
				if j, _, ok := camp.SizedLine(lines); ok {
					size, owed, owedDone = "", encodeLines([]pickup.Line{{Item: lines[j].Item, Qty: lines[j].Qty}}), true
				}
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO redemptions(event_id, code, terminal_id, centre_id, at, glove_size, owed, local)
				VALUES(?, ?, 'counter-2', ?, ?, ?, ?, 0)`, uuid.NewString(), string(ps[i].Code), id.Centre.ID, fmtTime(at), size, owed); err != nil {
				return err
			}
		}
		return setSetting(ctx, tx, "demo", "1")
	})
	if err != nil {
		return err
	}
	for _, r := range []struct {
		item, size string
		qty        int
	}{{"gloves", "S", 20000}, {"gloves", "M", 60000}, {"gloves", "L", 60000}, {"gloves", "XL", 500},
		{"gowns", "", 8000}, {"glasses", "", 150}, {"masks", "", 150000}} {
		if _, err := s.ReceiveStock(ctx, r.item, r.size, r.qty, "demo delivery"); err != nil {
			return err
		}
	}
	return s.touchRefresh(ctx)
}

func (s *Store) demoSamples(ctx context.Context, res DemoResult) (DemoResult, error) {
	id, err := s.Identity(ctx)
	if err != nil {
		return res, err
	}
	if err := s.db.QueryRowContext(ctx, "SELECT count(*) FROM pickups").Scan(&res.Pickups); err != nil {
		return res, err
	}
	// Pick a sample for each verdict from the current state.
	all, err := sqlkit.Strings(ctx, s.db, "SELECT code FROM pickups ORDER BY code")
	if err != nil {
		return res, err
	}
	for _, c := range all {
		v, _, err := s.judge(ctx, s.db, id, c)
		if err != nil {
			return res, err
		}
		kind := v.Kind
		if kind == pickup.VerdictOK && v.Pickup.ParcelKind == "masks_only" {
			kind = "ok_masks_only"
		}
		if _, ok := res.Samples[kind]; !ok {
			res.Samples[kind] = pickup.Code(c).String()
		}
	}
	// A typo: the first ok code with one character changed.
	if ok := res.Samples[pickup.VerdictOK]; ok != "" {
		b := []byte(ok)
		if b[0] == 'A' {
			b[0] = 'B'
		} else {
			b[0] = 'A'
		}
		res.Samples[pickup.VerdictInvalidCode] = string(b)
	}
	unknown, _ := pickup.NewCode(randReader{rand.New(rand.NewPCG(demoSeed, 99))})
	res.Samples[pickup.VerdictUnknownCode] = unknown.String()
	today := s.Today()
	signedCode, _ := pickup.NewCode(randReader{rand.New(rand.NewPCG(demoSeed, 100))})
	res.SignedSample, err = pickup.Sign(demoKey(), pickup.SignedCode{
		KeyID: pickup.KeyID(demoKey().Public().(ed25519.PublicKey)), Code: signedCode, CentreID: id.Centre.ID,
		CampaignID: id.CampaignID, ParcelKind: "masks_only", Window: pickup.Window{Start: today.AddDays(-7), End: today.AddDays(30)},
	})
	return res, err
}

// randReader adapts math/rand to io.Reader for reproducible demo codes.
type randReader struct{ r *rand.Rand }

func (r randReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(r.r.Uint32())
	}
	return len(p), nil
}
