package pickup

import (
	"reflect"
	"testing"
	"time"
)

func TestShortfall(t *testing.T) {
	t.Parallel()
	c := builtin(t, DefaultCampaignID)
	parcel := []Line{{Item: "masks", Qty: 100}, {Item: "gloves", Qty: 200}, {Item: "gowns", Qty: 10}}
	stock := func(m map[string]int) func(item, size string) int {
		return func(item, size string) int { return m[item+size] }
	}
	tests := []struct {
		name  string
		lines []Line
		have  map[string]int
		want  []Line
	}{
		{"every size out", parcel, map[string]int{"masks": 500}, []Line{{Item: "gloves", Qty: 200}}},
		{"sizes below a parcel", parcel, map[string]int{"glovesS": 199, "glovesM": 150, "glovesL": 1, "glovesXL": 0}, []Line{{Item: "gloves", Qty: 200}}},
		{"one size left", parcel, map[string]int{"glovesXL": 200}, nil},
		{"plenty", parcel, map[string]int{"glovesS": 1000, "glovesM": 1000}, nil},
		{"unsized out is not owed", []Line{{Item: "masks", Qty: 100}}, map[string]int{}, nil},
		{"no lines", nil, nil, nil},
	}
	for _, tt := range tests {
		if got := c.Shortfall(tt.lines, stock(tt.have)); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: Shortfall = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestRest(t *testing.T) {
	t.Parallel()
	parcel := []Line{{Item: "masks", Qty: 100}, {Item: "gloves", Qty: 200}, {Item: "gowns", Qty: 10}}
	tests := []struct {
		name string
		owed []Line
		want []Line
	}{
		{"gloves owed", []Line{{Item: "gloves", Qty: 200}}, []Line{{Item: "masks", Qty: 100}, {Item: "gowns", Qty: 10}}},
		{"nothing owed", nil, parcel},
		{"all owed", parcel, []Line{}},
	}
	for _, tt := range tests {
		if got := Rest(parcel, tt.owed); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: Rest = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestOwing(t *testing.T) {
	t.Parallel()
	gloves := []Line{{Item: "gloves", Qty: 200}}
	plain := Collection{EventID: "h0"}
	owing := Collection{EventID: "h1", Owed: gloves}
	delivered := Collection{EventID: "d1", GloveSize: "M"}
	tests := []struct {
		name       string
		handovers  []Collection
		deliveries []Collection
		want       OwedState
		wantLines  []Line
	}{
		{"never handed over", nil, nil, OwedNone, nil},
		{"handed over whole", []Collection{plain}, nil, OwedNone, nil},
		{"gloves owed", []Collection{owing}, nil, OwedDue, gloves},
		{"gloves handed over later", []Collection{owing}, []Collection{delivered}, OwedDelivered, nil},
		{"double handover owes once", []Collection{plain, owing, owing}, nil, OwedDue, gloves},
		{"delivery with no owing handover", []Collection{plain}, []Collection{delivered}, OwedNone, nil},
	}
	for _, tt := range tests {
		got, lines := Owing(tt.handovers, tt.deliveries)
		if got != tt.want || !reflect.DeepEqual(lines, tt.wantLines) {
			t.Errorf("%s: Owing = %v %v, want %v %v", tt.name, got, lines, tt.want, tt.wantLines)
		}
		if now := OwedNow(tt.handovers, tt.deliveries); !reflect.DeepEqual(now, tt.wantLines) {
			t.Errorf("%s: OwedNow = %v, want %v", tt.name, now, tt.wantLines)
		}
	}
	if OwedDeliveryDouble(nil) || !OwedDeliveryDouble([]Collection{delivered}) {
		t.Error("OwedDeliveryDouble: the first owed handover stands, a second is a double")
	}
}

func TestJudgeOwed(t *testing.T) {
	t.Parallel()
	today, code := judgeToday, judgeCode
	base := judgePickup(MustDate("2020-11-19"), StatusCollected)
	with := func(f func(p *Pickup)) *Pickup { return changed(base, f) }
	gloves := []Line{{Item: "gloves", Qty: 200}}
	at := time.Date(2020, 11, 19, 10, 0, 0, 0, time.UTC)
	owing := []Collection{{EventID: "e1", At: at, TerminalID: "t2", CentreID: "here", Owed: gloves}}
	whole := []Collection{{EventID: "e1", At: at, TerminalID: "t2", CentreID: "here"}}
	delivered := []Collection{{EventID: "e2", At: at.Add(time.Hour), TerminalID: "t3", CentreID: "here", GloveSize: "L"}}
	tests := []struct {
		name     string
		f        Facts
		want     VerdictKind
		wantOwed []Line
	}{
		{"owed, even after the window", Facts{Pickup: &base, Collections: owing}, VerdictOwed, gloves},
		{"owed handed over already", Facts{Pickup: &base, Collections: owing, OwedDeliveries: delivered}, VerdictAlreadyCollected, nil},
		{"nothing owed", Facts{Pickup: &base, Collections: whole}, VerdictAlreadyCollected, nil},
		{"owed but cancelled since", Facts{Pickup: with(func(p *Pickup) { p.Status = StatusCancelled }), Collections: owing}, VerdictCancelled, nil},
		{"owed but revoked since", Facts{Pickup: &base, Collections: owing, Revoked: true}, VerdictCancelled, nil},
		{"owed at another centre's code", Facts{Pickup: with(func(p *Pickup) { p.CentreID = "there" }), Collections: owing}, VerdictAlreadyCollected, nil},
		{"owed on signature, list not refreshed", Facts{Collections: owing}, VerdictOwed, gloves},
		{"registry says collected, no detail", Facts{Pickup: &base}, VerdictAlreadyCollected, nil},
	}
	for _, tt := range tests {
		tt.f.Code, tt.f.Today, tt.f.CentreID = code, today, "here"
		v := Judge(tt.f)
		if v.Kind != tt.want || !reflect.DeepEqual(v.Owed, tt.wantOwed) {
			t.Errorf("%s: Judge = %s owed %v, want %s owed %v", tt.name, v.Kind, v.Owed, tt.want, tt.wantOwed)
		}
		if v.Kind == VerdictOwed && (v.OK() || len(v.Collected) != 1) {
			t.Errorf("%s: an owed verdict is not ok (it hands over the owed items only) and says when the parcel went: %+v", tt.name, v)
		}
	}
}

func TestValidateOwed(t *testing.T) {
	t.Parallel()
	base := Event{ID: "0b9c3c1e-7a39-4a37-9d7a-1f0c6a0d2b11", TerminalID: "t1", CentreID: "c1", At: time.Date(2020, 11, 19, 10, 0, 0, 0, time.UTC),
		Code: Code("000000000000000" + string(CheckChar("000000000000000")))}
	ev := func(f func(e *Event)) Event { e := base; f(&e); return e }
	tests := []struct {
		name string
		e    Event
		ok   bool
	}{
		{"handover owing gloves", ev(func(e *Event) {
			e.Type, e.Items, e.Owed = EventHandover, []Line{{Item: "masks", Qty: 100}}, []Line{{Item: "gloves", Qty: 200}}
		}), true},
		{"owed line of no units", ev(func(e *Event) { e.Type, e.Owed = EventHandover, []Line{{Item: "gloves", Qty: 0}} }), false},
		{"owed handover", ev(func(e *Event) {
			e.Type, e.GloveSize, e.Items = EventOwedHandover, "M", []Line{{Item: "gloves", Size: "M", Qty: 200}}
		}), true},
		{"owed handover of nothing", ev(func(e *Event) { e.Type = EventOwedHandover }), false},
		{"owed handover owing again", ev(func(e *Event) {
			e.Type, e.Items, e.Owed = EventOwedHandover, []Line{{Item: "gloves", Size: "M", Qty: 200}}, []Line{{Item: "gloves", Qty: 200}}
		}), false},
		{"owed handover, bad code", ev(func(e *Event) { e.Type, e.Code, e.Items = EventOwedHandover, "NOPE", []Line{{Item: "gloves", Qty: 1}} }), false},
	}
	for _, tt := range tests {
		if err := tt.e.Validate(); (err == nil) != tt.ok {
			t.Errorf("%s: Validate = %v, want ok %v", tt.name, err, tt.ok)
		}
	}
}
