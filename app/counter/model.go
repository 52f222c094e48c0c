package counter

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/pickup-terminal/pickup"
	"github.com/pickup-terminal/pickup/assets/i18n"
	"github.com/pickup-terminal/pickup/store"
)

// Phase is where the counter is between two professionals.
type Phase int

// The phases of the counter flow.
const (
	PhaseIdle    Phase = iota // waiting for a code
	PhaseOK                   // ok: choose a size (gloves) and confirm; or owed gloves to hand over
	PhaseHanded               // handed over; undo possible for the undo window
	PhaseUndone               // the handover was undone
	PhaseRefused              // any verdict but ok
	PhaseError                // the store failed; nothing was recorded
)

func (p Phase) String() string {
	return [...]string{"idle", "ok", "handed", "undone", "refused", "error"}[p]
}

// Tone is the colour and icon of the verdict band. It never stands alone:
// every tone comes with an icon and words.
type Tone int

// Tones.
const (
	ToneIdle  Tone = iota // neutral: ready, undone
	ToneOK                // green, check: hand over
	ToneDone              // blue, check: recorded
	ToneWarn              // amber, warning: check the code
	ToneStop              // red, cross: do not hand over
	ToneError             // red, error: the terminal has a problem
)

// SizeChoice is one glove size button.
type SizeChoice struct {
	Size    string
	Key     int // the number key that selects it, from 1
	Stock   int
	Enabled bool // enough stock for one parcel
	Chosen  bool
}

// View is everything the verdict panel shows, in the current language. The
// widgets render it and hold no state of their own.
type View struct {
	Phase Phase
	Tone  Tone
	Title string
	Code  string   // the code as looked up, or what was typed for a typo
	Name  string   // the professional's name, to compare with an ID card
	Role  string   // their profession, after the name
	Lines []string // large and bold: why not
	Minor []string // large: contents, who, where and when
	Next  string   // what to do next
	// Sizes are the glove size buttons, for an ok parcel with gloves.
	Sizes  []SizeChoice
	Notice string // a warning under the sizes (choose a size, out of stock, undo refused)

	Confirm    string // the confirm button's label ("" hides it)
	CanConfirm bool
	Undo       string // the undo button's label ("" hides it)
	CanUndo    bool
}

// Model is the counter's view-model: the flow between two professionals,
// with every decision left to the store. It is not safe for concurrent use;
// the window calls it from Fyne's main goroutine only.
type Model struct {
	Store *store.Store
	// Now is the clock for the undo window; the store's clock by default.
	Now func() time.Time
	// Loc is the time zone for dates and times shown.
	Loc *time.Location
	// Log receives one record per lookup and handover, with masked codes.
	Log *slog.Logger

	tr *i18n.Catalog

	phase     Phase
	input     string
	verdict   pickup.Verdict
	camp      *pickup.Campaign
	sizedItem string // the item chosen by size, "" for a parcel without one
	// owe: every glove size is out, Enter hands over the rest with the
	// gloves owed; owedGloves: the verdict is owed, the size chosen hands
	// the owed gloves over.
	owe, owedGloves bool
	need            int // units of sizedItem in one parcel
	sizes           []SizeChoice
	chosen          string
	notice          func(*i18n.Catalog) string
	handed          store.HandoverResult
	undoUntil       time.Time
	err             error
}

// NewModel returns a model on s speaking lang.
func NewModel(s *store.Store, lang string) *Model {
	m := &Model{Store: s, Loc: time.Local, Log: slog.Default(), tr: i18n.For(lang)}
	m.Now = func() time.Time { return s.Now() }
	return m
}

// Lang returns the current language.
func (m *Model) Lang() string { return m.tr.Lang }

// Catalog returns the current language's catalogue.
func (m *Model) Catalog() *i18n.Catalog { return m.tr }

// SetLang switches the language of everything the model says.
func (m *Model) SetLang(lang string) { m.tr = i18n.For(lang) }

// Phase returns the current phase.
func (m *Model) Phase() Phase { return m.phase }

// Verdict returns the verdict on screen (zero in idle).
func (m *Model) Verdict() pickup.Verdict { return m.verdict }

// Input returns the text of the code on screen.
func (m *Model) Input() string { return m.input }

// Handed returns the last handover recorded from this screen.
func (m *Model) Handed() store.HandoverResult { return m.handed }

// Sized reports whether the parcel on screen needs a size.
func (m *Model) Sized() bool { return m.phase == PhaseOK && m.sizedItem != "" }

