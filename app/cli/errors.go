package cli

import (
	"errors"

	"github.com/pickup-terminal/pickup/store"
)

// storeHints says, for each store error code, what to do next at the
// command line (the window has its own words for the same codes).
var storeHints = map[store.Code]string{
	store.CodeNotSetUp:        "run 'pickup init --centre ID --name NAME', 'pickup enrol --registry URL --code CODE' or 'pickup demo'",
	store.CodeAlreadySetUp:    "this folder holds a terminal already: a new set-up or the demo needs an empty --data folder",
	store.CodeNotEnrolled:     "run 'pickup enrol --registry URL --code CODE' first (the registry gives the code: 'pickup-registry terminal enrol')",
	store.CodeNotFound:        "check the id: 'pickup handovers' lists handovers, 'pickup shipments' lists shipments",
	store.CodeInvalid:         "check the value given: 'pickup help COMMAND' says what each flag takes",
	store.CodeUnknownItem:     "give one of the items listed with --item ('pickup stock' lists them)",
	store.CodeSizeRequired:    "give the size with --size (handover: --glove-size)",
	store.CodeUnknownSize:     "give one of the sizes listed",
	store.CodeNotSized:        "leave out --size for this item",
	store.CodeOutOfStock:      "choose another size with --glove-size, or record a delivery with 'pickup stock receive'",
	store.CodeReasonRequired:  "give a --reason (e.g. \"weekly count\")",
	store.CodeUndoExpired:     "the handover stays recorded; ask the centre manager to correct the stock with 'pickup stock count'",
	store.CodeAlreadyUndone:   "nothing to do: the handover was undone before",
	store.CodeNotUndoable:     "undo it at the terminal that recorded it",
	store.CodeClockBackwards:  "set the right date and time; the handover stands (ask the centre manager if it was wrong)",
	store.CodeAlreadyReceived: "nothing to do: 'pickup shipments' shows it received",
	store.CodeDiskFull:        "free some space on the disk (or use a USB stick for exports), then try again; nothing was recorded",
	store.CodeReadOnly:        "the data folder cannot be written: check its permissions or pass --data with a writable folder",
	store.CodeNotOurs:         "this file is not a Pickup terminal database: pass --data with the terminal's own folder",
	store.CodeTooNew:          "a newer Pickup made this folder: install that version, or pass --data with another folder",
	store.CodeCorrupt:         "the copy: 'cp -a DATA DATA.damaged' (DATA: the --data folder); the fresh set-up: 'pickup --data NEW_FOLDER enrol --registry URL --code CODE'",
}

// storeErrorCode is the JSON "error" key of err: the store's code, or
// "error" for any other failure.
func storeErrorCode(err error) string {
	if c := store.CodeOf(err); c != "" {
		return string(c)
	}
	return "error"
}

// storeHint says what to do about err at the command line ("" when there
// is no advice).
func storeHint(err error) string {
	var se *store.SizeError
	if errors.As(err, &se) {
		return "" // the refusal already lists the sizes left
	}
	return storeHints[store.CodeOf(err)]
}
