package counter

import (
	"errors"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/pickup-terminal/pickup"
	"github.com/pickup-terminal/pickup/assets/i18n"
	"github.com/pickup-terminal/pickup/store"
)

// conflictsTab is the manager's Conflicts tab: each code handed over more
// than once (or whose handover the registry flagged) with both sides —
// counters, times, glove sizes — and its reviews; "Mark reviewed" records
// a review with a note, a fact that reaches the registry and the centre's
// other counters.
type conflictsTab struct {
	u     *UI
	intro *widget.Label
	rows  *fyne.Container
	obj   fyne.CanvasObject
	cases []store.ConflictCase
	// notes and said keep, per code, the note field and its message.
	notes map[string]*formEntry
	said  map[string]*widget.Label
	// last is the outcome of the last review, shown under its case.
	last map[string]func(*i18n.Catalog) (string, widget.Importance)
}

// newConflictsTab builds the Conflicts tab over the counter's store; it
// reads the cases again each time the tab is selected.
func (u *UI) newConflictsTab() fyne.CanvasObject {
	c := u.newConflicts()
	u.onTabShown(c.obj, c.refresh)
	return c.obj
}

func (u *UI) newConflicts() *conflictsTab {
	c := &conflictsTab{u: u, intro: widget.NewLabel(""), rows: container.NewVBox(),
		last: map[string]func(*i18n.Catalog) (string, widget.Importance){}}
	c.intro.Wrapping = fyne.TextWrapWord
	c.obj = container.NewBorder(c.intro, nil, nil, nil, container.NewVScroll(c.rows))
	c.refresh()
	return c
}

// refresh reads the cases and shows them in the counter's language.
func (c *conflictsTab) refresh() {
	u := c.u
	tr := u.tr()
	cases, err := u.opt.Store.ConflictCases(u.ctx)
	c.cases = cases
	c.rows.RemoveAll()
	c.notes, c.said = map[string]*formEntry{}, map[string]*widget.Label{}
	open := 0
	for _, cc := range cases {
		if !cc.Reviewed() {
			open++
		}
	}
	c.intro.Importance = widget.MediumImportance
	switch {
	case err != nil:
		u.log.Warn("manager: list conflicts", "err", err)
		c.intro.SetText(tr.T("ui.mgr.pickups.error", "err", err.Error()))
	case len(cases) == 0:
		c.intro.SetText(tr.T("ui.conflicts.none"))
	case open > 0:
		c.intro.SetText(tr.T("ui.mgr.conflicts.intro", "n", tr.Number(len(cases)), "open", tr.Number(open)))
		c.intro.Importance = widget.DangerImportance
	default:
		c.intro.SetText(tr.T("ui.mgr.conflicts.intro.done", "n", tr.Number(len(cases))))
	}
	c.intro.Refresh()
	for i, cc := range cases {
		if i > 0 {
			c.rows.Add(widget.NewSeparator())
		}
		c.rows.Add(c.caseBox(tr, cc))
	}
	c.rows.Refresh()
}

// caseBox shows one case: who, each side, the reviews, and the note field.
func (c *conflictsTab) caseBox(tr *i18n.Catalog, cc store.ConflictCase) fyne.CanvasObject {
	u := c.u
	camp, loc := u.snap.camp, u.opt.Loc
	code := pickup.Code(strings.ReplaceAll(cc.Code, "-", ""))
	who := tr.T("ui.mgr.conflicts.code", "code", code.Masked())
	if cc.Name != "" {
		who += " — " + cc.Name
		if cc.Profession != "" {
			who += " (" + tr.Profession(camp, cc.Profession) + ")"
		}
	}
	title := widget.NewLabel(who)
	title.TextStyle.Bold = true
	title.Wrapping = fyne.TextWrapWord
	state := widget.NewLabel(tr.T("ui.mgr.conflicts.open"))
	state.Importance = widget.DangerImportance
	state.TextStyle.Bold = true
	if cc.Reviewed() {
		state.SetText(tr.T("ui.mgr.conflicts.reviewed"))
		state.Importance = widget.SuccessImportance
	}
	box := container.NewVBox(container.NewBorder(nil, nil, nil, state, title))
	for i, s := range cc.Sides {
		box.Add(wrapped(sideText(tr, i+1, s, loc)))
	}
	for _, r := range cc.Reviews {
		l := wrapped(tr.T("ui.mgr.conflicts.review", "counter", counterName(r.Counter, r.TerminalID),
			"when", tr.DateTime(r.At, loc), "note", r.Note))
		l.TextStyle.Italic = true
		box.Add(l)
	}
	note := u.newFormEntry()
	note.SetPlaceHolder(tr.T("ui.mgr.conflicts.note.hint"))
	mark := widget.NewButtonWithIcon(tr.T("ui.mgr.conflicts.mark"), theme.ConfirmIcon(), func() { c.review(cc.Code) })
	mark.Importance = widget.HighImportance
	note.onEnter = func() { c.review(cc.Code) }
	said := widget.NewLabel("")
	said.Wrapping = fyne.TextWrapWord
	said.Hide()
	if last := c.last[cc.Code]; last != nil {
		said.Text, said.Importance = last(tr)
		said.Show()
	}
	c.notes[cc.Code], c.said[cc.Code] = note, said
	box.Add(container.NewBorder(nil, nil, nil, mark, note))
	box.Add(said)
	return box
}

