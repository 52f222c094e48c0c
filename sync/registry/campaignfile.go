package registry

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/pickup-terminal/pickup"
	"github.com/pickup-terminal/pickup/assets/i18n"
)

// MaxCampaignFile bounds a campaign definition file.
const MaxCampaignFile = 4 << 20

// Problem is one mistake in an imported file, with where it is: the line
// (1-based; 0 when the file as a whole is wrong) and, for a JSON file, the
// path of the value (e.g. phases[1].pickup.end).
// Message is in English; Code and Args, when set, give it in another
// language (Text, In).
type Problem struct {
	Line    int               `json:"line"`
	Path    string            `json:"path,omitempty"`
	Message string            `json:"message"`
	Code    string            `json:"code,omitempty"`
	Args    map[string]string `json:"args,omitempty"`
}

func (p Problem) String() string { return p.In("en") }

// ProblemsError is the error of a file with problems: every one of them.
type ProblemsError struct {
	What     string // e.g. "campaign file"
	Problems []Problem
}

func (e *ProblemsError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %d problem(s), nothing imported", e.What, len(e.Problems))
	for _, p := range e.Problems {
		b.WriteString("\n  " + p.String())
	}
	return b.String()
}

// Is makes a ProblemsError an ErrRefused.
func (e *ProblemsError) Is(target error) bool { return target == ErrRefused }

// The shape of a campaign file. Dates are read as text so that every bad
// date is reported, not only the first one.
type campaignFile struct {
	ID          string              `json:"id"`
	Names       pickup.Names        `json:"names"`
	Source      string              `json:"source"`
	OnePerPro   *bool               `json:"one_parcel_per_professional"`
	PeriodDays  int                 `json:"period_days"`
	Items       []pickup.Item       `json:"items"`
	ParcelKinds []pickup.ParcelKind `json:"parcel_kinds"`
	Phases      []phaseFile         `json:"phases"`
	Professions []pickup.Profession `json:"professions"`
}

type phaseFile struct {
	ID           string `json:"id"`
	RequestsOpen string `json:"requests_open"`
	Pickup       struct {
		Start string `json:"start"`
		End   string `json:"end"`
	} `json:"pickup"`
}

// ParseCampaignFile reads a campaign definition (JSON, the shape of
// assets/campaigns) and checks it, returning every problem found with its
// line and path. The campaign is nil when there are problems.
func ParseCampaignFile(b []byte) (*pickup.Campaign, []Problem) {
	if len(b) > MaxCampaignFile {
		return nil, []Problem{{Message: fmt.Sprintf("file larger than %d bytes", MaxCampaignFile)}}
	}
	lines := newLineIndex(b)
	if !json.Valid(b) {
		var v any
		err := json.Unmarshal(b, &v)
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return nil, []Problem{{Line: lines.line(se.Offset), Message: "not valid JSON: " + se.Error()}}
		}
		return nil, []Problem{{Line: 1, Message: "not valid JSON"}}
	}
	paths := jsonPaths(b, lines)
	var probs []Problem
	at := func(path, code string, kv ...string) {
		probs = append(probs, problemOf(paths.lineOf(path), path, code, kv...))
	}
	// Unknown keys are typos (requests_opens, parcel_kind in an item …):
	// reported rather than silently dropped.
	var generic any
	json.Unmarshal(b, &generic)
	unknownKeys(reflect.TypeOf(campaignFile{}), generic, "", at)

	var f campaignFile
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&f); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			probs = append(probs, Problem{Line: lines.line(te.Offset), Path: te.Field,
				Message: fmt.Sprintf("want %s, not a JSON %s", kindName(te.Type), te.Value)})
		} else {
			probs = append(probs, Problem{Line: 1, Message: err.Error()})
		}
		return nil, sortProblems(probs)
	}
	c := checkCampaignFile(&f, at)
	if len(probs) == 0 {
		// The domain's own check, as a backstop for what the file check
		// above does not know about.
		if err := c.Validate(); err != nil {
			for _, e := range unjoin(err) {
				probs = append(probs, Problem{Line: 1, Message: e.Error()})
			}
		}
	}
	if len(probs) > 0 {
		return nil, sortProblems(probs)
	}
	return c, nil
}

