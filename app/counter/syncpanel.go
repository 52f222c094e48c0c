package counter

import (
	"context"
	"errors"
	"io"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/pickup-terminal/pickup/app/diag"
	"github.com/pickup-terminal/pickup/assets/i18n"
	"github.com/pickup-terminal/pickup/internal/cmdkit/atomicfile"
	"github.com/pickup-terminal/pickup/store"
	"github.com/pickup-terminal/pickup/sync/client"
	"github.com/pickup-terminal/pickup/sync/protocol"
)

// BundleExt ends the bundles the sync panel writes and reads; the facts
// bundles it writes for the registry start with factsPrefix and are not
// imported back.
const (
	BundleExt   = ".bundle"
	factsPrefix = "pickup-facts-"
)

// syncPanel is the technician's panel: the sync state in words, what is
// waiting, the last error, "Sync now", USB bundles to and from a folder.
type syncPanel struct {
	u                             *UI
	counter, registry, state      *widget.Label
	waiting, lastErr, result      *widget.Label
	syncNow, export, imp, diagBtn *widget.Button
	folderLabel, managerPIN       *widget.Label
	folder                        *widget.Entry
	nameLabel                     *widget.Label
	name                          *widget.Entry
	saveName                      *widget.Button
	progress                      *widget.ProgressBarInfinite
	busy                          bool
	done                          chan struct{}
	say                           func(tr *i18n.Catalog) string
	sayImp                        widget.Importance
	dlg                           dialog.Dialog
	obj                           fyne.CanvasObject
	words                         texts // the fixed widgets' words
}

func newSyncPanel(u *UI) *syncPanel {
	p := &syncPanel{u: u, done: make(chan struct{})}
	close(p.done)
	wrap := func(bold bool) *widget.Label {
		l := widget.NewLabel("")
		l.Wrapping = fyne.TextWrapWord
		l.TextStyle.Bold = bold
		return l
	}
	p.counter, p.registry, p.state = wrap(true), wrap(false), wrap(true)
	p.waiting, p.lastErr, p.result = wrap(false), wrap(false), wrap(true)
	w := &p.words
	p.folderLabel = texted(w, "ui.tech.panel.folder", widget.NewLabel(""))
	p.managerPIN = wrap(false)
	p.folder = widget.NewEntry()
	p.folder.SetText(outFolder(u.opt.DataDir))
	p.syncNow = texted(w, "ui.tech.panel.sync_now", widget.NewButtonWithIcon("", theme.ViewRefreshIcon(), p.SyncNow))
	p.syncNow.Importance = widget.HighImportance
	p.export = texted(w, "ui.tech.panel.export", widget.NewButtonWithIcon("", theme.UploadIcon(), p.Export))
	p.imp = texted(w, "ui.tech.panel.import", widget.NewButtonWithIcon("", theme.DownloadIcon(), p.Import))
	p.diagBtn = texted(w, "ui.tech.panel.diagnostics", widget.NewButtonWithIcon("", theme.DocumentSaveIcon(), p.Diagnostics))
	p.nameLabel = texted(w, "ui.tech.panel.name", widget.NewLabel(""))
	p.name = widget.NewEntry()
	p.name.OnSubmitted = func(string) { p.SaveName() }
	p.saveName = texted(w, "ui.tech.panel.name_save", widget.NewButtonWithIcon("", theme.DocumentSaveIcon(), p.SaveName))
	p.progress = widget.NewProgressBarInfinite()
	p.progress.Stop()
	p.progress.Hide()
	p.obj = container.NewVBox(p.counter,
		container.NewBorder(nil, nil, p.nameLabel, p.saveName, p.name), p.registry,
		container.NewBorder(nil, nil, nil, container.NewCenter(p.syncNow), container.NewVBox(p.state, p.waiting)),
		p.lastErr, p.progress, widget.NewSeparator(),
		p.folderLabel, p.folder, container.NewHBox(p.export, p.imp, p.diagBtn),
		p.result, p.managerPIN)
	return p
}

// outFolder is where a panel proposes to write (the sync panel's bundles,
// the report): the first removable drive mounted, or else dir.
func outFolder(dir string) string {
	if ds := removableDrives(); len(ds) > 0 {
		return ds[0]
	}
	return dir
}