// Chosen returns the chosen size.
func (m *Model) Chosen() string { return m.chosen }

// Clear returns to waiting for a code.
func (m *Model) Clear() {
	*m = Model{Store: m.Store, Now: m.Now, Loc: m.Loc, Log: m.Log, tr: m.tr}
}

// Enter is the Enter key with the scan field's text: a code is looked up;
// an empty field confirms an ok parcel.
func (m *Model) Enter(ctx context.Context, text string) {
	if strings.TrimSpace(text) != "" {
		m.Lookup(ctx, text)
		return
	}
	if m.phase == PhaseOK {
		m.Confirm(ctx)
	}
}

// Lookup judges a typed or scanned code and shows its verdict.
func (m *Model) Lookup(ctx context.Context, input string) {
	input = strings.TrimSpace(input)
	m.Clear()
	m.input = input
	v, err := m.Store.Lookup(ctx, input)
	if err != nil {
		m.fail(fmt.Errorf("look up: %w", err))
		return
	}
	m.verdict, m.camp = v.Verdict, v.Campaign
	if m.camp == nil {
		m.camp = &pickup.Campaign{}
	}
	m.Log.Info("lookup", "code", v.Code.Masked(), "verdict", string(v.Kind))
	if !v.OK() && v.Kind != pickup.VerdictOwed {
		m.phase = PhaseRefused
		return
	}
	m.phase = PhaseOK
	lines := v.Contents
	m.owe = v.OK() && len(v.Owed) > 0
	if v.Kind == pickup.VerdictOwed {
		lines, m.owedGloves = v.Owed, true
	}
	if i, it, ok := m.camp.SizedLine(lines); ok {
		m.sizedItem, m.need = it.ID, lines[i].Qty
		for k, sz := range it.Sizes {
			m.sizes = append(m.sizes, SizeChoice{Size: sz, Key: k + 1})
		}
	}
	if m.sizedItem != "" {
		stock, err := m.Store.Stock(ctx)
		if err != nil {
			m.fail(fmt.Errorf("read stock: %w", err))
			return
		}
		m.UpdateStock(stock)
	}
}

// UpdateStock refreshes the stock under the size buttons (the CLI may have
// received stock meanwhile). A chosen size that ran out is unchosen.
func (m *Model) UpdateStock(stock []store.StockLine) {
	if m.sizedItem == "" {
		return
	}
	qty := map[string]int{}
	for _, l := range stock {
		if l.Item == m.sizedItem {
			qty[l.Size] = l.Qty
		}
	}
	for i := range m.sizes {
		s := &m.sizes[i]
		s.Stock = qty[s.Size]
		s.Enabled = s.Stock >= m.need
		if !s.Enabled && s.Size == m.chosen {
			m.chosen = ""
		}
		s.Chosen = s.Size == m.chosen
	}
}

// Choose selects a glove size; it reports false (and says why) for a size
// with too little stock.
func (m *Model) Choose(size string) bool {
	if !m.Sized() {
		return false
	}
	for i := range m.sizes {
		if m.sizes[i].Size != size {
			continue
		}
		if !m.sizes[i].Enabled {
			s := m.sizes[i]
			m.notice = func(tr *i18n.Catalog) string {
				return tr.T("ui.size.empty", "size", s.Size, "n", tr.Number(s.Stock))
			}
			return false
		}
		m.chosen, m.notice = size, nil
		for j := range m.sizes {
			m.sizes[j].Chosen = m.sizes[j].Size == size
		}
		return true
	}
	return false
}

// ChooseKey selects the size of number key n (1 for the first size).
func (m *Model) ChooseKey(n int) bool {
	if !m.Sized() || n < 1 || n > len(m.sizes) {
		return false
	}
	return m.Choose(m.sizes[n-1].Size)
}

// Unchoose forgets the chosen size.
func (m *Model) Unchoose() {
	m.chosen = ""
	for i := range m.sizes {
		m.sizes[i].Chosen = false
	}
}

