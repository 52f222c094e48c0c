package pickup

import (
	"fmt"
	"testing"
	"time"
)

// judgeToday and judgeCode are the day and the code the verdict tests
// judge; judgePickup is the code's pickup at centre "here", its window
// opened on 9 November 2020 and ending end.
var judgeToday = MustDate("2020-11-20")

const judgeCode = Code("7KQ4M2XD9PZCH3W8")

func judgePickup(end Date, status Status) Pickup {
	return Pickup{Code: judgeCode, Name: "A", Profession: "physiotherapist", ParcelKind: "close_contact", CentreID: "here",
		Window: Window{MustDate("2020-11-09"), end}, Status: status}
}

// changed returns a copy of p changed by f.
func changed(p Pickup, f func(p *Pickup)) *Pickup { f(&p); return &p }

func TestJudge(t *testing.T) {
	t.Parallel()
	today, code := judgeToday, judgeCode
	base := judgePickup(MustDate("2021-01-08"), StatusExpected)
	with := func(f func(p *Pickup)) *Pickup { return changed(base, f) }
	col := []Collection{{EventID: "e1", At: time.Date(2020, 11, 19, 10, 0, 0, 0, time.UTC), TerminalID: "t2", CentreID: "here"}}
	signed := &SignedCode{Code: code, CentreID: "here", CampaignID: "c", ParcelKind: "masks_only", Window: base.Window}
	tests := []struct {
		name string
		f    Facts
		want VerdictKind
	}{
		{"ok", Facts{Pickup: &base}, VerdictOK},
		{"first day", Facts{Pickup: with(func(p *Pickup) { p.Window.Start = today })}, VerdictOK},
		{"last day", Facts{Pickup: with(func(p *Pickup) { p.Window.End = today })}, VerdictOK},
		{"not yet open", Facts{Pickup: with(func(p *Pickup) { p.Window.Start = today.AddDays(1) })}, VerdictNotYetOpen},
		{"closed", Facts{Pickup: with(func(p *Pickup) { p.Window.End = today.AddDays(-1) })}, VerdictWindowClosed},
		{"wrong centre", Facts{Pickup: with(func(p *Pickup) { p.CentreID = "there" })}, VerdictWrongCentre},
		{"cancelled", Facts{Pickup: with(func(p *Pickup) { p.Status = StatusCancelled })}, VerdictCancelled},
		{"cancelled beats collected", Facts{Pickup: with(func(p *Pickup) { p.Status = StatusCancelled }), Collections: col}, VerdictCancelled},
		{"collected here", Facts{Pickup: &base, Collections: col}, VerdictAlreadyCollected},
		{"collected per registry", Facts{Pickup: with(func(p *Pickup) { p.Status = StatusCollected })}, VerdictAlreadyCollected},
		{"collected beats wrong centre", Facts{Pickup: with(func(p *Pickup) { p.CentreID = "there" }), Collections: col}, VerdictAlreadyCollected},
		{"unknown", Facts{}, VerdictUnknownCode},
		{"on signature", Facts{Signed: signed}, VerdictOK},
		{"on signature, other centre", Facts{Signed: &SignedCode{Code: code, CentreID: "there", Window: base.Window}}, VerdictWrongCentre},
		{"on signature, collected", Facts{Signed: signed, Collections: col}, VerdictAlreadyCollected},
		{"located at another centre", Facts{Located: &Centre{ID: "there"}}, VerdictWrongCentre},
		{"located here (stale)", Facts{Located: &Centre{ID: "here"}}, VerdictUnknownCode},
		{"listed beats located", Facts{Pickup: &base, Located: &Centre{ID: "there"}}, VerdictOK},
		{"revoked beats located", Facts{Revoked: true, Located: &Centre{ID: "there"}}, VerdictCancelled},
		{"collected beats located", Facts{Collections: col, Located: &Centre{ID: "there"}}, VerdictAlreadyCollected},
	}
	for _, tt := range tests {
		tt.f.Today, tt.f.CentreID = today, "here"
		v := Judge(tt.f)
		if v.Kind != tt.want {
			t.Errorf("%s: Judge = %s, want %s", tt.name, v.Kind, tt.want)
		}
		switch v.Kind {
		case VerdictNotYetOpen:
			if v.Opens != today.AddDays(1) {
				t.Errorf("%s: opens %s", tt.name, v.Opens)
			}
		case VerdictWindowClosed:
			if v.Closed != today.AddDays(-1) {
				t.Errorf("%s: closed %s", tt.name, v.Closed)
			}
		case VerdictWrongCentre:
			if v.RightCentre == nil || v.RightCentre.ID != "there" {
				t.Errorf("%s: right centre %+v", tt.name, v.RightCentre)
			}
		}
	}
	if v := Judge(Facts{Today: today, CentreID: "here", Signed: signed}); !v.OnSignature {
		t.Error("a code accepted on signature must say so")
	}
}

