package console

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/pickup-terminal/pickup"
	"github.com/pickup-terminal/pickup/sync/registry"
)

// both runs the two queries of a page, the second only if the first
// succeeds.
func both[A, B any](ctx context.Context, qa func(context.Context) (A, error), qb func(context.Context) (B, error)) (A, B, error) {
	var b B
	a, err := qa(ctx)
	if err == nil {
		b, err = qb(ctx)
	}
	return a, b, err
}

type doublesData struct {
	Doubles []registry.DoubleHandover
	Notes   map[pickup.Code]int
}

func (c *Console) doubles(w http.ResponseWriter, r *http.Request, q *req) error {
	ds, notes, err := both(r.Context(), c.Reg.AllDoubleHandovers, c.Reg.ReviewedCodes)
	if err != nil {
		return err
	}
	return c.renderView(w, r, q, "doubles", doublesData{Doubles: ds, Notes: notes})
}

type doubleData struct {
	registry.DoubleHandover
	Notes []registry.ReviewNote
}

func (c *Console) double(w http.ResponseWriter, r *http.Request, q *req) error {
	d, notes, err := c.Reg.DoubleHandoverByEvent(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return c.renderView(w, r, q, "double", doubleData{DoubleHandover: d, Notes: notes})
}

func (c *Console) addNote(w http.ResponseWriter, r *http.Request, q *req) error {
	id := r.PathValue("id")
	back := Prefix + "doubles/" + id
	err := c.Reg.AddReviewNote(r.Context(), id, q.session.Operator, r.PostFormValue("note"))
	switch {
	case errors.Is(err, registry.ErrRefused):
		return &formError{to: back, key: "error.note"}
	case err != nil:
		return err
	}
	http.Redirect(w, r, back+"?done=done.note", http.StatusSeeOther)
	return nil
}

type shipmentsData struct {
	InTransit, Received []registry.ShipmentStatus
	Discrepancies       int
}

func (c *Console) shipments(w http.ResponseWriter, r *http.Request, q *req) error {
	all, err := c.Reg.Shipments(r.Context(), registry.ShipmentFilter{})
	if err != nil {
		return err
	}
	var d shipmentsData
	for _, s := range all {
		switch s.State {
		case registry.ShipmentInTransit:
			d.InTransit = append(d.InTransit, s)
		case registry.ShipmentDiscrepancy:
			d.Discrepancies++
			fallthrough
		default:
			d.Received = append(d.Received, s)
		}
	}
	return c.renderView(w, r, q, "shipments", d)
}

func (c *Console) terminals(w http.ResponseWriter, r *http.Request, q *req) error {
	ts, err := c.Reg.TerminalStates(r.Context())
	if err != nil {
		return err
	}
	return c.renderView(w, r, q, "terminals", ts)
}

func (c *Console) terminal(r *http.Request) (registry.TerminalState, error) {
	ts, err := c.Reg.TerminalStates(r.Context())
	if err != nil {
		return registry.TerminalState{}, err
	}
	for _, t := range ts {
		if t.ID == r.PathValue("id") {
			return t, nil
		}
	}
	return registry.TerminalState{}, errNotFound
}

func (c *Console) confirmRevoke(w http.ResponseWriter, r *http.Request, q *req) error {
	t, err := c.terminal(r)
	if err != nil {
		return err
	}
	return c.renderView(w, r, q, "revoke", t)
}

func (c *Console) revoke(w http.ResponseWriter, r *http.Request, q *req) error {
	t, err := c.terminal(r)
	if err != nil {
		return err
	}
	if r.PostFormValue("confirm") != t.ID {
		return &formError{to: Prefix + "terminals/" + t.ID + "/revoke", key: "error.confirm"}
	}
	if err := c.Reg.RevokeTerminal(r.Context(), t.ID); err != nil {
		return err
	}
	c.Log.Info("terminal revoked in the console", "terminal", t.ID)
	http.Redirect(w, r, Prefix+"terminals?done=done.revoked", http.StatusSeeOther)
	return nil
}

func (c *Console) campaigns(w http.ResponseWriter, r *http.Request, q *req) error {
	cs, err := c.Reg.Campaigns(r.Context())
	if err != nil {
		return err
	}
	return c.renderView(w, r, q, "campaigns", cs)
}

type importsData struct {
	Campaigns []registry.CampaignDetail
	Imports   []registry.PendingImport
	Default   string // the campaign selected at first
}

// defaultCampaign is the campaign a new request file is most likely for:
// the most recently imported one with a phase not over, else the default
// built-in one.
func defaultCampaign(cs []registry.CampaignDetail) string {
	best, at := pickup.DefaultCampaignID, time.Time{}
	for _, c := range cs {
		open := false
		for _, ph := range c.Phases {
			open = open || ph.State != registry.PhaseOver
		}
		if open && c.ImportedAt != nil && c.ImportedAt.After(at) {
			best, at = c.ID, *c.ImportedAt
		}
	}
	return best
}

func (c *Console) imports(w http.ResponseWriter, r *http.Request, q *req) error {
	cs, list, err := both(r.Context(), c.Reg.Campaigns, c.Reg.PendingImports)
	if err != nil {
		return err
	}
	return c.renderView(w, r, q, "imports", importsData{Campaigns: cs, Imports: list, Default: defaultCampaign(cs)})
}

func (c *Console) upload(w http.ResponseWriter, r *http.Request, q *req) error {
	back := Prefix + "imports"
	f, hdr, err := r.FormFile("file")
	if err != nil {
		return &formError{to: back, key: "error.no_file"}
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, registry.MaxImportFile+1))
	if err != nil {
		return err
	}
	if len(b) == 0 {
		return &formError{to: back, key: "error.no_file"}
	}
	if len(b) > registry.MaxImportFile {
		return &formError{to: back, key: "error.too_large"}
	}
	campaign, phase := r.PostFormValue("campaign"), ""
	if c2, ph, ok := strings.Cut(campaign, "/"); ok {
		campaign, phase = c2, ph
	}
	pi, err := c.Reg.StageImport(r.Context(), registry.RequestImport{Campaign: campaign, Phase: phase}, hdr.Filename, b, q.session.Operator)
	switch {
	case errors.Is(err, registry.ErrNotFound), errors.Is(err, registry.ErrRefused):
		return &formError{to: back, msg: err.Error()}
	case err != nil:
		return err
	}
	http.Redirect(w, r, Prefix+"imports/"+pi.ID, http.StatusSeeOther)
	return nil
}

