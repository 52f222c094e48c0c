package sqlkit

import (
	"sort"
	"testing"
	"time"
)

// Times in text order are times in time order, across sub-second fractions
// (RFC 3339's "…00.5Z" sorts before "…00Z").
func TestFormatTimeSortsAsText(t *testing.T) {
	t.Parallel()
	base := time.Date(2020, 11, 20, 0, 0, 0, 0, time.UTC)
	var times []time.Time
	for _, d := range []time.Duration{-time.Millisecond, 0, time.Millisecond, 500 * time.Millisecond, time.Second, 10 * time.Second, 36 * time.Hour} {
		times = append(times, base.Add(d))
	}
	texts := make([]string, len(times))
	for i, tm := range times {
		texts[i] = FormatTime(tm.In(time.FixedZone("CET", 3600)))
		if len(texts[i]) != len(TimeLayout) {
			t.Errorf("FormatTime(%v) = %q: width %d, want %d", tm, texts[i], len(texts[i]), len(TimeLayout))
		}
	}
	if !sort.StringsAreSorted(texts) {
		t.Errorf("formatted times do not sort as text: %q", texts)
	}
}

func TestParseTime(t *testing.T) {
	t.Parallel()
	want := time.Date(2020, 11, 20, 0, 0, 0, 500_000_000, time.UTC)
	tests := []struct {
		in   string
		want time.Time
	}{
		{"2020-11-20T00:00:00.500Z", want},
		{"2020-11-20T00:00:00.5Z", want},      // written before the fixed width
		{"2020-11-20T01:00:00.5+01:00", want}, // an offset
		{"2020-11-20T00:00:00Z", want.Truncate(time.Second)},
		{"", time.Time{}},
		{"yesterday", time.Time{}},
	}
	for _, tt := range tests {
		if got := ParseTime(tt.in); !got.Equal(tt.want) {
			t.Errorf("ParseTime(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
	if got := ParseTime(FormatTime(want)); !got.Equal(want) {
		t.Errorf("round trip: %v, want %v", got, want)
	}
}
