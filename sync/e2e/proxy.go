package e2e

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// Fault is what the proxy does to one request.
type Fault string

// The faults a Proxy injects.
const (
	// FaultNone forwards the request and returns the answer whole.
	FaultNone Fault = "none"
	// FaultDrop closes the connection once the request is read, before
	// anything is forwarded: the registry never sees it.
	FaultDrop Fault = "drop"
	// FaultReset forwards the request, then sends only the first N bytes of
	// the answer (N may be 0: the answer is lost whole) and resets the
	// connection (TCP RST).
	FaultReset Fault = "reset"
	// FaultTruncate forwards the request, then sends the answer's head and
	// part of its body and closes the connection normally (FIN): the body is
	// shorter than its Content-Length.
	FaultTruncate Fault = "truncate"
	// FaultDelay waits up to MaxDelay, then forwards normally.
	FaultDelay Fault = "delay"
	// FaultDuplicate sends the request upstream twice at once and returns
	// one of the two answers, chosen at random (the other may well be a
	// refusal of the replayed signature).
	FaultDuplicate Fault = "duplicate"
)

// Faults lists every fault but FaultNone.
var Faults = []Fault{FaultDrop, FaultReset, FaultTruncate, FaultDelay, FaultDuplicate}

// Proxy is a fault-injecting HTTP/1.1 proxy in front of one upstream
// server, listening on 127.0.0.1. While faults are on, each request gets a
// fault drawn from a seeded generator (see Weights); with faults off it
// forwards everything unchanged. Bodies and headers go through byte for
// byte (gzip stays gzip), so signed requests still verify upstream.
type Proxy struct {
	// MaxDelay bounds FaultDelay (300 ms by default).
	MaxDelay time.Duration

	upstream string
	ln       net.Listener
	tr       *http.Transport
	faults   atomic.Bool

	mu      sync.Mutex
	rng     *rand.Rand
	weights map[Fault]int
	stats   map[Fault]int
	seen    int // requests that reached the upstream
	conns   map[net.Conn]struct{}
	closed  bool

	wg sync.WaitGroup
}

// DefaultWeights makes about half the requests fail in one way or another.
var DefaultWeights = map[Fault]int{
	FaultNone: 10, FaultDrop: 2, FaultReset: 3, FaultTruncate: 2, FaultDelay: 2, FaultDuplicate: 2,
}

// NewProxy starts a proxy for the HTTP server at upstream (host:port) on a
// free port of 127.0.0.1, with faults off and DefaultWeights.
func NewProxy(upstream string, seed uint64) (*Proxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("proxy: listen: %w", err)
	}
	p := &Proxy{
		MaxDelay: 300 * time.Millisecond,
		upstream: upstream,
		ln:       ln,
		tr: &http.Transport{
			Proxy:               nil,
			DisableCompression:  true, // pass gzip bodies through untouched
			MaxIdleConnsPerHost: 16,
			DialContext:         (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
		},
		rng:   rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
		stats: map[Fault]int{},
		conns: map[net.Conn]struct{}{},
	}
	p.SetWeights(DefaultWeights)
	p.wg.Add(1)
	go p.accept()
	return p, nil
}

// Addr returns the proxy's host:port.
func (p *Proxy) Addr() string { return p.ln.Addr().String() }

// URL returns the proxy's base URL.
func (p *Proxy) URL() string { return "http://" + p.Addr() }

// SetFaults switches fault injection on or off.
func (p *Proxy) SetFaults(on bool) { p.faults.Store(on) }

// SetWeights sets the relative odds of each fault (FaultNone included)
// while faults are on.
func (p *Proxy) SetWeights(w map[Fault]int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.weights = map[Fault]int{}
	for f, n := range w {
		if n > 0 {
			p.weights[f] = n
		}
	}
}

// Stats returns how many times each fault was applied, and how many
// requests reached the upstream (a duplicated request counts twice).
func (p *Proxy) Stats() (map[Fault]int, int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make(map[Fault]int, len(p.stats))
	for f, n := range p.stats {
		out[f] = n
	}
	return out, p.seen
}