func sortProblems(ps []Problem) []Problem {
	sort.SliceStable(ps, func(i, j int) bool { return ps[i].Line < ps[j].Line })
	return ps
}

func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, unjoin(e)...)
		}
		return out
	}
	if u := errors.Unwrap(err); u != nil {
		if _, ok := u.(interface{ Unwrap() []error }); ok {
			return unjoin(u)
		}
	}
	return []error{err}
}

func kindName(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "text"
	case reflect.Int, reflect.Int64:
		return "a whole number"
	case reflect.Bool:
		return "true or false"
	case reflect.Slice:
		return "a list"
	case reflect.Map, reflect.Struct:
		return "an object"
	}
	return t.String()
}

// textProblem reports a name or text too long or not printable.
func textProblem(path, field, v string, at func(path, code string, kv ...string)) {
	if err := checkText(field, v, false); err == nil {
		return
	}
	if len(v) > pickup.MaxNameLen {
		at(path, "campaign.text_long", "max", fmt.Sprint(pickup.MaxNameLen))
	} else {
		at(path, "campaign.text_bad")
	}
}

func checkName(names pickup.Names, path string, at func(path, code string, kv ...string)) {
	if names.In("en") == "" {
		at(path, "campaign.name_missing")
	}
	for lang, n := range names {
		if !slices.Contains(i18n.Languages, lang) {
			at(path+"."+lang, "campaign.name_lang", "lang", fmt.Sprintf("%q", lang))
		}
		textProblem(path+"."+lang, "name", n, at)
	}
}

