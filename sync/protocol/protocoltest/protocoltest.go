// Package protocoltest sends hand-made requests to a registry in tests
// and reads its answer the way a terminal would: the HTTP status and the
// protocol error, if any. It imports only the protocol, so that the
// registry's own tests and the tests of its binary can both use it. Only
// tests import it.
package protocoltest

import (
	"io"
	"net/http"
	"testing"

	"github.com/pickup-terminal/pickup/sync/protocol"
)

// Send sends req and returns the answer's status and, unless it is 200,
// the error the body carries (protocol.DecodeError). A request that gets
// no answer at all fails the test.
func Send(t testing.TB, req *http.Request) (int, *protocol.Error) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: reading the answer: %v", req.Method, req.URL.Path, err)
	}
	if resp.StatusCode == http.StatusOK {
		return http.StatusOK, nil
	}
	return resp.StatusCode, protocol.DecodeError(resp.StatusCode, b)
}
