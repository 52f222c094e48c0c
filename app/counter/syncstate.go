package counter

import (
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"

	"github.com/pickup-terminal/pickup/assets/i18n"
	"github.com/pickup-terminal/pickup/sync/client"
	"github.com/pickup-terminal/pickup/sync/protocol"
)

// syncWords is the sync state in words, its icon and its level, for the status bar
// and the sync panel: online only when the last round worked; a revoked
// terminal, a wrong clock (refused, or off by more than SkewWarning), a refusal and an unreachable registry each say
// what they are (never "Online").
func syncWords(tr *i18n.Catalog, registry string, hasSync, online bool, f client.Failure, lastSync time.Time, loc *time.Location, skew time.Duration) (string, fyne.Resource, Level) {
	warn := theme.NewColoredResource(theme.WarningIcon(), theme.ColorNameWarning)
	bad := theme.NewColoredResource(theme.ErrorIcon(), theme.ColorNameError)
	switch {
	case registry == "":
		return tr.T("ui.status.not_connected"), theme.NewColoredResource(theme.InfoIcon(), theme.ColorNameForeground), LevelOK
	case !hasSync:
		return tr.T("ui.status.sync_off"), warn, LevelWarn
	case f.Code == string(protocol.CodeTerminalRevoked):
		return tr.T("ui.tech.state.revoked"), bad, LevelStop
	case f.Kind == client.FailureEnrolAgain:
		return tr.T("ui.tech.state.unknown"), bad, LevelStop
	case f.Code == string(protocol.CodeClockSkew):
		return tr.T("ui.tech.state.clock"), bad, LevelStop
	case f.Kind == client.FailurePinMismatch:
		return tr.T("ui.tech.state.pin"), bad, LevelStop
	case f.Kind == client.FailureBusy:
		return tr.T("ui.tech.state.busy"), warn, LevelWarn
	case f.Kind == client.FailureRefused:
		return tr.T("ui.tech.state.refused", "code", f.Code), bad, LevelStop
	case f.Kind == client.FailureNone && online && (skew > client.SkewWarning || skew < -client.SkewWarning):
		return tr.T("ui.tech.state.skew", "d", skew.Abs().Round(time.Second).String()), warn, LevelWarn
	case f.Kind == client.FailureNone && online:
		return tr.T("ui.status.online"), theme.NewColoredResource(theme.ConfirmIcon(), theme.ColorNameSuccess), LevelOK
	}
	text := tr.T("ui.tech.state.offline_never")
	if !lastSync.IsZero() {
		text = tr.T("ui.tech.state.offline_since", "when", tr.DateTime(lastSync, loc))
	}
	if f.Kind == client.FailureUnreachable && f.Detail != "" {
		text += " (" + tr.T("sync.failure.unreachable."+f.Detail+".short") + ")"
	}
	return text, warn, LevelWarn
}