// ShowSyncPanel opens the technician's sync panel.
func (u *UI) ShowSyncPanel() {
	if !u.snap.setUp {
		return
	}
	p := u.syncPanel
	tr := u.tr()
	if id := u.snap.status.Identity; unnamed(id) {
		p.name.SetText("")
	} else {
		p.name.SetText(id.TerminalName)
	}
	p.render(tr)
	content := container.NewVScroll(p.obj)
	content.SetMinSize(u.dialogSize(860, 600, 100, 170))
	p.dlg = u.showDialog(tr.T("ui.tech.panel.title"), tr.T("ui.tech.panel.close"), content, func() { p.dlg = nil })
	u.win.Canvas().Unfocus()
}

// unnamed reports whether the counter has no name of its own yet (an
// enrolment names it by its terminal id).
func unnamed(id store.Identity) bool {
	return id.TerminalName == "" || id.TerminalName == id.TerminalID
}

func (p *syncPanel) render(tr *i18n.Catalog) {
	u := p.u
	s := u.snap
	id := s.status.Identity
	if unnamed(id) {
		p.counter.SetText(tr.T("ui.tech.panel.counter_unnamed", "id", id.TerminalID, "centre", id.Centre.Name))
	} else {
		p.counter.SetText(tr.T("ui.tech.panel.counter", "name", id.TerminalName, "id", id.TerminalID, "centre", id.Centre.Name))
	}
	p.registry.SetText(tr.T("ui.tech.panel.registry", "url", s.registry))
	state, _, _ := syncWords(tr, s.registry, s.hasSync, s.online, s.syncErr, s.status.LastSync, u.opt.Loc, s.skew)
	p.state.SetText(tr.T("ui.tech.panel.state", "state", state) + " · " + tr.T("ui.status.last_sync", "when", tr.DateTime(s.status.LastSync, u.opt.Loc)))
	p.waiting.SetText(tr.T("ui.tech.panel.waiting", "n", tr.Number(s.status.PendingUpload)))
	if t := s.syncErr.Text(tr); t != "" {
		p.lastErr.SetText(tr.T("ui.tech.panel.last_error", "err", t))
	} else {
		p.lastErr.SetText(tr.T("ui.tech.panel.no_error"))
	}
	// The PIN is set at the command line only: this panel opens without one.
	if has, _ := u.opt.Store.HasManagerPIN(u.ctx); has {
		p.managerPIN.SetText(tr.T("ui.tech.panel.pin_set"))
	} else {
		p.managerPIN.SetText(tr.T("ui.tech.panel.pin_unset"))
	}
	p.words.set(tr)
	for _, b := range []*widget.Button{p.syncNow, p.export, p.imp, p.diagBtn, p.saveName} {
		if p.busy || s.registry == "" && b == p.syncNow {
			b.Disable()
		} else {
			b.Enable()
		}
	}
	if p.say != nil {
		p.result.SetText(p.say(tr))
		p.result.Importance = p.sayImp
		p.result.Show()
		p.result.Refresh()
	} else {
		p.result.Hide()
	}
}

// wait blocks until the running action has ended (tests).
func (p *syncPanel) wait() { <-p.done }

// run does step off the UI goroutine with the progress bar running, then
// shows what it says and reads the store again.
func (p *syncPanel) run(step func(ctx context.Context) (widget.Importance, func(tr *i18n.Catalog) string)) {
	if p.busy {
		return
	}
	p.busy = true
	p.done = make(chan struct{})
	done := p.done
	p.say = func(tr *i18n.Catalog) string { return tr.T("ui.tech.panel.syncing") }
	p.progress.Show()
	p.progress.Start()
	p.render(p.u.tr())
	ctx := p.u.ctx
	go func() {
		imp, say := step(ctx)
		snap := p.u.read(ctx)
		fyne.Do(func() {
			p.busy = false
			p.progress.Stop()
			p.progress.Hide()
			p.say, p.sayImp = say, imp
			p.u.apply(snap)
			p.render(p.u.tr())
			close(done)
		})
	}()
}

func failedSay(err error) (widget.Importance, func(tr *i18n.Catalog) string) {
	return widget.DangerImportance, func(tr *i18n.Catalog) string {
		why := client.Explain(err).Text(tr)
		if client.Explain(err).Kind == client.FailureRefused || errors.Is(err, client.ErrBundleRefused) || client.Explain(err).Kind == client.FailureNone {
			why = err.Error()
		}
		return tr.T("ui.tech.panel.failed", "err", why)
	}
}

