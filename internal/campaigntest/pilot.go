package campaigntest

import (
	"fmt"

	"github.com/pickup-terminal/pickup"
)

// Pilot is a campaign file (JSON) as the administration writes one, of id
// id, with two phases around day: phase "first" picks up from day-3 to
// day+30 (nurses, gloves and masks), phase "second" from day+7
// (dietitians, masks only).
func Pilot(id string, day pickup.Date) string {
	return fmt.Sprintf(`{
  "id": %q,
  "names": {"en": "Winter pilot", "fr": "Pilote d'hiver", "nl": "Winterpiloot", "de": "Winterpilot"},
  "items": [
    {"id": "gloves", "names": {"en": "Gloves", "fr": "Gants", "nl": "Handschoenen", "de": "Handschuhe"}, "sizes": ["S", "M", "L", "XL"]},
    {"id": "masks", "names": {"en": "Surgical masks", "fr": "Masques chirurgicaux", "nl": "Chirurgische maskers", "de": "Chirurgische Masken"}}
  ],
  "parcel_kinds": [
    {"id": "full", "names": {"en": "Gloves and masks", "fr": "Gants et masques", "nl": "Handschoenen en maskers", "de": "Handschuhe und Masken"},
     "contents": [{"item": "gloves", "qty": 200}, {"item": "masks", "qty": 100}]},
    {"id": "masks_only", "names": {"en": "Masks", "fr": "Masques", "nl": "Maskers", "de": "Masken"},
     "contents": [{"item": "masks", "qty": 100}]}
  ],
  "phases": [
    {"id": "first", "requests_open": %q, "pickup": {"start": %q, "end": %q}},
    {"id": "second", "requests_open": %q, "pickup": {"start": %q, "end": %q}}
  ],
  "professions": [
    {"id": "nurse", "names": {"en": "Nurse", "fr": "Infirmier", "nl": "Verpleegkundige", "de": "Krankenpfleger"}, "parcel_kind": "full", "phase": "first"},
    {"id": "dietitian", "names": {"en": "Dietitian", "fr": "Diététicien", "nl": "Diëtist", "de": "Diätassistent"}, "parcel_kind": "masks_only", "phase": "second"}
  ]
}
`, id, day.AddDays(-10), day.AddDays(-3), day.AddDays(30), day.AddDays(-1), day.AddDays(7), day.AddDays(30))
}
