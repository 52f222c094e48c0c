// Package demo holds the synthetic directory both demos draw from: the
// registry's (`pickup-registry demo`) and a terminal's on its own
// (`pickup demo`), so that the two describe the same centres and the
// same kind of names.
package demo

import "github.com/pickup-terminal/pickup"

// Centres are plausible Belgian distribution points (fictitious addresses
// on real street names). A terminal's demo is set up for the first.
var Centres = []pickup.Centre{
	{ID: "namur", Name: "Croix-Rouge — Maison de la Croix-Rouge de Namur", Address: "Rue de Fer 68, 5000 Namur", Hours: "Mon–Fri 9:00–17:00, Sat 9:00–12:00"},
	{ID: "gent", Name: "Rode Kruis-Vlaanderen — Afdeling Gent", Address: "Kortrijksesteenweg 788, 9000 Gent", Hours: "ma–vr 8:30–16:30"},
	{ID: "liege", Name: "Croix-Rouge — Maison de Liège", Address: "Boulevard d'Avroy 112, 4000 Liège", Hours: "Mon–Fri 9:00–16:00"},
	{ID: "antwerpen", Name: "Rode Kruis-Vlaanderen — Afdeling Antwerpen", Address: "Italiëlei 124, 2000 Antwerpen", Hours: "ma–za 9:00–17:00"},
	{ID: "bruxelles", Name: "Croix-Rouge — Maison de Bruxelles-Ixelles", Address: "Chaussée de Vleurgat 98, 1050 Ixelles", Hours: "Mon–Fri 8:00–18:00"},
	{ID: "leuven", Name: "Rode Kruis-Vlaanderen — Afdeling Leuven", Address: "Tiensevest 61, 3000 Leuven", Hours: "ma–vr 9:00–16:00, wo tot 19:00"},
	{ID: "charleroi", Name: "Croix-Rouge — Maison de Charleroi", Address: "Boulevard Tirou 77, 6000 Charleroi", Hours: "Mon–Fri 9:00–16:30"},
	{ID: "brugge", Name: "Rode Kruis-Vlaanderen — Afdeling Brugge", Address: "Sint-Pieterskaai 25, 8000 Brugge", Hours: "ma–vr 9:00–17:00"},
	{ID: "mons", Name: "Croix-Rouge — Maison de Mons", Address: "Rue d'Havré 51, 7000 Mons", Hours: "Mon, Wed, Fri 9:00–17:00"},
	{ID: "hasselt", Name: "Rode Kruis-Vlaanderen — Afdeling Hasselt", Address: "Kuringersteenweg 210, 3500 Hasselt", Hours: "ma–vr 8:30–16:00"},
	{ID: "eupen", Name: "Rotes Kreuz — Lokalsektion Eupen", Address: "Hillstraße 7, 4700 Eupen", Hours: "Mo–Fr 9:00–16:00"},
	{ID: "arlon", Name: "Croix-Rouge — Maison d'Arlon", Address: "Avenue de la Gare 35, 6700 Arlon", Hours: "Tue–Sat 9:00–15:00"},
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
