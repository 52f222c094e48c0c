package client

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/pickup-terminal/pickup/assets/i18n"
	"github.com/pickup-terminal/pickup/sync/protocol"
)

// A registry not reached says why in the counter's words: a closed port, an
// untrusted certificate (the pin left off), https to a plain-http registry;
// never Go's "dial tcp" or "x509" text.
func TestExplainUnreachableDetail(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + l.Addr().String()
	l.Close()
	tlsSrv := httptest.NewTLSServer(http.NotFoundHandler())
	t.Cleanup(tlsSrv.Close)
	plain := httptest.NewServer(http.NotFoundHandler())
	t.Cleanup(plain.Close)
	for _, tc := range []struct{ url, want string }{
		{closed, UnreachablePort},
		{tlsSrv.URL, UnreachableCertificate},
		{strings.Replace(plain.URL, "http://", "https://", 1), UnreachableScheme},
		{strings.Replace(tlsSrv.URL, "https://", "http://", 1), UnreachableScheme},
	} {
		c, err := protocol.NewClient(tc.url, protocol.Credentials{}, "")
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.Time(context.Background())
		f := Explain(err)
		if f.Kind != FailureUnreachable || f.Detail != tc.want {
			t.Errorf("%s: Explain(%v) = %+v, want unreachable/%s", tc.url, err, f, tc.want)
		}
		for _, lang := range i18n.Languages {
			text := f.Text(i18n.For(lang))
			if strings.Contains(text, "dial tcp") || strings.Contains(text, "x509") || strings.Contains(text, "sync.failure") {
				t.Errorf("%s in %s: %q", tc.url, lang, text)
			}
		}
	}
}