// checkCampaignFile checks every field and reference and returns the
// campaign as the domain package holds it.
func checkCampaignFile(f *campaignFile, at func(path, code string, kv ...string)) *pickup.Campaign {
	c := &pickup.Campaign{ID: f.ID, Names: f.Names, Source: f.Source, PeriodDays: f.PeriodDays,
		Items: f.Items, ParcelKinds: f.ParcelKinds, Professions: f.Professions, OnePerPro: true}
	if f.OnePerPro != nil {
		c.OnePerPro = *f.OnePerPro
	}
	if !pickup.ValidID(f.ID) {
		at("id", "campaign.id", "kind", "@noun.campaign", "id", fmt.Sprintf("%q", f.ID))
	}
	checkName(f.Names, "names", at)
	textProblem("source", "source", f.Source, at)
	if f.PeriodDays < 0 || f.PeriodDays > 3660 {
		at("period_days", "campaign.period_days")
	}
	seen := map[string]int{}
	once := func(kind, id, path string) {
		if !pickup.ValidID(id) {
			at(path+".id", "campaign.id", "kind", "@noun."+kind, "id", fmt.Sprintf("%q", id))
			return
		}
		if _, dup := seen[kind+":"+id]; dup {
			at(path+".id", "campaign.twice", "kind", "@noun."+kind, "id", fmt.Sprintf("%q", id))
		}
		seen[kind+":"+id]++
	}
	checkList("items", "item", f.Items, func(it pickup.Item) string { return it.ID }, once, at, func(p string, it pickup.Item) {
		checkName(it.Names, p+".names", at)
		sizes := map[string]bool{}
		for j, s := range it.Sizes {
			if !pickup.ValidID(s) || len(s) > 8 || sizes[s] {
				at(fmt.Sprintf("%s.sizes[%d]", p, j), "campaign.size", "size", fmt.Sprintf("%q", s))
			}
			sizes[s] = true
		}
		if it.Box < 0 {
			at(p+".box_size", "campaign.box_size")
		}
	})
	checkList("parcel_kinds", "parcel_kind", f.ParcelKinds, func(k pickup.ParcelKind) string { return k.ID }, once, at, func(p string, k pickup.ParcelKind) {
		checkName(k.Names, p+".names", at)
		if len(k.Contents) == 0 {
			at(p+".contents", "campaign.empty_parcel", "id", fmt.Sprintf("%q", k.ID))
		}
		for j, l := range k.Contents {
			lp := fmt.Sprintf("%s.contents[%d]", p, j)
			it, ok := c.Item(l.Item)
			switch {
			case !ok:
				at(lp+".item", "campaign.no_such", "kind", "@noun.item", "kinds", "@noun.items", "id", fmt.Sprintf("%q", l.Item))
			case l.PerDay && (f.PeriodDays <= 0 || it.Box <= 0):
				at(lp, "campaign.per_day_item")
			case !l.PerDay && (l.Qty <= 0 || l.Qty > 1_000_000):
				at(lp+".qty", "campaign.qty")
			}
		}
	})
	checkList("phases", "phase", f.Phases, func(ph phaseFile) string { return ph.ID }, once, at, func(p string, ph phaseFile) {
		date := func(field, s string, required bool) pickup.Date {
			if s == "" {
				if required {
					at(p+"."+field, "campaign.date_missing")
				}
				return pickup.Date{}
			}
			d, err := pickup.ParseDate(s)
			if err != nil {
				at(p+"."+field, "campaign.date", "date", fmt.Sprintf("%q", s))
			}
			return d
		}
		out := pickup.Phase{ID: ph.ID, RequestsOpen: date("requests_open", ph.RequestsOpen, true),
			Pickup: pickup.Window{Start: date("pickup.start", ph.Pickup.Start, true), End: date("pickup.end", ph.Pickup.End, true)}}
		if !out.Pickup.Start.IsZero() && !out.Pickup.End.IsZero() && out.Pickup.End.Before(out.Pickup.Start) {
			at(p+".pickup.end", "campaign.pickup_order", "end", out.Pickup.End.String(), "start", out.Pickup.Start.String())
		}
		if !out.RequestsOpen.IsZero() && !out.Pickup.End.IsZero() && out.RequestsOpen.After(out.Pickup.End) {
			at(p+".requests_open", "campaign.requests_late", "open", out.RequestsOpen.String(), "end", out.Pickup.End.String())
		}
		c.Phases = append(c.Phases, out)
	})
	checkList("professions", "profession", f.Professions, func(pr pickup.Profession) string { return pr.ID }, once, at, func(p string, pr pickup.Profession) {
		checkName(pr.Names, p+".names", at)
		k, ok := c.ParcelKind(pr.ParcelKind)
		if !ok {
			at(p+".parcel_kind", "campaign.no_such", "kind", "@noun.parcel_kind", "kinds", "@noun.parcel_kinds", "id", fmt.Sprintf("%q", pr.ParcelKind))
		} else if slices.ContainsFunc(k.Contents, func(l pickup.ContentLine) bool { return l.PerDay }) && pr.PerDay <= 0 {
			at(p+".per_day", "campaign.per_day_rate", "id", fmt.Sprintf("%q", k.ID))
		}
		if _, ok := c.Phase(pr.Phase); !ok {
			at(p+".phase", "campaign.no_such", "kind", "@noun.phase", "kinds", "@noun.phases", "id", fmt.Sprintf("%q", pr.Phase))
		}
		if pr.PerDay < 0 {
			at(p+".per_day", "campaign.rate")
		}
	})
	return c
}

// checkList checks one list of a campaign file: not empty, each element's
// id valid and not twice (once), then what check says of the element at
// its path.
func checkList[T any](path, kind string, list []T, id func(T) string, once func(kind, id, path string), at func(path, code string, kv ...string), check func(p string, v T)) {
	if len(list) == 0 {
		at(path, "campaign.none", "kind", "@noun."+kind)
	}
	for i, v := range list {
		p := fmt.Sprintf("%s[%d]", path, i)
		once(kind, id(v), p)
		check(p, v)
	}
}