// SyncNow runs a sync round at once.
func (p *syncPanel) SyncNow() {
	p.run(func(ctx context.Context) (widget.Importance, func(tr *i18n.Catalog) string) {
		rep, err := p.u.rounder().Round(ctx)
		if err != nil {
			return failedSay(err)
		}
		return widget.SuccessImportance, func(tr *i18n.Catalog) string {
			return tr.T("ui.tech.panel.synced", "pushed", tr.Number(rep.Pushed), "pulled", tr.Number(rep.Pulled))
		}
	})
}

// SaveName names this counter as the name field says: the centre's other
// counters show it from their next exchange.
func (p *syncPanel) SaveName() {
	name := p.name.Text
	p.run(func(ctx context.Context) (widget.Importance, func(tr *i18n.Catalog) string) {
		err := p.u.opt.Store.SetTerminalName(ctx, name)
		switch {
		case store.CodeOf(err) == store.CodeInvalid:
			return widget.DangerImportance, func(tr *i18n.Catalog) string {
				return tr.T("ui.tech.panel.name_invalid", "max", tr.Number(store.MaxCounterName))
			}
		case err != nil:
			return failedSay(err)
		}
		// Said after the store is read again: the name as it was kept.
		return widget.SuccessImportance, func(tr *i18n.Catalog) string {
			return tr.T("ui.tech.panel.name_saved", "name", p.u.snap.status.Identity.TerminalName)
		}
	})
}

// Export writes the facts waiting to upload to a bundle in the folder.
func (p *syncPanel) Export() {
	dir := strings.TrimSpace(p.folder.Text)
	name := factsPrefix + p.u.snap.status.TerminalID + "-" + p.u.model.Now().UTC().Format("20060102-150405") + BundleExt
	p.run(func(ctx context.Context) (widget.Importance, func(tr *i18n.Catalog) string) {
		path := filepath.Join(dir, name)
		n, err := client.ExportBundle(ctx, p.u.opt.Store, path)
		if err != nil {
			return failedSay(err)
		}
		return widget.SuccessImportance, func(tr *i18n.Catalog) string {
			return tr.T("ui.tech.panel.exported", "n", tr.Number(n), "file", path)
		}
	})
}

// Import applies every registry bundle (*.bundle) in the folder.
func (p *syncPanel) Import() {
	dir := strings.TrimSpace(p.folder.Text)
	p.run(func(ctx context.Context) (widget.Importance, func(tr *i18n.Catalog) string) {
		files, err := filepath.Glob(filepath.Join(dir, "*"+BundleExt))
		if err != nil {
			return failedSay(err)
		}
		files = slices.DeleteFunc(files, func(f string) bool { return strings.HasPrefix(filepath.Base(f), factsPrefix) })
		sort.Strings(files)
		if len(files) == 0 {
			return widget.WarningImportance, func(tr *i18n.Catalog) string { return tr.T("ui.tech.panel.no_bundle", "dir", dir) }
		}
		pickups := 0
		for _, f := range files {
			res, err := client.ImportBundle(ctx, p.u.opt.Store, f)
			if err != nil {
				return failedSay(err)
			}
			pickups += res.Pickups
		}
		n := len(files)
		return widget.SuccessImportance, func(tr *i18n.Catalog) string {
			return tr.T("ui.tech.panel.imported", "files", tr.Number(n), "pickups", tr.Number(pickups))
		}
	})
}

// Diagnostics writes the diagnostics file for support into the folder.
func (p *syncPanel) Diagnostics() {
	dir := strings.TrimSpace(p.folder.Text)
	name := "pickup-diagnostics-" + p.u.snap.status.TerminalID + "-" + p.u.model.Now().UTC().Format("20060102-150405") + ".txt"
	logPath := filepath.Join(filepath.Dir(p.u.opt.Store.Path()), diag.LogName)
	p.run(func(ctx context.Context) (widget.Importance, func(tr *i18n.Catalog) string) {
		path := filepath.Join(dir, name)
		err := atomicfile.WriteFile(path, 0o600, func(w io.Writer) error { return diag.Write(ctx, w, p.u.opt.Store, logPath) })
		if err != nil {
			return failedSay(err)
		}
		return widget.SuccessImportance, func(tr *i18n.Catalog) string { return tr.T("ui.tech.panel.diag_done", "file", path) }
	})
}

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
