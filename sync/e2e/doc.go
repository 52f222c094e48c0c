// Package e2e holds the end-to-end acceptance tests and the performance
// benchmarks of sync (issue 3): real pickup-registry and pickup processes
// talking over 127.0.0.1, built without cgo by TestMain (the terminal's
// command line through app/cmd/pickup-cli, the same commands as bin/pickup
// without the window).
//
// The only non-test code is Proxy, a fault-injecting HTTP/1.1 proxy put
// between a terminal and the registry: it drops connections, resets them in
// the middle of an answer, delays, sends a request twice upstream and
// truncates answers, all drawn from a seeded generator, and can be switched
// off to let everything converge.
//
// Run the tests with `go test ./sync/e2e` (about two minutes on two cores;
// -short skips the heaviest) and the benchmarks with
// `go test ./sync/e2e -run '^$' -bench . -benchtime 1x -timeout 60m`.
// PICKUP_E2E_BUGS=1 also runs the tests that show known bugs.
package e2e
