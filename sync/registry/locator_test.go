package registry

import (
	"encoding/json"
	"maps"
	"strings"
	"testing"

	"github.com/pickup-terminal/pickup"
	"github.com/pickup-terminal/pickup/sync/protocol"
)

// locatorOf folds the pages' locator entries: hash → centre ("" gone).
func locatorOf(t *testing.T, pages []*protocol.PullResponse) ([]byte, map[int64]string) {
	t.Helper()
	var key []byte
	out := map[int64]string{}
	for _, p := range pages {
		l := p.Locator
		if l == nil {
			continue
		}
		if key != nil && string(key) != string(l.Key) {
			t.Fatal("the locator key changed between pages")
		}
		key = l.Key
		for i := range l.Len() {
			h, c := l.Entry(i)
			if c == protocol.LocatorGone {
				out[h] = ""
			} else {
				out[h] = l.Centres[c]
			}
		}
	}
	return key, out
}

func TestPullLocator(t *testing.T) {
	f := newFixture(t)
	f.requests(30)
	codes := f.codes()
	c, en := f.terminal("namur")
	// Small pages: the locator's rows are cut with the others.
	pages := pullAll(t, c, "", 0, 7)
	key, loc := locatorOf(t, pages)
	if len(key) != pickup.LocatorKeySize {
		t.Fatalf("locator key of %d bytes", len(key))
	}
	if len(loc) != len(codes["gent"]) {
		t.Errorf("locator holds %d codes, want gent's %d", len(loc), len(codes["gent"]))
	}
	for _, code := range codes["gent"] {
		if got := loc[pickup.LocatorHash(key, code)]; got != "gent" {
			t.Errorf("code %s located at %q, want gent", code.Masked(), got)
		}
	}
	for _, code := range codes["namur"] {
		if _, ok := loc[pickup.LocatorHash(key, code)]; ok {
			t.Errorf("the terminal's own code %s is in its locator", code.Masked())
		}
	}
	for _, p := range pages {
		b, _ := json.Marshal(p.Locator)
		for _, code := range codes["gent"] {
			if strings.Contains(string(b), string(code)) {
				t.Fatal("a page's locator holds a code in clear")
			}
		}
	}

	// Pages of one row: the locator's own limit (four entries a row of
	// the limit) cuts pages too, and every code of gent still arrives.
	tiny := pullAll(t, c, "", 0, 1)
	if _, got := locatorOf(t, tiny); !maps.Equal(got, loc) {
		t.Errorf("pages of one row locate %d codes, want the same %d", len(got), len(loc))
	}
	full := 0
	for i, p := range tiny {
		if rows, n := p.Rows()-p.Locator.Len(), p.Locator.Len(); rows > 1 || n > 4 {
			t.Errorf("page %d of one row: %d rows, %d locator entries; want at most 1 and 4", i, rows, n)
		}
		if p.Locator.Len() == 4 {
			full++
		}
	}
	if full == 0 {
		t.Error("no page was cut at the locator's limit")
	}

	// A moved code follows its new centre; a cancelled one is forgotten.
	cursor := pages[len(pages)-1].Cursor
	moved, cancelled := codes["gent"][0], codes["gent"][1]
	if err := f.reg.AddCentre(f.ctx, pickup.Centre{ID: "liege", Name: "Liège", Address: "Bd d'Avroy 112", Hours: "9-16"}); err != nil {
		t.Fatal(err)
	}
	if err := f.reg.MoveCode(f.ctx, moved, "liege"); err != nil {
		t.Fatal(err)
	}
	if err := f.reg.CancelCode(f.ctx, cancelled); err != nil {
		t.Fatal(err)
	}
	_, delta := locatorOf(t, pullAll(t, c, en.DatasetID, cursor, 0))
	if got, ok := delta[pickup.LocatorHash(key, moved)]; got != "liege" {
		t.Errorf("moved code: %q %v, want liege", got, ok)
	}
	if got, ok := delta[pickup.LocatorHash(key, cancelled)]; !ok || got != "" {
		t.Errorf("cancelled code: %q %v, want an entry that forgets it", got, ok)
	}
	if len(delta) != 2 {
		t.Errorf("delta locator of %d entries, want 2", len(delta))
	}
	// A first pull does not send cancelled codes at all.
	_, first := locatorOf(t, pullAll(t, c, "", 0, 0))
	if _, ok := first[pickup.LocatorHash(key, cancelled)]; ok || len(first) != len(codes["gent"])-1 {
		t.Errorf("first pull after the cancel: %d entries (cancelled one sent: %v)", len(first), ok)
	}
}