type importData struct {
	registry.PendingImport
	CampaignName string
	Mine         bool // uploaded by the operator looking at it
}

func (c *Console) importPage(w http.ResponseWriter, r *http.Request, q *req) error {
	pi, err := c.Reg.PendingImport(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	p := c.newPage(r, q, "import", "import.title")
	d := importData{PendingImport: pi, Mine: pi.UploadedBy == q.session.Operator}
	if c, err := c.Reg.Campaign(r.Context(), pi.CampaignID); err == nil {
		d.CampaignName = p.Name(c.Names)
	}
	p.Data = d
	return c.render(w, p)
}

func (c *Console) approve(w http.ResponseWriter, r *http.Request, q *req) error {
	id := r.PathValue("id")
	back := Prefix + "imports/" + id
	pi, err := c.Reg.ApproveImport(r.Context(), id, q.session.Operator)
	switch {
	case errors.Is(err, registry.ErrSameOperator):
		return &formError{to: back, key: "error.same_operator"}
	case errors.Is(err, registry.ErrRefused):
		return &formError{to: back, msg: err.Error()}
	case err != nil:
		return err
	}
	done := "done.applied"
	if pi.Status != registry.ImportApplied {
		done = "done.failed"
	}
	http.Redirect(w, r, back+"?done="+done, http.StatusSeeOther)
	return nil
}

func (c *Console) reject(w http.ResponseWriter, r *http.Request, q *req) error {
	id := r.PathValue("id")
	if err := c.Reg.RejectImport(r.Context(), id, q.session.Operator); err != nil {
		return err
	}
	http.Redirect(w, r, Prefix+"imports/"+id+"?done=done.rejected", http.StatusSeeOther)
	return nil
}

type lettersData struct {
	Available bool
	Centres   []registry.CentreReport // Expected - Collected letters each
}

func (c *Console) letters(w http.ResponseWriter, r *http.Request, q *req) error {
	today := pickup.DateOf(c.now().In(c.Loc))
	rep, err := c.Reg.Report(r.Context(), today, today)
	if err != nil {
		return err
	}
	return c.renderView(w, r, q, "letters", lettersData{Available: c.Letters != nil, Centres: rep.Centres})
}

func (c *Console) letterFile(w http.ResponseWriter, r *http.Request, q *req) error {
	id := strings.TrimSuffix(r.PathValue("centre"), ".pdf")
	if c.Letters == nil {
		return errNotFound
	}
	if _, err := c.Reg.Centre(r.Context(), id); err != nil {
		return err
	}
	var b bytes.Buffer
	if err := c.Letters(r.Context(), &b, id); err != nil {
		if errors.Is(err, registry.ErrNotFound) || errors.Is(err, registry.ErrRefused) {
			return &formError{to: Prefix + "letters", key: "error.no_letters"}
		}
		return err
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", `attachment; filename="letters-`+id+`.pdf"`)
	_, err := w.Write(b.Bytes())
	return err
}
