package protocol

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/pickup-terminal/pickup"
)

// UnmarshalJSON decodes a pickup row. A pull of a large centre is a
// million of them, so the common shape (the keys the registry writes, plain
// strings) is read by hand; anything else — escapes, other keys, nulls,
// another order — goes through encoding/json, which gives the same result.
func (r *PickupRow) UnmarshalJSON(b []byte) error {
	if fastPickupRow(b, r) {
		return nil
	}
	type plain PickupRow // no methods: the ordinary decoder
	var v plain
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*r = PickupRow(v)
	return nil
}

var errSlow = errors.New("slow path")

// rowParser reads the flat JSON object of a pickup row.
type rowParser struct {
	b []byte
	i int
	// interned holds the strings read once for keys and the fields that
	// take few values (profession, parcel kind, centre, campaign, status):
	// a page of 10,000 rows then allocates its names and codes only.
	interned map[string]string
}

// maxInterned bounds the strings a parser keeps (a page has a few dozen).
const maxInterned = 1024

// intern returns s as a string, the same one each time for a value seen
// before.
func (p *rowParser) intern(s []byte) string {
	if v, ok := p.interned[string(s)]; ok { // no allocation for the lookup
		return v
	}
	v := string(s)
	if p.interned == nil {
		p.interned = map[string]string{}
	}
	if len(p.interned) < maxInterned {
		p.interned[v] = v
	}
	return v
}