// Close stops the proxy and cuts every open connection.
func (p *Proxy) Close() error {
	p.mu.Lock()
	p.closed = true
	for c := range p.conns {
		c.Close()
	}
	p.mu.Unlock()
	err := p.ln.Close()
	p.wg.Wait()
	p.tr.CloseIdleConnections()
	return err
}

func (p *Proxy) accept() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		if p.closed {
			p.mu.Unlock()
			c.Close()
			return
		}
		p.conns[c] = struct{}{}
		p.mu.Unlock()
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			p.serve(c)
			p.mu.Lock()
			delete(p.conns, c)
			p.mu.Unlock()
			c.Close()
		}()
	}
}

// draw picks the fault for one request, and a number in [0, 1) that sizes
// it (where to cut, how long to wait, which answer to return).
func (p *Proxy) draw() (Fault, float64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	x := p.rng.Float64()
	if !p.faults.Load() {
		p.stats[FaultNone]++
		return FaultNone, x
	}
	all := append([]Fault{FaultNone}, Faults...)
	total := 0
	for _, f := range all {
		total += p.weights[f]
	}
	f := FaultNone
	if total > 0 {
		n := p.rng.IntN(total)
		for _, g := range all {
			if n < p.weights[g] {
				f = g
				break
			}
			n -= p.weights[g]
		}
	}
	p.stats[f]++
	return f, x
}

// serve answers the requests of one client connection, in order.
func (p *Proxy) serve(c net.Conn) {
	br := bufio.NewReader(c)
	for {
		req, err := http.ReadRequest(br)
		if err != nil {
			return
		}
		body, err := io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return
		}
		fault, x := p.draw()
		switch fault {
		case FaultDrop:
			return
		case FaultDelay:
			time.Sleep(time.Duration(x * float64(p.MaxDelay)))
		}
		var answer []byte
		if fault == FaultDuplicate {
			var answers [2][]byte
			var errs [2]error
			var wg sync.WaitGroup
			for i := range answers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					answers[i], errs[i] = p.forward(req, body)
				}()
			}
			wg.Wait()
			i := 0
			if x >= 0.5 {
				i = 1
			}
			answer, err = answers[i], errs[i]
		} else {
			answer, err = p.forward(req, body)
		}
		if err != nil {
			return // upstream unreachable: the client sees a cut connection
		}
		switch fault {
		case FaultReset:
			c.Write(answer[:int(x*float64(len(answer)))])
			if tc, ok := c.(*net.TCPConn); ok {
				tc.SetLinger(0) // close with RST
			}
			return
		case FaultTruncate:
			head := bytes.Index(answer, []byte("\r\n\r\n")) + 4
			cut := head + int(x*float64(len(answer)-head))
			if cut >= len(answer) {
				cut = len(answer) - 1
			}
			c.Write(answer[:cut])
			return
		}
		if _, err := c.Write(answer); err != nil {
			return
		}
		if req.Close {
			return
		}
	}
}

// forward sends one request upstream and returns its answer serialised as
// HTTP/1.1 with a Content-Length.
func (p *Proxy) forward(in *http.Request, body []byte) ([]byte, error) {
	out, err := http.NewRequest(in.Method, "http://"+p.upstream+in.URL.RequestURI(), bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("proxy: %w", err)
	}
	for k, v := range in.Header {
		out.Header[k] = append([]string(nil), v...)
	}
	out.Header.Del("Connection")
	p.mu.Lock()
	p.seen++
	p.mu.Unlock()
	resp, err := p.tr.RoundTrip(out)
	if err != nil {
		return nil, fmt.Errorf("proxy: forward: %w", err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("proxy: read answer: %w", err)
	}
	var buf bytes.Buffer
	fmt.Fprintf(&buf, "HTTP/1.1 %s\r\n", resp.Status)
	h := resp.Header.Clone()
	h.Del("Connection")
	h.Del("Transfer-Encoding")
	h.Set("Content-Length", strconv.Itoa(len(b)))
	if err := h.Write(&buf); err != nil {
		return nil, fmt.Errorf("proxy: %w", err)
	}
	buf.WriteString("\r\n")
	buf.Write(b)
	return buf.Bytes(), nil
}
