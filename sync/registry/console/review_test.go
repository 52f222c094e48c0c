package console

import (
	"strings"
	"testing"
	"time"

	"github.com/pickup-terminal/pickup"
)

// A manager's review made at a counter (a conflict_review fact) shows on
// the double handover's page with the operators' notes, signed by the
// counter.
func TestCounterReviewOnDoublePage(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	note := "Reviewed at the counter: the same nurse came twice; parcel asked back."
	f.push(f.terms[1], []pickup.Event{{ID: newID(), Type: pickup.EventConflictReview, TerminalID: f.terms[1].TerminalID,
		CentreID: f.terms[1].Centre.ID, At: time.Now().UTC(), Code: f.double.Code, Note: note}})
	b, _ := f.signedIn("ann", annPassword)
	body := b.get("/console/doubles/" + f.double.ConsoleID()).body
	if !strings.Contains(body, note) || !strings.Contains(body, "counter counter-namur") {
		t.Errorf("the double handover page lacks the counter's review:\n%s", body)
	}
}