func (p *rowParser) ws() {
	for p.i < len(p.b) {
		switch p.b[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *rowParser) byte(c byte) bool {
	p.ws()
	if p.i < len(p.b) && p.b[p.i] == c {
		p.i++
		return true
	}
	return false
}

// str reads a string without escapes, valid UTF-8 and no control
// characters; anything else is left to the slow path.
func (p *rowParser) str() (string, error) {
	b, err := p.view()
	return string(b), err
}

// view is str without the copy: the string's bytes in the input.
func (p *rowParser) view() ([]byte, error) {
	p.ws()
	if p.i >= len(p.b) || p.b[p.i] != '"' {
		return nil, errSlow
	}
	start := p.i + 1
	ascii := true
	for j := start; j < len(p.b); j++ {
		c := p.b[j]
		switch {
		case c == '"':
			s := p.b[start:j]
			if !ascii && !utf8.Valid(s) {
				return nil, errSlow
			}
			p.i = j + 1
			return s, nil
		case c == '\\' || c < 0x20:
			return nil, errSlow
		case c >= 0x80:
			ascii = false
		}
	}
	return nil, errSlow
}

// internedStr reads a string through intern.
func (p *rowParser) internedStr() (string, error) {
	b, err := p.view()
	if err != nil {
		return "", err
	}
	return p.intern(b), nil
}

// int reads a JSON integer (no leading zeros, no fraction or exponent).
func (p *rowParser) int() (int64, error) {
	p.ws()
	j := p.i
	if j < len(p.b) && p.b[j] == '-' {
		j++
	}
	d := j
	for j < len(p.b) && p.b[j] >= '0' && p.b[j] <= '9' {
		j++
	}
	if j == d || j-d > 1 && p.b[d] == '0' {
		return 0, errSlow
	}
	v, err := strconv.ParseInt(string(p.b[p.i:j]), 10, 64)
	if err != nil {
		return 0, errSlow
	}
	p.i = j
	return v, nil
}

// skipValue moves past one JSON value (for a well-formed one; the caller
// decodes the bytes with encoding/json, which checks them).
func (p *rowParser) skipValue() bool {
	p.ws()
	depth := 0
	for p.i < len(p.b) {
		c := p.b[p.i]
		switch {
		case c == '"':
			p.i++
			for p.i < len(p.b) && p.b[p.i] != '"' {
				if p.b[p.i] == '\\' {
					p.i++
				}
				p.i++
			}
			if p.i >= len(p.b) {
				return false
			}
			p.i++
		case c == '{' || c == '[':
			depth++
			p.i++
		case c == '}' || c == ']':
			if depth == 0 {
				return true
			}
			depth--
			p.i++
		case c == ',' && depth == 0:
			return true
		default:
			p.i++
		}
		if depth == 0 && (c == '"' || c == '}' || c == ']') {
			return true
		}
	}
	return depth == 0
}

// fastDate reads YYYY-MM-DD as pickup.ParseDate does (a real calendar day).
func fastDate[T string | []byte](s T) (pickup.Date, bool) {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return pickup.Date{}, false
	}
	num := func(t T) int {
		n := 0
		for i := 0; i < len(t); i++ {
			if t[i] < '0' || t[i] > '9' {
				return -1
			}
			n = n*10 + int(t[i]-'0')
		}
		return n
	}
	y, m, d := num(s[0:4]), num(s[5:7]), num(s[8:10])
	if y < 0 || m < 1 || m > 12 || d < 1 {
		return pickup.Date{}, false
	}
	if d > time.Date(y, time.Month(m)+1, 0, 0, 0, 0, 0, time.UTC).Day() {
		return pickup.Date{}, false
	}
	return pickup.Date{Year: y, Month: time.Month(m), Day: d}, true
}

func fastPickupRow(b []byte, r *PickupRow) bool {
	p := &rowParser{b: b}
	if !p.row(r) {
		return false
	}
	p.ws()
	return p.i == len(p.b)
}

// nextKey reads, inside an object after its '{', either the closing '}'
// (end) or the next key and its ':', preceded by ',' unless first. ok is
// false for anything else.
func (p *rowParser) nextKey(first bool) (key string, end, ok bool) {
	if p.byte('}') {
		return "", true, true
	}
	if !first && !p.byte(',') {
		return "", false, false
	}
	key, err := p.internedStr()
	if err != nil || !p.byte(':') {
		return "", false, false
	}
	return key, false, true
}

// row reads one pickup row object at the parser's position.
func (p *rowParser) row(r *PickupRow) bool {
	var out PickupRow
	if !p.byte('{') {
		return false
	}
	seen := 0
	for first := true; ; first = false {
		key, end, ok := p.nextKey(first)
		if !ok {
			return false
		}
		if end {
			break
		}
		var s string
		var err error
		switch key {
		case "code", "name":
			if s, err = p.str(); err != nil {
				return false
			}
		case "profession", "parcel_kind", "centre_id", "campaign_id", "status":
			if s, err = p.internedStr(); err != nil {
				return false
			}
		}
		bit := 0
		switch key {
		case "code":
			out.Code, bit = pickup.Code(s), 1
		case "name":
			out.Name, bit = s, 2
		case "profession":
			out.Profession, bit = s, 4
		case "parcel_kind":
			out.ParcelKind, bit = s, 8
		case "centre_id":
			out.CentreID, bit = s, 16
		case "campaign_id":
			out.CampaignID, bit = s, 32
		case "status":
			out.Status, bit = pickup.Status(s), 64
		case "seq":
			if out.Seq, err = p.int(); err != nil {
				return false
			}
			bit = 128
		case "window":
			if !p.byte('{') {
				return false
			}
			for k := 0; k < 2; k++ {
				if k > 0 && !p.byte(',') {
					return false
				}
				wk, err := p.view()
				if err != nil || !p.byte(':') {
					return false
				}
				v, err := p.view()
				if err != nil {
					return false
				}
				d, ok := fastDate(v)
				switch {
				case !ok:
					return false
				case string(wk) == "start":
					out.Window.Start = d
				case string(wk) == "end":
					out.Window.End = d
				default:
					return false
				}
			}
			if !p.byte('}') {
				return false
			}
			bit = 256
		default:
			return false
		}
		if seen&bit != 0 {
			return false // a repeated key: let encoding/json decide
		}
		seen |= bit
	}
	*r = out
	return true
}

// fastPullResponse decodes a page whose pickups are in the common shape
// without scanning the bulk of it twice: the pickups array is read by hand,
// every other field by encoding/json on its own bytes. It reports false
// for anything unusual (an unknown or repeated key, a malformed value),
// leaving the page to the ordinary decoder.
func fastPullResponse(b []byte, out *PullResponse) bool {
	p := &rowParser{b: b}
	var v PullResponse
	if !p.byte('{') {
		return false
	}
	seen := map[string]bool{}
	for first := true; ; first = false {
		key, end, ok := p.nextKey(first)
		if !ok || seen[key] {
			return false
		}
		if end {
			break
		}
		seen[key] = true
		if key == "pickups" {
			if !p.byte('[') {
				return false
			}
			// As many rows as the page can hold (each starts with its code;
			// other lists name codes too: an upper bound), instead of the
			// growing array's copies and garbage.
			v.Pickups = make([]PickupRow, 0, min(bytes.Count(p.b[p.i:], []byte(`"code"`)), MaxPullLimit))
			if !p.byte(']') {
				for {
					var r PickupRow
					if !p.row(&r) {
						return false
					}
					v.Pickups = append(v.Pickups, r)
					if p.byte(']') {
						break
					}
					if !p.byte(',') {
						return false
					}
				}
			}
			continue
		}
		dst := v.field(key)
		if dst == nil {
			return false
		}
		p.ws()
		start := p.i
		if !p.skipValue() || json.Unmarshal(p.b[start:p.i], dst) != nil {
			return false
		}
	}
	p.ws()
	if p.i != len(p.b) {
		return false
	}
	*out = v
	return true
}

// field returns a pointer to the field of v stored under key in JSON,
// nil for pickups (read by hand) and for an unknown key.
func (v *PullResponse) field(key string) any {
	switch key {
	case "dataset_id":
		return &v.DatasetID
	case "centre_id":
		return &v.CentreID
	case "reset":
		return &v.Reset
	case "after":
		return &v.After
	case "cursor":
		return &v.Cursor
	case "more":
		return &v.More
	case "reassigned":
		return &v.Reassigned
	case "redemptions":
		return &v.Redemptions
	case "received":
		return &v.Received
	case "campaigns":
		return &v.Campaigns
	case "centres":
		return &v.Centres
	case "shipments":
		return &v.Shipments
	case "keys":
		return &v.Keys
	case "revoked":
		return &v.Revoked
	case "facts":
		return &v.Facts
	case "locator":
		return &v.Locator
	case "weeks":
		return &v.Weeks
	case "recommended_version":
		return &v.RecommendedVersion
	case "peer_key":
		return &v.PeerKey
	case "peer_epoch":
		return &v.PeerEpoch
	case "server_time":
		return &v.ServerTime
	}
	return nil
}
