package store

import (
	"context"
	"testing"
	"time"
)

func TestForecast(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	f.receive(t, "gloves", "M", 2000)
	f.receive(t, "masks", "", 1750)
	start := f.now
	// Two parcels with gloves M over the week: 1000 gloves M, 1000 masks.
	for i, l := range []string{"ok", "ok2"} {
		f.now = start.Add(time.Duration(i) * 24 * time.Hour)
		if _, err := f.s.Handover(ctx, HandoverRequest{Input: string(f.codes[l]), GloveSize: "M"}); err != nil {
			t.Fatal(err)
		}
	}
	rs, err := f.s.Forecast(ctx, 7)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]Runway{}
	for _, r := range rs {
		got[r.Key()] = r
	}
	m := got["gloves-M"]
	if m.Qty != 1000 || m.PerDay < 142 || m.PerDay > 143 || m.DaysLeft < 6.9 || m.DaysLeft > 7.1 || m.RunsOut == "" {
		t.Errorf("gloves-M runway = %+v; want 1000 left at 1000/7 a day: 7 days", m)
	}
	if s := got["gloves-S"]; s.PerDay != 0 || s.DaysLeft != 0 || s.RunsOut != "" {
		t.Errorf("gloves-S (nothing out) = %+v", s)
	}
	if k := got["masks"]; k.Qty != 750 || k.RunsOut == "" {
		t.Errorf("masks runway = %+v", k)
	}
}