// Confirm hands the parcel on screen over, with the chosen size.
func (m *Model) Confirm(ctx context.Context) {
	if m.phase != PhaseOK {
		return
	}
	if m.sizedItem != "" && m.chosen == "" && !m.owe {
		m.notice = func(tr *i18n.Catalog) string { return tr.T("ui.size.choose") }
		return
	}
	req := store.HandoverRequest{Input: m.input, GloveSize: m.chosen, Owe: m.owe}
	hand, want := m.Store.Handover, pickup.VerdictOK
	if m.owedGloves {
		hand, want = m.Store.DeliverOwed, pickup.VerdictOwed
	}
	res, err := hand(ctx, req)
	var se *store.SizeError
	switch {
	case errors.As(err, &se):
		m.Log.Info("handover refused for size", "code", m.verdict.Code.Masked(), "size", se.Size)
		m.notice = func(tr *i18n.Catalog) string {
			why, left := tr.SizeRefusal(m.camp, se.SizeRefusal)
			return why + " " + left
		}
		if stock, err := m.Store.Stock(ctx); err == nil {
			m.UpdateStock(stock)
		}
		m.Unchoose()
		m.owe = false // stock came meanwhile: a size is to be chosen
	case err != nil:
		m.fail(err)
	case res.Verdict.Kind != want || res.EventID == "":
		// Something changed since the lookup (another counter, a sync).
		m.Log.Info("handover refused", "code", res.Verdict.Code.Masked(), "verdict", string(res.Verdict.Kind))
		m.verdict, m.phase, m.notice = res.Verdict, PhaseRefused, nil
	default:
		m.Log.Info("handed over", "code", res.Verdict.Code.Masked(), "event", res.EventID, "size", m.chosen,
			"owed", len(res.Owed) > 0, "owed_handover", m.owedGloves)
		m.phase, m.handed, m.verdict, m.notice = PhaseHanded, res, res.Verdict, nil
		m.undoUntil = res.UndoUntil
	}
}

// CanUndo reports whether the handover on screen can still be undone.
func (m *Model) CanUndo() bool {
	return m.phase == PhaseHanded && !m.Now().After(m.undoUntil)
}

// Undo undoes the handover on screen, within the undo window.
func (m *Model) Undo(ctx context.Context) {
	if m.phase != PhaseHanded {
		return
	}
	if !m.CanUndo() {
		m.notice = func(tr *i18n.Catalog) string { return tr.T("ui.undo.expired") }
		return
	}
	res, err := m.Store.Undo(ctx, m.handed.EventID)
	if err != nil {
		m.Log.Warn("undo refused", "event", m.handed.EventID, "err", err)
		m.notice = func(tr *i18n.Catalog) string {
			if errors.Is(err, store.ErrUndoExpired) {
				return tr.T("ui.undo.expired")
			}
			return tr.T("ui.undo.failed", "err", err.Error())
		}
		return
	}
	m.Log.Info("undone", "code", m.verdict.Code.Masked(), "event", res.EventID, "undoes", res.Undoes)
	m.phase, m.notice = PhaseUndone, nil
}

func (m *Model) fail(err error) {
	m.Log.Error("counter", "err", err)
	m.phase, m.err, m.notice = PhaseError, err, nil
}

// Err returns the store error on screen, in PhaseError.
func (m *Model) Err() error { return m.err }

// toneOf is the band of a refusal: red for "do not hand over", amber for
// "check the code".
func toneOf(k pickup.VerdictKind) Tone {
	switch k {
	case pickup.VerdictOK:
		return ToneOK
	case pickup.VerdictInvalidCode, pickup.VerdictUnknownCode:
		return ToneWarn
	}
	return ToneStop
}

// shownInput is the code line: the canonical code, or the typed text for a
// code that does not parse (shortened).
func (m *Model) shownInput() string {
	if m.verdict.Code != "" {
		return m.verdict.Code.String()
	}
	s := m.input
	if utf8.RuneCountInString(s) > 40 {
		s = string([]rune(s)[:40]) + "…"
	}
	return s
}

