package pickup

import (
	"errors"
	"time"
)

// VerdictKind names the answer a counter gives for a scanned code. The names
// are stable: they appear in the CLI's JSON and in translations.
type VerdictKind string

// The verdicts.
const (
	VerdictOK VerdictKind = "ok"
	// VerdictOwed: the parcel was handed over with items owed (out of
	// stock then); hand them over now.
	VerdictOwed             VerdictKind = "owed"
	VerdictAlreadyCollected VerdictKind = "already_collected"
	VerdictNotYetOpen       VerdictKind = "not_yet_open"
	VerdictWindowClosed     VerdictKind = "window_closed"
	VerdictWrongCentre      VerdictKind = "wrong_centre"
	VerdictCancelled        VerdictKind = "cancelled"
	VerdictUnknownCode      VerdictKind = "unknown_code"
	VerdictInvalidCode      VerdictKind = "invalid_code"
	VerdictBadSignature     VerdictKind = "bad_signature"
)

// VerdictKinds lists every verdict, ok first.
var VerdictKinds = []VerdictKind{
	VerdictOK, VerdictOwed, VerdictAlreadyCollected, VerdictNotYetOpen, VerdictWindowClosed, VerdictWrongCentre,
	VerdictCancelled, VerdictUnknownCode, VerdictInvalidCode, VerdictBadSignature,
}

// Status is a pickup's state as the registry or the terminal knows it.
type Status string

// Pickup statuses.
const (
	StatusExpected  Status = "expected"
	StatusCollected Status = "collected"
	StatusCancelled Status = "cancelled"
)

// Pickup is one expected pickup: the only personal data a terminal holds is
// the display name and the profession.
type Pickup struct {
	Code       Code   `json:"code"`
	Name       string `json:"name"`
	Profession string `json:"profession"`
	ParcelKind string `json:"parcel_kind"`
	CentreID   string `json:"centre_id"`
	CampaignID string `json:"campaign_id,omitempty"`
	Window     Window `json:"window"`
	Status     Status `json:"status"`
}

// Centre is a distribution point, as the wrong-centre answer shows it.
type Centre struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Address string `json:"address,omitempty"`
	Hours   string `json:"hours,omitempty"`
}

// Collection is a recorded handover of a code, here or elsewhere.
type Collection struct {
	EventID    string    `json:"event_id"`
	At         time.Time `json:"at"`
	TerminalID string    `json:"terminal_id"`
	CentreID   string    `json:"centre_id"`
	CentreName string    `json:"centre_name,omitempty"`
	GloveSize  string    `json:"glove_size,omitempty"`
	// Owed is what the handover could not give (out of stock then).
	Owed []Line `json:"owed,omitempty"`
}

// Verdict is the full answer for one scan: its kind and everything the
// counter needs to say why and what to do next.
type Verdict struct {
	Kind   VerdictKind `json:"verdict"`
	Code   Code        `json:"code,omitempty"`
	Pickup *Pickup     `json:"pickup,omitempty"`
	// Contents is what the parcel holds, for ok.
	Contents []Line `json:"contents,omitempty"`
	// Owed, for ok, is what cannot be handed over now (every size out,
	// see Campaign.Shortfall): the rest may go, these stay owed. For owed,
	// it is what the earlier handover left owed, to hand over now.
	Owed []Line `json:"owed,omitempty"`
	// OnSignature is set when the code is unknown locally but carried a
	// valid registry signature: the handover is accepted and reconciled later.
	OnSignature bool `json:"on_signature,omitempty"`
	// Collected lists the recorded handovers, for already_collected.
	Collected []Collection `json:"collected,omitempty"`
	// Opens is the first pickup day, for not_yet_open; Closed the last, for window_closed.
	Opens  Date `json:"opens,omitzero"`
	Closed Date `json:"closed,omitzero"`
	// RightCentre is where the code belongs, for wrong_centre.
	RightCentre *Centre `json:"right_centre,omitempty"`
	// LastRefresh is when the local copy was last refreshed, for unknown_code.
	LastRefresh time.Time `json:"last_refresh,omitzero"`
	// Reason details invalid_code ("length", "character", "check", "empty")
	// and bad_signature / cancelled ("revoked").
	Reason string `json:"reason,omitempty"`
	// ReasonN is the number of characters found (reason "length") or the
	// position of the bad character (reason "character").
	ReasonN int `json:"reason_n,omitempty"`
}

// OK reports whether the parcel may be handed over.
func (v Verdict) OK() bool { return v.Kind == VerdictOK }