// sideText puts one handover of a case into words: when, at which
// counter, the glove size, and what the registry or this counter said.
func sideText(tr *i18n.Catalog, n int, s store.Conflict, loc *time.Location) string {
	counter := counterName(s.Counter, s.TerminalID)
	if s.Local {
		counter += " (" + tr.T("ui.conflicts.here") + ")"
	}
	parts := []string{tr.T("ui.mgr.conflicts.side", "n", tr.Number(n), "when", tr.DateTime(s.At, loc), "counter", counter)}
	if s.GloveSize != "" {
		parts = append(parts, tr.T("ui.today.size", "size", s.GloveSize))
	}
	if d := conflictDetail(tr, s.Detail); d != "" {
		parts = append(parts, d)
	}
	return strings.Join(parts, " · ")
}

// conflictDetail puts what the store noted of a side into words.
func conflictDetail(tr *i18n.Catalog, detail string) string {
	if flag, ok := strings.CutPrefix(detail, store.ConflictFlagged); ok {
		if k := "ui.mgr.conflicts.flag." + flag; tr.Has(k) {
			return tr.T(k)
		}
		return tr.T("ui.mgr.conflicts.flag", "flag", flag)
	}
	switch detail {
	case store.ConflictDouble:
		return ""
	case store.ConflictPushed:
		return tr.T("ui.mgr.conflicts.detail.pushed")
	case store.DetailDoubleOwed:
		return tr.T("ui.mgr.conflicts.detail.owed")
	case store.ConflictEarlier:
		return tr.T("ui.mgr.conflicts.detail.earlier")
	}
	return detail
}

// review records the review of a case with the note typed under it.
func (c *conflictsTab) review(code string) {
	u := c.u
	note := c.notes[code]
	if note == nil {
		return
	}
	r, err := u.opt.Store.ReviewConflict(u.ctx, code, note.Text)
	switch {
	case err != nil && errors.Is(err, store.ErrInvalid) && strings.TrimSpace(note.Text) == "":
		c.last[code] = func(tr *i18n.Catalog) (string, widget.Importance) {
			return tr.T("ui.mgr.conflicts.note.empty"), widget.DangerImportance
		}
	case err != nil && errors.Is(err, store.ErrInvalid):
		c.last[code] = func(tr *i18n.Catalog) (string, widget.Importance) {
			return tr.T("ui.mgr.conflicts.note.bad", "max", tr.Number(pickup.MaxNoteLen)), widget.DangerImportance
		}
	case err != nil:
		u.log.Error("manager: review conflict", "err", err)
		c.last[code] = func(tr *i18n.Catalog) (string, widget.Importance) {
			return tr.T("ui.mgr.pickups.error", "err", err.Error()), widget.DangerImportance
		}
	default:
		u.log.Info("conflict reviewed", "code", pickup.Code(strings.ReplaceAll(code, "-", "")).Masked(), "event", r.EventID)
		c.last[code] = func(tr *i18n.Catalog) (string, widget.Importance) {
			return tr.T("ui.mgr.conflicts.done"), widget.SuccessImportance
		}
		select { // the status bar counts it waiting to upload at once
		case u.kick <- struct{}{}:
		default:
		}
	}
	if err != nil {
		// Keep what was typed: show the refusal under it.
		say := c.said[code]
		say.Text, say.Importance = c.last[code](u.tr())
		say.Show()
		say.Refresh()
		return
	}
	c.refresh()
}
