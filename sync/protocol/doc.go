// Package protocol defines the wire protocol between Pickup terminals and
// the central registry: the /v1/ types (HTTPS, JSON, gzip bodies), request
// signing and its verification, the error-code ↔ HTTP-status table, the
// order-independent pickup digest, enrolment codes with an optional TLS pin,
// the USB bundle format, and a typed Client. It knows nothing of storage:
// the registry (sync/registry) and the terminal's sync client both build on
// it.
//
// # The flow
//
// Enrol, once per terminal: the technician runs `pickup-registry terminal
// enrol --centre ID` and types the printed code into the terminal, which
// calls POST /v1/enrol with it and a request id of its own. The answer
// (EnrolResponse) holds the terminal id, a secret, the centre, the
// registry's Ed25519 public keys, the dataset id and the TLS pin; the
// terminal stores them all. The code works once (retrying with the same
// request id returns the same credentials, for a lost answer) and expires.
//
// Every later call is signed (see AuthScheme): HMAC-SHA256 with the secret
// over the method, path and query, terminal id, a millisecond timestamp, a
// fresh nonce and the SHA-256 of the body bytes as sent. The registry
// refuses an unknown terminal (401 unauthenticated), a bad signature (401
// invalid_signature), a revoked terminal (403 terminal_revoked), a
// timestamp more than SkewWindow away from its clock (401 clock_skew; the
// error body carries server_time, and the client corrects its clock by the
// offset and signs again), and a nonce it has seen (409 replayed). Every
// answer carries server_time, so the terminal can measure and report skew.
//
// A sync round is push, then pull:
//
//  1. Push the outbox, oldest first, in batches (POST /v1/push). Every event
//     has a client-made UUID; the answer gives, per event, accepted,
//     conflict (stored too, and Earlier says where and when the code had
//     already been handed over: a double handover) or duplicate (already
//     stored; Stored and Earlier repeat the first answer). Each is definite:
//     remove the entry from the outbox and record conflicts in the same
//     transaction. Any other outcome (error, cut connection) is not: keep
//     the entries and push them again later; repeats are harmless.
//  2. Pull (GET /v1/pull?dataset=D&after=CURSOR) until More is false. A page
//     holds every change for the centre with After < seq <= Cursor: pickups
//     (new, changed, collected, cancelled), pickups reassigned away,
//     redemptions recorded by any terminal (with Undone), the other facts of
//     the centre's terminals the registry received, campaigns, the
//     centre directory, shipments to the centre, signing keys and revoked
//     codes. Apply a page and store its Cursor and DatasetID in one
//     transaction, so that a cut anywhere resumes cleanly. While applying:
//     never overwrite a pickup that has local facts not yet pushed; upsert
//     redemptions by event id; on Reset, first drop everything that came
//     from the registry (keeping the terminal's own facts and outbox): the
//     registry was reset or restored and the page starts again from 0. A
//     page never holds two changes of one code across Pickups and
//     Reassigned, so its lists may be applied in any order. Client.PullAll
//     runs this loop, fetching the next page while one is applied.
//
// Drift check: with an empty outbox and the cursor at the head, compare the
// local Digest of the centre's pickups with GET /v1/digest (when the
// digest's Cursor equals the local cursor). On a mismatch, list each
// differing bucket with GET /v1/pickups?prefix=P and replace the local rows
// of that bucket (again sparing rows with unsent facts): a repair, never a
// silent divergence.
//
// USB bundles carry the same push batches and pull pages in a signed file
// (see BundleFormat) for centres without a link.
package protocol