// unknownKeys reports object keys of v that the type t has no field for.
func unknownKeys(t reflect.Type, v any, path string, at func(path, code string, kv ...string)) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Struct:
		m, ok := v.(map[string]any)
		if !ok {
			return
		}
		fields := map[string]reflect.Type{}
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "" {
				name = f.Name
			}
			fields[name] = f.Type
		}
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			p := k
			if path != "" {
				p = path + "." + k
			}
			ft, ok := fields[k]
			if !ok {
				known := make([]string, 0, len(fields))
				for n := range fields {
					known = append(known, n)
				}
				sort.Strings(known)
				at(p, "campaign.unknown_field", "field", fmt.Sprintf("%q", k), "known", strings.Join(known, ", "))
				continue
			}
			unknownKeys(ft, m[k], p, at)
		}
	case reflect.Slice:
		l, ok := v.([]any)
		if !ok {
			return
		}
		for i, e := range l {
			unknownKeys(t.Elem(), e, fmt.Sprintf("%s[%d]", path, i), at)
		}
	}
}

// lineIndex maps byte offsets to line numbers.
type lineIndex []int // offsets of line starts

func newLineIndex(b []byte) lineIndex {
	idx := lineIndex{0}
	for i, c := range b {
		if c == '\n' {
			idx = append(idx, i+1)
		}
	}
	return idx
}

func (l lineIndex) line(off int64) int {
	return sort.Search(len(l), func(i int) bool { return int64(l[i]) > off })
}

// pathLines maps JSON paths (items[0].names.en) to the line where the value
// starts.
type pathLines map[string]int

// lineOf returns the line of path or of its nearest parent present.
func (p pathLines) lineOf(path string) int {
	for path != "" {
		if n, ok := p[path]; ok {
			return n
		}
		i := strings.LastIndexAny(path, ".[")
		if i < 0 {
			break
		}
		path = path[:i]
	}
	return 1
}

// jsonPaths walks a valid JSON document and records the line of every
// value by its path.
func jsonPaths(b []byte, lines lineIndex) pathLines {
	out := pathLines{}
	dec := json.NewDecoder(bytes.NewReader(b))
	type frame struct {
		path  string
		array bool
		index int
		key   string
	}
	var stack []frame
	child := func() string {
		if len(stack) == 0 {
			return ""
		}
		f := &stack[len(stack)-1]
		if f.array {
			p := f.path + "[" + strconv.Itoa(f.index) + "]"
			f.index++
			return p
		}
		if f.path == "" {
			return f.key
		}
		return f.path + "." + f.key
	}
	expectKey := func() bool {
		return len(stack) > 0 && !stack[len(stack)-1].array && stack[len(stack)-1].key == ""
	}
	for {
		// The offset before the token is where the previous one ended; skip
		// the separators to find the value's own line.
		off := dec.InputOffset()
		for off < int64(len(b)) && strings.IndexByte(" \t\r\n,:", b[off]) >= 0 {
			off++
		}
		tok, err := dec.Token()
		if err != nil {
			return out
		}
		if d, ok := tok.(json.Delim); ok && (d == '}' || d == ']') {
			stack = stack[:len(stack)-1]
			continue
		}
		if s, ok := tok.(string); ok && expectKey() {
			stack[len(stack)-1].key = s
			continue
		}
		p := child()
		if len(stack) > 0 && !stack[len(stack)-1].array {
			stack[len(stack)-1].key = ""
		}
		if p != "" {
			out[p] = lines.line(off)
		}
		if d, ok := tok.(json.Delim); ok {
			stack = append(stack, frame{path: p, array: d == '['})
		}
	}
}
