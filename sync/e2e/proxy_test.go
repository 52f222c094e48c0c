package e2e

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
)

// proxyCases says, for each fault forced alone, whether the client gets
// the answer and how many times the upstream sees the request.
var proxyCases = []struct {
	fault    Fault
	answered bool
	upstream int32
}{
	{FaultNone, true, 1},
	{FaultDrop, false, 0},
	{FaultReset, false, 1},
	{FaultTruncate, false, 1},
	{FaultDelay, true, 1},
	{FaultDuplicate, true, 2},
}

// upstreamStub answers every POST with a gzip body of 64 KiB that echoes
// the request's body length, and counts the requests.
func upstreamStub(t *testing.T) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var hits atomic.Int32
	payload := bytes.Repeat([]byte("0123456789abcdef"), 4096)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		b, _ := io.ReadAll(r.Body)
		var zb bytes.Buffer
		zw := gzip.NewWriter(&zb)
		zw.Write(b)
		zw.Write(payload)
		zw.Close()
		w.Header().Set("Content-Encoding", "gzip")
		w.Header().Set("X-Auth-Seen", r.Header.Get("Authorization"))
		w.Write(zb.Bytes())
	}))
	t.Cleanup(srv.Close)
	return srv, &hits
}

// stubProxy is a proxy drawing from seed in front of upstreamStub; the
// test's clean-up closes both.
func stubProxy(t *testing.T, seed uint64) (*Proxy, *atomic.Int32) {
	t.Helper()
	srv, hits := upstreamStub(t)
	p, err := NewProxy(strings.TrimPrefix(srv.URL, "http://"), seed)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p, hits
}

func TestProxyFaults(t *testing.T) {
	t.Parallel()
	for _, tc := range proxyCases {
		t.Run(string(tc.fault), func(t *testing.T) {
			t.Parallel()
			p, hits := stubProxy(t, 1)
			p.SetWeights(map[Fault]int{tc.fault: 1})
			p.SetFaults(true)
			// Several requests, so that cuts land at several offsets.
			for i := range 8 {
				hits.Store(0)
				tr := &http.Transport{DisableCompression: true}
				req, _ := http.NewRequest(http.MethodPost, p.URL()+"/v1/push?x=1", strings.NewReader("hello"))
				req.Header.Set("Authorization", "sig")
				req.Header.Set("Accept-Encoding", "gzip")
				resp, err := tr.RoundTrip(req)
				var body []byte
				if err == nil {
					body, err = io.ReadAll(resp.Body)
					resp.Body.Close()
				}
				tr.CloseIdleConnections()
				if got := err == nil; got != tc.answered {
					t.Fatalf("request %d: answered = %v (err %v), want %v", i, got, err, tc.answered)
				}
				if got := hits.Load(); got != tc.upstream {
					t.Errorf("request %d: upstream saw %d requests, want %d", i, got, tc.upstream)
				}
				if !tc.answered {
					continue
				}
				if resp.Header.Get("X-Auth-Seen") != "sig" || resp.Header.Get("Content-Encoding") != "gzip" {
					t.Errorf("request %d: headers not passed through: %v", i, resp.Header)
				}
				zr, err := gzip.NewReader(bytes.NewReader(body))
				if err != nil {
					t.Fatalf("request %d: answer is not the upstream's gzip: %v", i, err)
				}
				plain, err := io.ReadAll(zr)
				if err != nil || !bytes.HasPrefix(plain, []byte("hello0123")) || len(plain) != 5+64<<10 {
					t.Errorf("request %d: answer changed on the way (%d bytes, %v)", i, len(plain), err)
				}
			}
			stats, _ := p.Stats()
			if stats[tc.fault] != 8 {
				t.Errorf("stats[%s] = %d, want 8", tc.fault, stats[tc.fault])
			}
		})
	}
}

// With faults off, every request goes through, whatever the weights.
func TestProxyFaultsOff(t *testing.T) {
	t.Parallel()
	p, hits := stubProxy(t, 2)
	p.SetWeights(map[Fault]int{FaultDrop: 1})
	c := &http.Client{}
	for i := range 20 {
		resp, err := c.Post(p.URL()+"/v1/push", "application/json", strings.NewReader("x"))
		if err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	if hits.Load() != 20 {
		t.Errorf("upstream saw %d requests, want 20", hits.Load())
	}
}

// The same seed draws the same faults in the same order.
func TestProxySeeded(t *testing.T) {
	t.Parallel()
	draws := func(seed uint64) []Fault {
		p, err := NewProxy("127.0.0.1:1", seed)
		if err != nil {
			t.Fatal(err)
		}
		defer p.Close()
		p.SetFaults(true)
		var out []Fault
		for range 50 {
			f, _ := p.draw()
			out = append(out, f)
		}
		return out
	}
	a, b, c := draws(7), draws(7), draws(8)
	if !slices.Equal(a, b) {
		t.Errorf("seed 7 drew %v then %v", a, b)
	}
	if slices.Equal(a, c) {
		t.Errorf("seeds 7 and 8 drew the same faults")
	}
}
