// Package pickup holds the domain rules of Pickup, shared by the counter
// terminal and the reference registry: pickup codes and their check
// character, signed codes, campaigns as data, pickup windows and the verdict
// a counter gives for a scanned code.
//
// Nothing in this package touches the disk, the network or widgets; the
// built-in campaigns come from the embedded assets package.
package pickup
