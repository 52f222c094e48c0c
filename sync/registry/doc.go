// Package registry is the reference central registry of Pickup: its own
// SQLite store (pure Go, modernc.org/sqlite: WAL, busy timeout, immediate
// write transactions, its own application_id, embedded numbered
// migrations), the operations behind the pickup-registry command line, and
// the HTTP server of the sync protocol (sync/protocol).
//
// The registry holds the centres, the campaigns (the built-in ones loaded
// at first use), validated requests with one parcel per professional per
// campaign and the codes issued for them (signed with the current Ed25519
// key; keys rotate, several stay valid), revoked codes, enrolled terminals
// and their one-time enrolment codes, shipments of stock, and every fact
// the terminals pushed: handovers (a second handover of a code is stored
// too, and counted as a double handover), undos, stock receptions and
// counts.
//
// Every change a terminal pulls is stamped with a sequence number from one
// counter, allocated inside the writing transaction; since writes are
// serialised, the sequence follows commit order and a pull's snapshot is
// always a gap-free prefix. A terminal's credentials read and write only
// its own centre's data.
//
// Several processes may use one data folder at once: `serve` and every
// other subcommand.
package registry
