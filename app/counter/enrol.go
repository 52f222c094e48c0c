package counter

import (
	"context"
	"errors"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/pickup-terminal/pickup/assets/i18n"
	"github.com/pickup-terminal/pickup/store"
	"github.com/pickup-terminal/pickup/sync/client"
	"github.com/pickup-terminal/pickup/sync/protocol"
)

// Rounder is a sync engine that can run a round now (the "Sync now"
// button, the first sync after an enrolment). client.Syncer is one.
type Rounder interface {
	Round(ctx context.Context) (client.Report, error)
}

// enrolBox is the first-run screen's enrolment by scan: the one-line
// enrolment text (scanned, camera-read or pasted) is checked with the
// registry, which names the centre without using the code up; Enter then
// enrols and makes the first sync, with a progress bar.
type enrolBox struct {
	u              *UI
	title, hint    *widget.Label
	msg            *widget.Label
	entry          *widget.Entry
	button, camera *widget.Button
	progress       *widget.ProgressBar
	obj            fyne.CanvasObject
	previewed      string // the text whose preview is shown
	uri            protocol.EnrolmentURI
	busy           bool
	done           chan struct{} // closed when the running step ends (tests wait on it)
	say            func(tr *i18n.Catalog) string
	importance     widget.Importance
}

func newEnrolBox(u *UI) *enrolBox {
	b := &enrolBox{u: u, done: make(chan struct{})}
	close(b.done)
	b.title = widget.NewLabel("")
	b.title.TextStyle.Bold = true
	b.title.Wrapping = fyne.TextWrapWord
	b.hint = widget.NewLabel("")
	b.hint.Wrapping = fyne.TextWrapWord
	b.msg = widget.NewLabel("")
	b.msg.Wrapping = fyne.TextWrapWord
	b.msg.TextStyle.Bold = true
	b.entry = widget.NewEntry()
	b.entry.TextStyle.Monospace = true
	b.entry.OnSubmitted = b.submit
	b.button = widget.NewButtonWithIcon("", theme.LoginIcon(), func() { b.submit(b.entry.Text) })
	b.button.Importance = widget.HighImportance
	b.camera = widget.NewButtonWithIcon("", theme.MediaVideoIcon(), u.ToggleCamera)
	b.progress = widget.NewProgressBar()
	b.progress.Hide()
	b.obj = container.NewVBox(b.title, b.hint, container.NewBorder(nil, nil, nil, container.NewHBox(b.camera, b.button), b.entry), b.progress, b.msg)
	return b
}

func (b *enrolBox) render(tr *i18n.Catalog) {
	b.title.SetText(tr.T("ui.tech.enrol.title"))
	b.hint.SetText(tr.T("ui.tech.enrol.hint"))
	b.entry.SetPlaceHolder(tr.T("ui.tech.enrol.placeholder"))
	b.button.SetText(tr.T("ui.tech.enrol.button"))
	if b.u.camCancel != nil {
		b.camera.SetText(tr.T("ui.camera.stop"))
	} else {
		b.camera.SetText(tr.T("ui.camera.start"))
	}
	if b.u.opt.Camera == nil {
		b.camera.Hide()
	} else {
		b.camera.Show()
	}
	if b.busy {
		b.button.Disable()
	} else {
		b.button.Enable()
	}
	if b.say == nil {
		b.msg.Hide()
		return
	}
	b.msg.SetText(b.say(tr))
	b.msg.Importance = b.importance
	b.msg.Show()
	b.msg.Refresh()
}

func (b *enrolBox) show(imp widget.Importance, say func(tr *i18n.Catalog) string) {
	b.say, b.importance = say, imp
	b.render(b.u.tr())
}

// focus puts the cursor in the field, where a scanner types.
func (b *enrolBox) focus() { b.u.win.Canvas().Focus(b.entry) }

// wait blocks until the running preview or enrolment has ended.
func (b *enrolBox) wait() { <-b.done }