// View renders the current state in the current language.
func (m *Model) View() View {
	tr := m.tr
	v := View{Phase: m.phase}
	if m.notice != nil {
		v.Notice = m.notice(tr)
	}
	person := func() string {
		p := m.verdict.Pickup
		if p == nil || p.Name == "" {
			return ""
		}
		return p.Name
	}
	profession := func() string {
		if p := m.verdict.Pickup; p != nil && p.Profession != "" {
			return tr.Profession(m.camp, p.Profession)
		}
		return ""
	}
	switch m.phase {
	case PhaseIdle:
		v.Tone, v.Title = ToneIdle, tr.T("ui.idle.title")
		v.Lines = []string{tr.T("ui.idle.detail")}
		v.Next = tr.T("ui.idle.next")
	case PhaseOK:
		msg := tr.Describe(m.verdict, m.camp, m.Loc)
		v.Tone, v.Title = ToneOK, msg.Title
		v.Code = tr.T("ui.code", "code", m.shownInput())
		v.Name, v.Role = person(), profession()
		lines := m.verdict.Contents
		if m.owedGloves {
			// The gloves are the contents line, the size buttons the
			// choice (when the parcel went is left to the command line):
			// everything fits at 1024×768.
			lines = m.verdict.Owed
			v.Title = tr.T("ui.owed.title")
		} else if m.owe {
			lines = pickup.Rest(lines, m.verdict.Owed)
			v.Lines = []string{tr.T("verdict.ok.owed")}
		}
		if i, _, ok := m.camp.SizedLine(lines); ok && m.chosen != "" {
			lines = slices.Clone(lines)
			lines[i].Size = m.chosen
		}
		if len(lines) > 0 {
			v.Minor = append(v.Minor, tr.Contents(m.camp, lines))
		}
		if m.verdict.OnSignature {
			v.Minor = append(v.Minor, tr.T("verdict.ok.on_signature"))
		}
		if !m.owe { // every size is out: nothing to choose
			v.Sizes = append(v.Sizes, m.sizes...)
		}
		v.CanConfirm = m.sizedItem == "" || m.chosen != "" || m.owe
		switch {
		case m.owe:
			v.Next = msg.Next
			v.Confirm = tr.T("ui.confirm.owe")
		case m.owedGloves && m.chosen == "":
			v.Next = msg.Next
			v.Confirm = tr.T("ui.confirm")
		case m.owedGloves:
			v.Next = tr.T("ui.handed.next")
			v.Confirm = tr.T("ui.confirm.owed", "size", m.chosen)
		case m.sizedItem == "":
			v.Next = msg.Next
			v.Confirm = tr.T("ui.confirm")
		case m.chosen == "":
			v.Next = tr.T("ui.size.ask")
			v.Confirm = tr.T("ui.confirm")
		default:
			v.Next = msg.Next
			v.Confirm = tr.T("ui.confirm.size", "size", m.chosen)
		}
	case PhaseHanded:
		v.Tone, v.Title = ToneDone, tr.T("handover.done")
		if m.owedGloves {
			v.Title = tr.T("owed.handed.title")
		}
		v.Code = tr.T("ui.code", "code", m.shownInput())
		v.Name, v.Role = person(), profession()
		for _, l := range m.handed.Items {
			if l.Size != "" {
				// The box to take from the shelf, in large type.
				v.Lines = append(v.Lines, tr.T("ui.handed.size", "item", tr.ItemName(m.camp, l.Item), "size", l.Size))
			}
		}
		if len(m.handed.Owed) > 0 {
			v.Lines = append(v.Lines, tr.T("ui.handed.owed"))
		}
		if len(m.handed.Items) > 0 {
			v.Minor = append(v.Minor, tr.Contents(m.camp, m.handed.Items))
		}
		v.Next = tr.T("ui.handed.next")
		v.CanUndo = m.CanUndo()
		switch {
		case m.owedGloves:
			// An owed handover is not undone at the counter.
		case v.CanUndo:
			v.Undo = tr.T("ui.undo.until", "time", m.undoUntil.In(m.Loc).Format("15:04:05"))
		default:
			v.Undo = tr.T("ui.undo.closed")
		}
	case PhaseUndone:
		v.Tone, v.Title = ToneIdle, tr.T("handover.undone")
		v.Code = tr.T("ui.code", "code", m.shownInput())
		v.Name = person()
		v.Minor = []string{tr.T("ui.undone.detail")}
		v.Next = tr.T("ui.undone.next")
	case PhaseRefused:
		msg := tr.Describe(m.verdict, m.camp, m.Loc)
		v.Tone, v.Title = toneOf(m.verdict.Kind), msg.Title
		v.Code = tr.T("ui.code", "code", m.shownInput())
		v.Lines = msg.Detail
		if n := person(); n != "" {
			who := n
			if p := profession(); p != "" {
				who += " — " + p
			}
			v.Minor = append(v.Minor, who)
		}
		v.Next = msg.Next
	case PhaseError:
		v.Tone, v.Title = ToneError, tr.T("ui.error.title")
		v.Lines = []string{errorHint(tr, m.err)}
		if m.err != nil {
			v.Minor = []string{m.err.Error()}
		}
		v.Next = tr.T("ui.error.next")
	}
	return v
}

// errorHint turns a store failure into words for the volunteer: the
// window's text for the store's error code.
func errorHint(tr *i18n.Catalog, err error) string {
	if code := store.CodeOf(err); code != "" && tr.Has("ui.error."+string(code)) {
		return tr.T("ui.error." + string(code))
	}
	return tr.T("ui.error.other")
}
