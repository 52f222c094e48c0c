package counter

import (
	"context"
	"errors"
	"os"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/pickup-terminal/pickup"
	"github.com/pickup-terminal/pickup/assets/i18n"
	"github.com/pickup-terminal/pickup/internal/buildinfo"
	"github.com/pickup-terminal/pickup/store"
	"github.com/pickup-terminal/pickup/sync/client"
)

// snapshot is what the status bar, the size buttons and the Today panel
// show of the store, read off the UI goroutine.
type snapshot struct {
	full     bool // the counts were read (not only who this terminal is)
	setUp    bool
	status   store.Status
	registry string
	online   bool
	syncErr  client.Failure
	hasSync  bool
	today    []store.Handed
	weeks    []pickup.WeekPlan // the centre's coming weeks, from the registry
	// forecast is the shortage forecast (forecastErr why it could not be
	// read).
	forecast    pickup.Forecast
	forecastErr error
	camp        *pickup.Campaign
	err         error
	// recommended is the counter version the registry recommends.
	recommended string
	peers       int           // the centre's counters exchanged with in the last minute (LAN)
	skew        time.Duration // the registry's clock minus this one, at the last round
}

// read gathers a snapshot from the store. It touches no widget and may run
// on any goroutine.
func (u *UI) read(ctx context.Context) snapshot {
	st, err := u.opt.Store.Status(ctx)
	s, ok := u.readSetUp(ctx, st, err)
	s.full = true
	if !ok {
		return s
	}
	if u.opt.Sync != nil {
		s.hasSync, s.online, s.syncErr = true, u.opt.Sync.Online(), u.opt.Sync.LastFailure()
		if st, ok := u.opt.Sync.(interface{ State() client.State }); ok {
			s.skew = st.State().ClockSkew
		}
	}
	if s.today, err = u.opt.Store.Handovers(ctx, u.opt.Store.DayStart(u.opt.Store.Today()), 0); err != nil {
		s.err = err
	}
	s.weeks, _ = u.opt.Store.ComingWeeks(ctx) // none shown when unreadable
	s.forecast, s.forecastErr = u.opt.Store.Forecast(ctx)
	s.recommended, _ = u.opt.Store.Setting(ctx, client.KeyRecommendedVersion)
	if ps, err := u.opt.Store.Peers(ctx); err == nil {
		for _, p := range ps {
			if time.Since(p.LastExchange) < time.Minute {
				s.peers++
			}
		}
	}
	return s
}

// readIdentity is the quick part of a snapshot: who this terminal is. The
// window opens with it; the counts follow from Run (they take a moment on a
// store with a million pickups).
func (u *UI) readIdentity(ctx context.Context) snapshot {
	id, err := u.opt.Store.Identity(ctx)
	s, _ := u.readSetUp(ctx, store.Status{Identity: id}, err)
	return s
}

// readSetUp starts a snapshot from what the store said of the terminal
// (st, or err): set up or not, its registry and campaign. ok is false when
// there is nothing more to read.
func (u *UI) readSetUp(ctx context.Context, st store.Status, err error) (s snapshot, ok bool) {
	switch {
	case errors.Is(err, store.ErrNotInitialised):
		return s, false
	case err != nil:
		s.setUp, s.err = true, err
		return s, false
	}
	s.setUp, s.status = true, st
	s.registry, _ = u.opt.Store.Setting(ctx, KeyRegistryURL)
	if s.camp, err = u.opt.Store.Campaign(ctx, ""); err != nil {
		s.camp = &pickup.Campaign{}
	}
	return s, true
}

// Refresh reads the store now and shows what it holds (on the UI goroutine).
func (u *UI) Refresh(ctx context.Context) { u.apply(u.read(ctx)) }

// apply shows a snapshot. A terminal set up meanwhile (by the CLI, or the
// demo button) leaves the first-run screen.
func (u *UI) apply(s snapshot) {
	wasSetUp := u.snap.setUp
	u.snap = s
	if s.err != nil {
		u.log.Warn("refresh", "err", s.err)
	}
	if s.setUp && !wasSetUp {
		u.model.Clear()
	}
	if s.full && s.setUp && s.err == nil && u.model.Sized() {
		u.model.UpdateStock(s.status.Stock)
	}
	u.render()
	if s.setUp && !wasSetUp {
		u.focusEntry()
	}
}

// fileStamp changes whenever any process commits to the database.
type fileStamp struct {
	dbSize, walSize int64
	dbTime, walTime time.Time
}

func stampOf(path string) fileStamp {
	var st fileStamp
	if fi, err := os.Stat(path); err == nil {
		st.dbSize, st.dbTime = fi.Size(), fi.ModTime()
	}
	if fi, err := os.Stat(path + "-wal"); err == nil {
		st.walSize, st.walTime = fi.Size(), fi.ModTime()
	}
	return st
}