// submit is Enter in the field (a scanner ends with it): the first time
// for a text it asks for the preview; the second time, enrol.
func (b *enrolBox) submit(text string) {
	if b.busy {
		return
	}
	text = strings.TrimSpace(text)
	if text != "" && text == b.previewed {
		b.enrol()
		return
	}
	b.previewed = ""
	b.progress.Hide()
	u, err := protocol.ParseEnrolmentURI(text)
	if err != nil {
		why := err.Error()
		b.show(widget.DangerImportance, func(tr *i18n.Catalog) string { return tr.T("ui.tech.enrol.bad_text", "why", why) })
		return
	}
	b.uri = u
	b.run(func(tr *i18n.Catalog) string { return tr.T("ui.tech.enrol.checking") }, func(ctx context.Context) func() {
		p, err := client.PreviewEnrol(ctx, b.u.opt.Store, u.URL, u.Code.String())
		return func() {
			switch {
			case err != nil:
				b.failed(err)
			case p.Refusal != nil:
				id, _ := b.u.opt.Store.Identity(ctx)
				b.show(widget.DangerImportance, func(tr *i18n.Catalog) string {
					return tr.T("ui.tech.enrol.other_centre", "centre", id.Centre.ID, "other", p.Centre.ID)
				})
			default:
				b.previewed = text
				b.entry.SetText(text)
				b.show(widget.HighImportance, func(tr *i18n.Catalog) string {
					return tr.T("ui.tech.enrol.preview", "centre", p.Centre.Name, "id", p.Centre.ID, "address", p.Centre.Address)
				})
				b.u.win.Canvas().Focus(b.entry)
			}
		}
	})
}

// enrol enrols with the previewed text, then makes the first sync.
func (b *enrolBox) enrol() {
	u := b.uri
	b.progress.SetValue(0.1)
	b.progress.Show()
	b.run(func(tr *i18n.Catalog) string { return tr.T("ui.tech.enrol.enrolling") }, func(ctx context.Context) func() {
		id, err := client.Enrol(ctx, b.u.opt.Store, u.URL, u.Code.String())
		if err != nil {
			return func() { b.progress.Hide(); b.failed(err) }
		}
		fyne.Do(func() {
			b.progress.SetValue(0.4)
			b.show(widget.MediumImportance, func(tr *i18n.Catalog) string { return tr.T("ui.tech.enrol.syncing") })
		})
		rep, err := b.u.rounder().Round(ctx)
		return func() {
			b.previewed = ""
			b.entry.SetText("")
			b.progress.SetValue(1)
			if err != nil {
				f := client.Explain(err)
				b.show(widget.WarningImportance, func(tr *i18n.Catalog) string {
					return tr.T("ui.tech.enrol.sync_failed", "why", f.Text(tr))
				})
			} else {
				n := rep.Pulled
				b.show(widget.SuccessImportance, func(tr *i18n.Catalog) string {
					return tr.T("ui.tech.enrol.done", "centre", id.Centre.Name, "n", tr.Number(n))
				})
			}
			b.u.Refresh(ctx) // leaves the first-run screen
		}
	})
}

// run does step off the UI goroutine, saying what it is doing meanwhile,
// and applies what it returns on the UI goroutine.
func (b *enrolBox) run(doing func(tr *i18n.Catalog) string, step func(ctx context.Context) func()) {
	b.busy = true
	b.done = make(chan struct{})
	b.show(widget.MediumImportance, doing)
	done := b.done
	ctx := b.u.ctx
	go func() {
		apply := step(ctx)
		fyne.Do(func() {
			b.busy = false
			apply()
			b.render(b.u.tr())
			close(done)
		})
	}()
}

// failed says why a preview or an enrolment did not work, in the counter's
// words (never Go's network or TLS text).
func (b *enrolBox) failed(err error) {
	var pe *protocol.Error
	switch {
	case errors.As(err, &pe) && pe.Code == protocol.CodeEnrolmentRefused:
		b.show(widget.DangerImportance, func(tr *i18n.Catalog) string { return tr.T("ui.tech.enrol.code_refused") })
	case store.CodeOf(err) == store.CodeAlreadySetUp:
		b.show(widget.DangerImportance, func(tr *i18n.Catalog) string { return err.Error() })
	default:
		f := client.Explain(err)
		b.show(widget.DangerImportance, func(tr *i18n.Catalog) string {
			if f.Kind == client.FailureUnreachable || f.Kind == client.FailurePinMismatch {
				return tr.T("ui.tech.enrol.unreachable", "why", f.Text(tr))
			}
			return f.Text(tr)
		})
	}
}

// rounder is the sync engine for a round now: the window's own, or one
// made for the occasion.
func (u *UI) rounder() Rounder {
	if r, ok := u.opt.Sync.(Rounder); ok {
		return r
	}
	return &client.Syncer{Store: u.opt.Store, Log: u.log}
}
