package sqlkit

import "time"

// TimeLayout is how both sides store a time: UTC, fixed width, to the
// millisecond ("2020-11-09T08:30:00.000Z"), so that times compare and sort
// correctly as text in SQL. (time.RFC3339Nano is variable width: its
// "…00.5Z" sorts before "…00Z".)
const TimeLayout = "2006-01-02T15:04:05.000Z"

// FormatTime returns t in UTC as TimeLayout text.
func FormatTime(t time.Time) string { return t.UTC().Format(TimeLayout) }

// ParseTime reads TimeLayout text, or the RFC 3339 text of databases
// written before the fixed width; anything else is the zero time.
func ParseTime(s string) time.Time {
	t, err := time.Parse(TimeLayout, s)
	if err != nil {
		t, _ = time.Parse(time.RFC3339Nano, s)
	}
	return t.UTC()
}