// RefreshEvery is how often Run looks for changes made by another process
// (the technician's command line, sync); it reads the store only when the
// database files changed, or every RereadEvery anyway.
const (
	RefreshEvery = time.Second
	RereadEvery  = 30 * time.Second
)

// Run keeps the window current until ctx is done: the undo button's
// window, and the status bar, stock and Today panel when the database
// changed. It reads the store on its own goroutine and touches widgets
// only through fyne.Do.
func (u *UI) Run(ctx context.Context) error {
	tick := time.NewTicker(RefreshEvery)
	defer tick.Stop()
	var last fileStamp
	var lastRead time.Time
	for first := true; ; first = false {
		force := first
		if !first {
			select {
			case <-ctx.Done():
				return nil
			case <-u.kick:
				force = true
			case <-tick.C:
			}
		}
		fyne.Do(u.tick)
		st := stampOf(u.opt.Store.Path())
		if !force && st == last && time.Since(lastRead) < RereadEvery {
			continue
		}
		last, lastRead = st, time.Now()
		s := u.read(ctx)
		if ctx.Err() != nil {
			return nil
		}
		fyne.Do(func() { u.apply(s) })
	}
}

// tick re-renders what depends on the clock: the undo button.
func (u *UI) tick() {
	if u.model.Phase() == PhaseHanded && u.snap.setUp && !u.showManager {
		u.renderVerdict()
	}
}

func (u *UI) renderStatus() {
	tr := u.tr()
	s := u.snap
	if !s.setUp {
		u.header.SetText(tr.T("ui.setup.header"))
		u.statePill.set(NewTheme(u.highContrast), LevelOK, tr.T("ui.status.not_connected"),
			theme.NewColoredResource(theme.InfoIcon(), theme.ColorNameDisabled))
		u.lastSync.SetText("")
		u.pending.SetText("")
		u.buttons["conflicts"].Hide()
		u.buttons["sync"].Hide()
		u.summary.SetText("")
		return
	}
	id := s.status.Identity
	head := id.Centre.Name
	if head == "" {
		head = id.Centre.ID
	}
	if id.TerminalName != "" {
		head += " · " + id.TerminalName
	}
	u.header.SetText(head)
	text, icon, level := syncWords(tr, s.registry, s.hasSync, s.online, s.syncErr, s.status.LastSync, u.opt.Loc, s.skew)
	// An icon only: the sync state in the status bar opens the panel too,
	// and the words left the centre's name no room at 1024×768.
	u.buttons["sync"].SetText("")
	u.buttons["sync"].Show()
	if s.err != nil {
		text, level = tr.T("ui.status.read_error", "err", s.err.Error()), LevelStop
	}
	u.statePill.set(NewTheme(u.highContrast), level, text, icon)
	count := func(n int) string {
		if !s.full {
			return "…" // not read yet
		}
		return tr.Number(n)
	}
	last := tr.T("ui.status.last_sync", "when", tr.DateTime(s.status.LastSync, u.opt.Loc))
	if buildinfo.Behind(s.recommended) {
		this, _ := buildinfo.Info()
		last += " · " + tr.T("ui.status.update", "version", s.recommended, "this", this)
	}
	if s.peers > 0 {
		last += " · " + tr.T("ui.peers.in_touch", "n", tr.Number(s.peers))
	}
	u.lastSync.SetText(last)
	u.pending.SetText(tr.T("ui.status.pending", "n", count(s.status.PendingUpload)))
	c := u.buttons["conflicts"]
	c.SetText(tr.T("ui.status.conflicts", "n", count(s.status.Conflicts)))
	switch {
	case s.status.Conflicts > s.status.ConflictsReviewed:
		c.Importance = widget.DangerImportance
		c.SetIcon(theme.WarningIcon())
	case s.status.Conflicts > 0:
		// Every one reviewed by a manager: still there, no longer an alarm.
		c.SetText(tr.T("ui.status.conflicts.reviewed", "n", count(s.status.Conflicts)))
		c.Importance = widget.MediumImportance
		c.SetIcon(theme.ConfirmIcon())
	default:
		c.Importance = widget.LowImportance
		c.SetIcon(nil)
	}
	c.Show()
	u.themeStatus()
	c.Refresh()
	u.summary.SetText(tr.T("ui.status.today", "n", count(s.status.HandedOverToday)))
}

// renderStockWarn shows or hides the counter's line about stock running
// out (counterWarning); it never takes the focus or stops a handover. The
// manager screen's Today panel says it at length: the line hides there.
func (u *UI) renderStockWarn(tr *i18n.Catalog) {
	text := ""
	if u.snap.full && u.snap.forecastErr == nil && !u.showManager {
		text = counterWarning(tr, u.snap.camp, u.snap.forecast)
	}
	u.stockWarn.SetText(text)
	if text == "" {
		u.stockWarn.Hide()
		return
	}
	u.stockWarn.Show()
}
