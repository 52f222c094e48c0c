package pickup

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestCleanNote(t *testing.T) {
	tests := []struct {
		in, want string
		bad      bool
	}{
		{"  Seen with both volunteers.\r\nSame person came twice. ", "Seen with both volunteers.\nSame person came twice.", false},
		{"ok", "ok", false},
		{strings.Repeat("é", MaxNoteLen/2), strings.Repeat("é", MaxNoteLen/2), false},
		{"", "", true},
		{" \n\t ", "", true},
		{strings.Repeat("x", MaxNoteLen+1), "", true},
		{"bell\a", "", true},
		{"tab\there", "", true},
		{"rtl \u202eevil", "", true},
		{"bad \xff utf-8", "", true},
	}
	for _, tc := range tests {
		got, err := CleanNote(tc.in)
		if got != tc.want || (err != nil) != tc.bad || err != nil && !errors.Is(err, ErrBadNote) {
			t.Errorf("CleanNote(%q) = %q, %v; want %q, bad %v", tc.in, got, err, tc.want, tc.bad)
		}
	}
}

func TestConflictReviewValidate(t *testing.T) {
	code := Code("000000000000001" + string(CheckChar("000000000000001")))
	ok := Event{ID: "00000000-0000-4000-8000-000000000001", Type: EventConflictReview, TerminalID: "t-1", CentreID: "here",
		At: time.Date(2020, 11, 20, 10, 0, 0, 0, time.UTC), Code: code, Note: "Checked: two sisters, same name."}
	tests := []struct {
		name string
		edit func(*Event)
		bad  bool
	}{
		{"ok", func(*Event) {}, false},
		{"no note", func(e *Event) { e.Note = "" }, true},
		{"unclean note", func(e *Event) { e.Note = " padded " }, true},
		{"long note", func(e *Event) { e.Note = strings.Repeat("x", MaxNoteLen+1) }, true},
		{"bad code", func(e *Event) { e.Code = "0000000000000010" }, true},
		{"a note on a handover", func(e *Event) { e.Type = EventHandover; e.Items = []Line{{Item: "masks", Qty: 1}} }, true},
	}
	for _, tc := range tests {
		e := ok
		tc.edit(&e)
		if err := e.Validate(); (err != nil) != tc.bad {
			t.Errorf("%s: Validate = %v, want bad %v", tc.name, err, tc.bad)
		}
	}
}
