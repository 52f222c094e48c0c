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
	"github.com/pickup-terminal/pickup/sync/client"
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
	progress                      *widget.ProgressBarInfinite
	busy                          bool
	done                          chan struct{}
	say                           func(tr *i18n.Catalog) string
	sayImp                        widget.Importance
	dlg                           dialog.Dialog
	obj                           fyne.CanvasObject
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
	p.folderLabel = widget.NewLabel("")
	p.managerPIN = wrap(false)
	p.folder = widget.NewEntry()
	p.folder.SetText(defaultBundleFolder(u.opt.DataDir))
	p.syncNow = widget.NewButtonWithIcon("", theme.ViewRefreshIcon(), p.SyncNow)
	p.syncNow.Importance = widget.HighImportance
	p.export = widget.NewButtonWithIcon("", theme.UploadIcon(), p.Export)
	p.imp = widget.NewButtonWithIcon("", theme.DownloadIcon(), p.Import)
	p.diagBtn = widget.NewButtonWithIcon("", theme.DocumentSaveIcon(), p.Diagnostics)
	p.progress = widget.NewProgressBarInfinite()
	p.progress.Stop()
	p.progress.Hide()
	p.obj = container.NewVBox(p.counter, p.registry,
		container.NewBorder(nil, nil, nil, container.NewCenter(p.syncNow), container.NewVBox(p.state, p.waiting)),
		p.lastErr, p.progress, widget.NewSeparator(),
		p.folderLabel, p.folder, container.NewHBox(p.export, p.imp, p.diagBtn),
		p.result, p.managerPIN)
	return p
}

// defaultBundleFolder is where the panel proposes to write: the first
// removable drive mounted, or the data folder.
func defaultBundleFolder(dataDir string) string {
	if ds := removableDrives(); len(ds) > 0 {
		return ds[0]
	}
	return dataDir
}

// ShowSyncPanel opens the technician's sync panel.
func (u *UI) ShowSyncPanel() {
	if !u.snap.setUp {
		return
	}
	p := u.syncPanel
	tr := u.tr()
	p.render(tr)
	content := container.NewVScroll(p.obj)
	win := u.win.Canvas().Size()
	content.SetMinSize(fyne.NewSize(min(860, win.Width-100), min(460, win.Height-200)))
	d := dialog.NewCustom(tr.T("ui.tech.panel.title"), tr.T("ui.tech.panel.close"), content, u.win)
	d.SetOnClosed(func() {
		u.dialog = nil
		p.dlg = nil
		u.focusEntry()
	})
	u.closeDialog()
	u.dialog, p.dlg = d, d
	d.Show()
	u.win.Canvas().Unfocus()
}

func (p *syncPanel) render(tr *i18n.Catalog) {
	u := p.u
	s := u.snap
	id := s.status.Identity
	if id.TerminalName == "" || id.TerminalName == id.TerminalID {
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
	p.syncNow.SetText(tr.T("ui.tech.panel.sync_now"))
	p.folderLabel.SetText(tr.T("ui.tech.panel.folder"))
	p.export.SetText(tr.T("ui.tech.panel.export"))
	p.imp.SetText(tr.T("ui.tech.panel.import"))
	p.diagBtn.SetText(tr.T("ui.tech.panel.diagnostics"))
	for _, b := range []*widget.Button{p.syncNow, p.export, p.imp, p.diagBtn} {
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
