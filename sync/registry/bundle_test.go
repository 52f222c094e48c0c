package registry

import (
	"bytes"
	"crypto/ed25519"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/pickup-terminal/pickup"
	"github.com/pickup-terminal/pickup/sync/protocol"
)

func factsBundle(t *testing.T, enrol *protocol.EnrolResponse, centre, dataset string, events ...pickup.Event) []byte {
	t.Helper()
	var buf bytes.Buffer
	bw, err := protocol.NewBundleWriter(&buf, protocol.BundleHeader{Kind: protocol.BundleFacts, ID: newID(t),
		DatasetID: dataset, CentreID: centre, TerminalID: enrol.TerminalID, CreatedAt: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	if len(events) > 0 {
		if err := bw.Push(&protocol.PushRequest{Events: events}); err != nil {
			t.Fatal(err)
		}
	}
	if err := bw.Close(protocol.HMACSigner(enrol.TerminalID, enrol.Secret)); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestBundleImport(t *testing.T) {
	f, codes := requestFixture(t, 3)
	c, enrol := f.terminal("namur")
	other, otherEnrol := f.terminal("namur")
	evs := []pickup.Event{handover(t, c, codes["namur"][0], time.Now()), handover(t, c, codes["namur"][1], time.Now())}
	b := factsBundle(t, enrol, "namur", enrol.DatasetID, evs...)

	res, err := f.reg.ImportBundle(f.ctx, bytes.NewReader(b))
	if err != nil || res.Events != 2 || res.Accepted != 2 || res.Again {
		t.Fatalf("ImportBundle = %+v, %v", res, err)
	}
	_, head, _ := f.reg.Head(f.ctx)
	res, err = f.reg.ImportBundle(f.ctx, bytes.NewReader(b))
	if err != nil || res.Duplicate != 2 || !res.Again {
		t.Errorf("second import = %+v, %v; want 2 duplicates", res, err)
	}
	if _, h, _ := f.reg.Head(f.ctx); h != head {
		t.Error("second import changed the registry")
	}

	// Someone else's bundle also handing over code 0: a conflict.
	dbl := factsBundle(t, otherEnrol, "namur", enrol.DatasetID, handover(t, other, codes["namur"][0], time.Now()))
	res, err = f.reg.ImportBundle(f.ctx, bytes.NewReader(dbl))
	if err != nil || res.Conflict != 1 || len(res.Conflicts) != 1 || strings.Contains(res.Conflicts[0].Code, string(codes["namur"][0])) {
		t.Errorf("double handover in a bundle = %+v, %v", res, err)
	}

	before := f.count("SELECT count(*) FROM events")
	plain, _ := protocol.Decompress(b, "gzip", 1<<30)
	tampered := protocol.Gzip(bytes.Replace(plain, []byte(`"volunteer":"Vol"`), []byte(`"volunteer":"Eve"`), 1))
	var exp bytes.Buffer
	if _, err := f.reg.ExportBundle(f.ctx, "namur", 0, &exp); err != nil {
		t.Fatal(err)
	}
	_, gentEnrol := f.terminal("gent")
	revokedTerm, revokedEnrol := f.terminal("namur")
	f.reg.RevokeTerminal(f.ctx, revokedEnrol.TerminalID)
	tests := []struct {
		name string
		b    []byte
		msg  string
	}{
		{"tampered", tampered, "does not match its signature"},
		{"truncated", b[:len(b)-10], "not a valid pickup bundle"},
		{"another centre", factsBundle(t, enrol, "gent", enrol.DatasetID, handover(t, c, codes["namur"][2], time.Now())), "belongs to centre namur"},
		{"pull bundle", exp.Bytes(), "made by a registry for terminals"},
		{"another dataset", factsBundle(t, enrol, "namur", "ds-other", handover(t, c, codes["namur"][2], time.Now())), "another registry"},
		{"revoked", factsBundle(t, revokedEnrol, "namur", enrol.DatasetID, handover(t, revokedTerm, codes["namur"][2], time.Now())), "revoked"},
		{"another centre's facts", factsBundle(t, gentEnrol, "gent", enrol.DatasetID, handover(t, c, codes["namur"][2], time.Now())), "these credentials are terminal"},
		{"not a bundle", []byte("hello"), "not a valid pickup bundle"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.reg.ImportBundle(f.ctx, bytes.NewReader(tc.b))
			if !errors.Is(err, ErrRefused) || !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("ImportBundle = %v, want refused with %q", err, tc.msg)
			}
		})
	}
	if n := f.count("SELECT count(*) FROM events"); n != before {
		t.Errorf("refused bundles stored %d events", n-before)
	}
}

func TestBundleExport(t *testing.T) {
	f, codes := requestFixture(t, 25)
	f.reg.RotateKey(f.ctx)
	var buf bytes.Buffer
	res, err := f.reg.ExportBundle(f.ctx, "namur", 0, &buf)
	if err != nil {
		t.Fatal(err)
	}
	_, head, _ := f.reg.Head(f.ctx)
	if res.Cursor != head || res.Pages < 1 {
		t.Errorf("ExportBundle = %+v, head %d", res, head)
	}
	keys, _ := f.reg.Keys(f.ctx)
	// A terminal that knows only the first key verifies it.
	trusted := map[string]ed25519.PublicKey{keys[0].KeyID: keys[0].PublicKey}
	got := 0
	hd, err := protocol.ReadBundle(bytes.NewReader(buf.Bytes()), protocol.Ed25519Verifier(trusted), func(r protocol.BundleRecord) error {
		if r.Page != nil {
			for _, p := range r.Page.Pickups {
				if p.CentreID != "namur" {
					t.Errorf("bundle holds a pickup of %s", p.CentreID)
				}
				got++
			}
		}
		return nil
	})
	if err != nil || hd.CentreID != "namur" || hd.Kind != protocol.BundlePull || got != len(codes["namur"]) {
		t.Fatalf("ReadBundle = %+v, %d pickups, %v", hd, got, err)
	}
	// A delta bundle from the head holds nothing, and beyond it is refused.
	var delta bytes.Buffer
	if r, err := f.reg.ExportBundle(f.ctx, "namur", head, &delta); err != nil || r.Rows != 0 {
		t.Errorf("delta at head = %+v, %v", r, err)
	}
	if _, err := f.reg.ExportBundle(f.ctx, "namur", head+1, &delta); !errors.Is(err, ErrRefused) {
		t.Errorf("export beyond head: %v", err)
	}
	if _, err := f.reg.ExportBundle(f.ctx, "mars", 0, &delta); !errors.Is(err, ErrNotFound) {
		t.Errorf("export unknown centre: %v", err)
	}
}
