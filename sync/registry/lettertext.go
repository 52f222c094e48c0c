package registry

import (
	"strings"

	"github.com/pickup-terminal/pickup/assets/i18n"
)

// letterText holds the words of the professionals' letters in the four
// languages. They live here rather than in assets/translation because only
// the registry prints letters (the terminal never needs them); dates and
// month names come from assets/i18n, so they read as the counter's do.
var letterText = map[string]map[string]string{
	"en": {
		"title":          "Your parcel of protective equipment",
		"greeting":       "Dear {name},",
		"intro":          "Your request has been validated. Your parcel is waiting for you at the Red Cross centre below. Bring this letter (printed or on your phone) and your identity card.",
		"code":           "Your pickup code",
		"code.hint":      "At the counter the volunteer scans the QR code or types these 16 characters.",
		"where":          "Where",
		"hours":          "Opening hours: {hours}",
		"when":           "When",
		"dates":          "From {start} to {end}, during opening hours.",
		"contents":       "Your parcel holds",
		"size.chosen":    "size chosen at the counter",
		"bring":          "Bring a large box or bag: the parcel is bulky.",
		"cannot":         "If you cannot come",
		"cannot.text":    "Only you can collect this parcel: the volunteer checks your name against your identity card. If you cannot come between these dates, or another centre suits you better, contact the service that validated your request before {end}, quoting your code: your parcel can be moved to another centre. If you no longer need it, tell them too, so that it goes to a colleague.",
		"contact":        "Contact: {contact}",
		"keep":           "Keep this code to yourself: the parcel is handed over once, to the first person who shows it. One parcel per professional.",
		"campaign":       "Campaign: {campaign}",
		"unknown.hours":  "see the centre's notice",
		"unknown.street": "address given by the service that validated your request",
	},
	"fr": {
		"title":          "Votre colis d'équipement de protection",
		"greeting":       "Madame, Monsieur,",
		"intro":          "Votre demande a été validée. Votre colis vous attend au centre de la Croix-Rouge ci-dessous. Apportez cette lettre (imprimée ou sur votre téléphone) et votre carte d'identité.",
		"code":           "Votre code de retrait",
		"code.hint":      "Au comptoir, le bénévole scanne le code QR ou tape ces 16 caractères.",
		"where":          "Où",
		"hours":          "Heures d'ouverture : {hours}",
		"when":           "Quand",
		"dates":          "Du {start} au {end}, pendant les heures d'ouverture.",
		"contents":       "Votre colis contient",
		"size.chosen":    "taille choisie au comptoir",
		"bring":          "Apportez une grande boîte ou un grand sac : le colis est volumineux.",
		"cannot":         "Si vous ne pouvez pas venir",
		"cannot.text":    "Vous seul(e) pouvez retirer ce colis : le bénévole compare votre nom à votre carte d'identité. Si vous ne pouvez pas venir entre ces dates, ou si un autre centre vous convient mieux, contactez le service qui a validé votre demande avant le {end}, en citant votre code : votre colis peut être transféré vers un autre centre. Si vous n'en avez plus besoin, dites-le aussi, afin qu'il profite à un collègue.",
		"contact":        "Contact : {contact}",
		"keep":           "Gardez ce code pour vous : le colis est remis une seule fois, à la première personne qui le présente. Un colis par professionnel.",
		"campaign":       "Campagne : {campaign}",
		"unknown.hours":  "voir l'affichage du centre",
		"unknown.street": "adresse communiquée par le service qui a validé votre demande",
	},
	"nl": {
		"title":          "Uw pakket beschermingsmateriaal",
		"greeting":       "Geachte mevrouw, geachte heer,",
		"intro":          "Uw aanvraag is goedgekeurd. Uw pakket ligt klaar in het Rode Kruis-centrum hieronder. Breng deze brief mee (afgedrukt of op uw telefoon) en uw identiteitskaart.",
		"code":           "Uw afhaalcode",
		"code.hint":      "Aan de balie scant de vrijwilliger de QR-code of typt hij deze 16 tekens in.",
		"where":          "Waar",
		"hours":          "Openingsuren: {hours}",
		"when":           "Wanneer",
		"dates":          "Van {start} tot {end}, tijdens de openingsuren.",
		"contents":       "Uw pakket bevat",
		"size.chosen":    "maat te kiezen aan de balie",
		"bring":          "Breng een grote doos of tas mee: het pakket is omvangrijk.",
		"cannot":         "Als u niet kunt komen",
		"cannot.text":    "Alleen u kunt dit pakket afhalen: de vrijwilliger vergelijkt uw naam met uw identiteitskaart. Kunt u niet komen tussen deze data, of past een ander centrum u beter, neem dan vóór {end} contact op met de dienst die uw aanvraag heeft goedgekeurd en vermeld uw code: uw pakket kan naar een ander centrum worden overgebracht. Hebt u het niet meer nodig, laat het dan ook weten, zodat het naar een collega gaat.",
		"contact":        "Contact: {contact}",
		"keep":           "Houd deze code voor uzelf: het pakket wordt één keer afgegeven, aan de eerste die de code toont. Eén pakket per zorgverlener.",
		"campaign":       "Campagne: {campaign}",
		"unknown.hours":  "zie de aankondiging van het centrum",
		"unknown.street": "adres meegedeeld door de dienst die uw aanvraag heeft goedgekeurd",
	},
	"de": {
		"title":          "Ihr Paket mit Schutzausrüstung",
		"greeting":       "Sehr geehrte Damen und Herren,",
		"intro":          "Ihr Antrag wurde bestätigt. Ihr Paket liegt im unten genannten Zentrum des Roten Kreuzes für Sie bereit. Bringen Sie diesen Brief (ausgedruckt oder auf dem Handy) und Ihren Personalausweis mit.",
		"code":           "Ihr Abholcode",
		"code.hint":      "Am Schalter scannt der Freiwillige den QR-Code oder tippt diese 16 Zeichen ein.",
		"where":          "Wo",
		"hours":          "Öffnungszeiten: {hours}",
		"when":           "Wann",
		"dates":          "Vom {start} bis zum {end}, während der Öffnungszeiten.",
		"contents":       "Ihr Paket enthält",
		"size.chosen":    "Größe wählen Sie am Schalter",
		"bring":          "Bringen Sie einen großen Karton oder eine große Tasche mit: Das Paket ist sperrig.",
		"cannot":         "Wenn Sie nicht kommen können",
		"cannot.text":    "Nur Sie selbst können dieses Paket abholen: Der Freiwillige vergleicht Ihren Namen mit Ihrem Ausweis. Wenn Sie zwischen diesen Daten nicht kommen können oder Ihnen ein anderes Zentrum besser passt, wenden Sie sich vor dem {end} unter Angabe Ihres Codes an die Stelle, die Ihren Antrag bestätigt hat: Ihr Paket kann in ein anderes Zentrum verlegt werden. Wenn Sie es nicht mehr brauchen, sagen Sie es bitte auch, damit es einem Kollegen zugutekommt.",
		"contact":        "Kontakt: {contact}",
		"keep":           "Behalten Sie diesen Code für sich: Das Paket wird nur einmal ausgegeben, an die erste Person, die ihn vorzeigt. Ein Paket pro Gesundheitsfachkraft.",
		"campaign":       "Kampagne: {campaign}",
		"unknown.hours":  "siehe Aushang des Zentrums",
		"unknown.street": "Adresse von der Stelle mitgeteilt, die Ihren Antrag bestätigt hat",
	},
}

// lt returns a letter text in lang with {name} placeholders filled from kv
// (name, value pairs), falling back to English.
func lt(lang, key string, kv ...string) string {
	s, ok := letterText[lang][key]
	if !ok {
		s = letterText["en"][key]
	}
	for i := 0; i+1 < len(kv); i += 2 {
		s = strings.ReplaceAll(s, "{"+kv[i]+"}", kv[i+1])
	}
	return s
}

// letterLang is the language a letter is printed in: the request's, else
// English.
func letterLang(lang string) string {
	if l := normLang(lang); l != "" {
		return l
	}
	return i18n.Default
}
