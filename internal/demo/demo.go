// Package demo holds the synthetic directory both demos draw from: the
// registry's (`pickup-registry demo`) and a terminal's on its own
// (`pickup demo`), so that the two describe the same centres and the
// same kind of names.
package demo

import (
	_ "embed"
	"strings"

	"github.com/pickup-terminal/pickup"
)

// centresCSV is the demo's centre list in the format of
// `pickup-registry centres import` (id,name,address,hours).
//
//go:embed centres.csv
var centresCSV string

// Centres are plausible Belgian distribution points (fictitious addresses
// on real street names), from centres.csv. A terminal's demo is set up for
// the first.
var Centres = mustCentres(centresCSV)

func mustCentres(s string) []pickup.Centre {
	var cs []pickup.Centre
	err := pickup.ReadCSV(strings.NewReader(s), []string{"id", "name", "address", "hours"}, func(_ int, field func(string) string) error {
		cs = append(cs, pickup.Centre{ID: field("id"), Name: field("name"), Address: field("address"), Hours: field("hours")})
		return nil
	})
	if err != nil {
		panic("demo: centres.csv: " + err.Error())
	}
	return cs
}

// First and Last are the names a demo professional is made of.
var (
	First = []string{"Anne", "Marie", "Sophie", "Julie", "Camille", "Lotte", "Emma", "Lore", "Sarah", "Nathalie", "Griet", "Katrin",
		"Luc", "Jan", "Pieter", "Thomas", "Nicolas", "Wouter", "Koen", "Olivier", "Jean-Pierre", "Bart", "Stefan", "Mathieu", "Hanne", "Elke"}
	Last = []string{"Peeters", "Janssens", "Maes", "Jacobs", "Mertens", "Willems", "Claes", "Goossens", "Wouters", "De Smet",
		"Dubois", "Lambert", "Dupont", "Martin", "Simon", "Laurent", "Leclercq", "Renard", "Lejeune", "Van den Broeck", "Vermeulen",
		"Michiels", "Schmitz", "Hansen", "Wilmots", "Denis", "Collard", "Pirard"}
)

// Name is a professional's name from two draws: n(k) is a number below k.
func Name(n func(k int) int) string {
	return First[n(len(First))] + " " + Last[n(len(Last))]
}