// Facts is what a terminal knows about a scanned code when it judges it.
type Facts struct {
	Code     Code // the scanned code
	Today    Date
	CentreID string  // this terminal's centre
	Pickup   *Pickup // the local row, nil when unknown
	// Revoked: the registry revoked this code.
	Revoked bool
	// Signed is the signed payload the scan carried, if any, and
	// SignatureErr what checking it against this terminal's keys found (nil:
	// it verified). HoldsKeys: this terminal holds registry keys.
	Signed       *SignedCode
	SignatureErr error
	HoldsKeys    bool
	Collections  []Collection // handovers of this code not undone, known locally
	// OwedDeliveries are the owed handovers of this code (see
	// EventOwedHandover) known locally.
	OwedDeliveries []Collection
	RightCentre    *Centre // the directory entry of the pickup's (or signed payload's) centre, when it is another
	// Located is the centre the national code locator names for a code
	// the local list does not hold (nil when it names none).
	Located     *Centre
	LastRefresh time.Time // last time the local copy was refreshed
}

// Judge decides the verdict for a code the scan parsed correctly. Order
// matters: a revoked code is cancelled, whatever its signature; a signed
// payload must verify whenever this terminal holds keys, and is the only
// way to accept a code the local copy does not know (a signature that does
// not verify is ignored only when there are no keys yet and the list knows
// the code); a cancelled code is cancelled wherever it is shown; a
// collected one says when and where, unless it left items owed (out of
// stock) that are not handed over yet: then the verdict is owed; then the
// centre, then the window.
func Judge(f Facts) Verdict {
	if f.Revoked {
		return Verdict{Kind: VerdictCancelled, Code: f.Code, Pickup: f.Pickup, Reason: "revoked"}
	}
	signed := f.Signed
	if signed != nil && f.SignatureErr != nil {
		if f.Pickup == nil || f.HoldsKeys {
			v := InvalidVerdict(f.SignatureErr)
			v.Code = f.Code
			return v
		}
		signed = nil
	}
	p := f.Pickup
	onSig := false
	if p == nil && signed != nil {
		s := signed
		p = &Pickup{Code: s.Code, CentreID: s.CentreID, CampaignID: s.CampaignID, ParcelKind: s.ParcelKind,
			Window: s.Window, Status: StatusExpected}
		onSig = true
	}
	if p == nil {
		if len(f.Collections) > 0 {
			// Handed over on signature before the list knew it.
			v := Verdict{Kind: VerdictAlreadyCollected, Code: f.Code, Collected: f.Collections}
			if owed := OwedNow(f.Collections, f.OwedDeliveries); len(owed) > 0 {
				v.Kind, v.Owed = VerdictOwed, owed
			}
			return v
		}
		if f.Located != nil && f.Located.ID != f.CentreID {
			return Verdict{Kind: VerdictWrongCentre, Code: f.Code, RightCentre: f.Located}
		}
		return Verdict{Kind: VerdictUnknownCode, Code: f.Code, LastRefresh: f.LastRefresh}
	}
	v := Verdict{Code: p.Code, Pickup: p, OnSignature: onSig}
	switch {
	case p.Status == StatusCancelled:
		v.Kind = VerdictCancelled
	case len(f.Collections) > 0 || p.Status == StatusCollected:
		// The registry may know of a handover this terminal has no detail of.
		v.Kind = VerdictAlreadyCollected
		v.Collected = f.Collections
		if owed := OwedNow(f.Collections, f.OwedDeliveries); len(owed) > 0 && p.CentreID == f.CentreID {
			// Owed items are handed over at the centre of the handover,
			// whatever the day.
			v.Kind, v.Owed = VerdictOwed, owed
		}
	case p.CentreID != f.CentreID:
		v.Kind = VerdictWrongCentre
		v.RightCentre = f.RightCentre
		if v.RightCentre == nil {
			v.RightCentre = &Centre{ID: p.CentreID}
		}
	case f.Today.Before(p.Window.Start):
		v.Kind = VerdictNotYetOpen
		v.Opens = p.Window.Start
	case f.Today.After(p.Window.End):
		v.Kind = VerdictWindowClosed
		v.Closed = p.Window.End
	default:
		v.Kind = VerdictOK
	}
	return v
}

// InvalidVerdict turns a parse error from ParseScan into the verdict the
// counter shows: invalid_code for a typo, bad_signature for a damaged or
// forged signed payload, cancelled for a revoked code.
func InvalidVerdict(err error) Verdict {
	var ce *CodeError
	switch {
	case errors.As(err, &ce):
		n := ce.Got
		if ce.Reason == "character" {
			n = ce.Pos
		}
		return Verdict{Kind: VerdictInvalidCode, Reason: ce.Reason, ReasonN: n}
	case errors.Is(err, ErrRevoked):
		return Verdict{Kind: VerdictCancelled, Reason: "revoked"}
	default:
		return Verdict{Kind: VerdictBadSignature}
	}
}