// TestJudgeRevokedAndSignature: revocation and the signature's outcome are
// facts Judge decides on.
func TestJudgeRevokedAndSignature(t *testing.T) {
	t.Parallel()
	today, code := judgeToday, judgeCode
	listed := changed(judgePickup(MustDate("2021-01-08"), StatusExpected), func(p *Pickup) { p.Profession = "" })
	signed := &SignedCode{Code: code, CentreID: "here", CampaignID: "c", ParcelKind: "masks_only", Window: listed.Window}
	bad := fmt.Errorf("%w: signature does not verify", ErrBadSignature)
	unknownKey := fmt.Errorf("%w: unknown key %q", ErrBadSignature, "k1")
	tests := []struct {
		name       string
		f          Facts
		want       VerdictKind
		reason     string
		onSig, row bool // accepted on signature; the listed row is kept in the verdict
	}{
		{"revoked, listed", Facts{Pickup: listed, Revoked: true}, VerdictCancelled, "revoked", false, true},
		{"revoked, signed", Facts{Signed: signed, Revoked: true}, VerdictCancelled, "revoked", false, false},
		{"revoked beats a bad signature", Facts{Signed: signed, SignatureErr: bad, HoldsKeys: true, Revoked: true}, VerdictCancelled, "revoked", false, false},
		{"revoked beats collected", Facts{Pickup: listed, Revoked: true, Collections: []Collection{{EventID: "e"}}}, VerdictCancelled, "revoked", false, true},
		{"bad signature, keys held, listed", Facts{Pickup: listed, Signed: signed, SignatureErr: bad, HoldsKeys: true}, VerdictBadSignature, "", false, false},
		{"bad signature, keys held, unlisted", Facts{Signed: signed, SignatureErr: bad, HoldsKeys: true}, VerdictBadSignature, "", false, false},
		{"no keys, unlisted", Facts{Signed: signed, SignatureErr: unknownKey}, VerdictBadSignature, "", false, false},
		{"no keys, listed: the list decides", Facts{Pickup: listed, Signed: signed, SignatureErr: unknownKey}, VerdictOK, "", false, true},
		{"verified, unlisted", Facts{Signed: signed, HoldsKeys: true}, VerdictOK, "", true, false},
		{"verified, listed: the list decides", Facts{Pickup: listed, Signed: signed, HoldsKeys: true}, VerdictOK, "", false, true},
		{"revoked per signature check", Facts{Signed: signed, SignatureErr: ErrRevoked, HoldsKeys: true}, VerdictCancelled, "revoked", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.f.Code, tt.f.Today, tt.f.CentreID = code, today, "here"
			v := Judge(tt.f)
			if v.Kind != tt.want || v.Reason != tt.reason || v.OnSignature != tt.onSig {
				t.Errorf("Judge = %s (reason %q, on signature %v), want %s (%q, %v)", v.Kind, v.Reason, v.OnSignature, tt.want, tt.reason, tt.onSig)
			}
			if v.Code != code {
				t.Errorf("verdict code %q, want %q", v.Code, code)
			}
			if got := v.Pickup == listed; got != tt.row {
				t.Errorf("verdict keeps the listed row: %v, want %v", got, tt.row)
			}
		})
	}
}

func TestDate(t *testing.T) {
	t.Parallel()
	d := MustDate("2020-12-31")
	if got := d.AddDays(1).String(); got != "2021-01-01" {
		t.Errorf("AddDays = %s", got)
	}
	if got := MustDate("2020-11-09").DaysUntil(MustDate("2021-01-08")); got != 60 {
		t.Errorf("DaysUntil = %d, want 60", got)
	}
	for _, bad := range []string{"", "2020-13-01", "2020-02-30", "20201109", "9/11/2020"} {
		if _, err := ParseDate(bad); err == nil {
			t.Errorf("ParseDate(%q) succeeded", bad)
		}
	}
}
