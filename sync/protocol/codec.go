package protocol

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/pickup-terminal/pickup"
)

// ContentType is the media type of every JSON body.
const ContentType = "application/json"

// ReadRaw reads at most max bytes from r: the body exactly as it came over
// the wire (signatures cover those bytes). A longer body is ErrTooLarge.
func ReadRaw(r io.Reader, max int64) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, Errorf(CodeTooLarge, "body over %d bytes", max)
		}
		return nil, fmt.Errorf("read body: %w", err)
	}
	if int64(len(b)) > max {
		return nil, Errorf(CodeTooLarge, "body over %d bytes", max)
	}
	return b, nil
}

// Decompress returns the decoded body for a Content-Encoding of "" /
// "identity" (as is) or "gzip", refusing more than max decoded bytes. An
// unknown encoding is ErrUnsupportedMedia, a broken gzip stream
// ErrBadRequest.
func Decompress(raw []byte, encoding string, max int64) ([]byte, error) {
	switch strings.ToLower(strings.TrimSpace(encoding)) {
	case "", "identity":
		if int64(len(raw)) > max {
			return nil, Errorf(CodeTooLarge, "body over %d bytes", max)
		}
		return raw, nil
	case "gzip":
	default:
		return nil, Errorf(CodeUnsupportedMedia, "content encoding %q: want gzip or none", encoding)
	}
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		return nil, Errorf(CodeBadRequest, "gzip body: %v", err)
	}
	zr.Multistream(false)
	// One buffer of the size the gzip trailer announces (ISIZE, the size
	// mod 2^32), instead of io.ReadAll's doublings: a pull page of a few
	// MB then lives once in memory, not once and a half with its garbage.
	// The trailer is only a hint: never over max, nor over what deflate
	// can expand raw to (1032:1), and the stream is still read to its end.
	b := make([]byte, 0, gzipSizeHint(raw, max))
	for {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)] // grow as io.ReadAll does
		}
		var n int
		n, err = zr.Read(b[len(b):min(cap(b), int(max)+1)])
		b = b[:len(b)+n]
		if err == io.EOF {
			err = nil
			break
		}
		if err != nil || int64(len(b)) > max {
			break
		}
	}
	if int64(len(b)) > max {
		return nil, Errorf(CodeTooLarge, "body over %d bytes once decompressed", max)
	}
	if err != nil {
		return nil, Errorf(CodeBadRequest, "gzip body: %v", err)
	}
	return b, nil
}

// CheckContentType refuses a request body whose Content-Type is not JSON.
func CheckContentType(ct string) error {
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil || mt != ContentType {
		return Errorf(CodeUnsupportedMedia, "content type %q: want %s", ct, ContentType)
	}
	return nil
}

// decodeStrict decodes exactly one JSON value into v, refusing unknown
// fields and trailing data. Errors are *Error with code bad_request.
func decodeStrict(b []byte, v any) error {
	return decode(b, v, true)
}

func decode(b []byte, v any, strict bool) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	if strict {
		dec.DisallowUnknownFields()
	}
	if err := dec.Decode(v); err != nil {
		return Errorf(CodeBadRequest, "JSON body: %v", err)
	}
	if dec.More() {
		return Errorf(CodeBadRequest, "JSON body: data after the value")
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return Errorf(CodeBadRequest, "JSON body: data after the value")
	}
	return nil
}

// DecodeEnrolRequest decodes and validates an enrol request body
// (decompressed), strictly.
func DecodeEnrolRequest(b []byte) (*EnrolRequest, error) {
	return decodeRequest[EnrolRequest](b, "enrol: ")
}

// DecodePushRequest decodes and validates a push body (decompressed),
// strictly: unknown fields anywhere are refused.
func DecodePushRequest(b []byte) (*PushRequest, error) {
	return decodeRequest[PushRequest](b, "")
}

// decodeRequest decodes a request body strictly and validates it; a value
// that does not validate is a bad request, its message after prefix.
func decodeRequest[T any, P interface {
	*T
	Validate() error
}](b []byte, prefix string) (*T, error) {
	r := new(T)
	if err := decodeStrict(b, r); err != nil {
		return nil, err
	}
	if err := P(r).Validate(); err != nil {
		return nil, Errorf(CodeBadRequest, "%s%v", prefix, err)
	}
	return r, nil
}

// Responses are decoded leniently about unknown fields (a newer registry may
// add some) but must be one well-formed value that validates.

// DecodeEnrolResponse decodes and validates an enrolment answer.
func DecodeEnrolResponse(b []byte) (*EnrolResponse, error) {
	return decodeValidResponse[EnrolResponse](b, "enrol answer")
}

// decodeResponse decodes a response leniently and runs check on it.
func decodeResponse[T any](b []byte, check func(*T) error) (*T, error) {
	r := new(T)
	if err := decode(b, r, false); err != nil {
		return nil, err
	}
	if err := check(r); err != nil {
		return nil, err
	}
	return r, nil
}

// decodeValidResponse decodes a response that must validate; what names
// it in the error.
func decodeValidResponse[T any, P interface {
	*T
	Validate() error
}](b []byte, what string) (*T, error) {
	return decodeResponse(b, func(r *T) error {
		if err := P(r).Validate(); err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		return nil
	})
}

// DecodePullResponse decodes and validates a page.
func DecodePullResponse(b []byte) (*PullResponse, error) {
	var r PullResponse
	if !fastPullResponse(b, &r) {
		r = PullResponse{}
		if err := decode(b, &r, false); err != nil {
			return nil, err
		}
	}
	if err := r.Validate(); err != nil {
		return nil, err
	}
	return &r, nil
}

// DecodePushResponse decodes a push answer and checks it against req.
func DecodePushResponse(b []byte, req *PushRequest) (*PushResponse, error) {
	return decodeResponse(b, func(r *PushResponse) error {
		if req == nil {
			return nil
		}
		return r.Validate(req)
	})
}

// DecodeDigestResponse decodes a digest answer.
func DecodeDigestResponse(b []byte) (*DigestResponse, error) {
	return decodeResponse(b, func(r *DigestResponse) error {
		if !pickup.ValidID(r.DatasetID) || !pickup.ValidID(r.CentreID) || r.Count < 0 || r.Cursor < 0 || !validDigestHex(r.Digest) {
			return errors.New("digest answer: invalid fields")
		}
		for i, b := range r.Buckets {
			if len(b.Prefix) != 1 || !isAlphabet(b.Prefix[0]) || b.Count < 0 || !validDigestHex(b.Digest) {
				return fmt.Errorf("digest answer: bucket %d invalid", i)
			}
		}
		return nil
	})
}

// DecodePickupsResponse decodes a repair listing.
func DecodePickupsResponse(b []byte) (*PickupsResponse, error) {
	return decodeResponse(b, func(r *PickupsResponse) error {
		for i, p := range r.Pickups {
			if c, err := pickup.ParseCode(string(p.Code)); err != nil || c != p.Code || !pickup.ValidID(p.CentreID) {
				return fmt.Errorf("pickups answer: row %d invalid", i)
			}
			if i > 0 && r.Pickups[i-1].Code >= p.Code {
				return fmt.Errorf("pickups answer: row %d out of order", i)
			}
		}
		return nil
	})
}

// DecodeTimeResponse decodes a time answer.
func DecodeTimeResponse(b []byte) (*TimeResponse, error) {
	return decodeResponse(b, func(r *TimeResponse) error {
		if r.ServerTime.IsZero() {
			return errors.New("time answer: server_time missing")
		}
		return nil
	})
}

// Encode marshals v as compact JSON followed by a newline.
func Encode(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("encode %T: %w", v, err)
	}
	return buf.Bytes(), nil
}

// EncodePull encodes a page exactly as Encode would, except that its
// pickups are given as JSON objects already encoded (raw, one per row, in
// order; p.Pickups is then ignored). The registry builds them in SQL,
// which spares a decode and an encode per row on a 1,000,000-row pull.
// With raw nil it is Encode(p).
func EncodePull(p *PullResponse, raw []json.RawMessage) ([]byte, error) {
	if raw == nil {
		return Encode(p)
	}
	q := *p
	q.Pickups = nil
	b, err := Encode(&q)
	if err != nil {
		return nil, err
	}
	// The pickups go right after "more", the last field before them: no
	// string value can hold the key's quotes unescaped.
	cut := bytes.Index(b, []byte(`,"more":`))
	if cut < 0 {
		return nil, errors.New("encode pull: no more field")
	}
	cut += len(`,"more":`)
	if q.More {
		cut += len("true")
	} else {
		cut += len("false")
	}
	n := len(b) + 16
	for _, r := range raw {
		n += len(r) + 1
	}
	out := make([]byte, 0, n)
	out = append(out, b[:cut]...)
	if len(raw) > 0 {
		out = append(out, `,"pickups":[`...)
		for i, r := range raw {
			if i > 0 {
				out = append(out, ',')
			}
			out = append(out, r...)
		}
		out = append(out, ']')
	}
	out = append(out, b[cut:]...)
	return out, nil
}

// gzipWriters keeps gzip writers for reuse: a new one allocates about a
// megabyte of tables, more than compressing a small answer costs.
var gzipWriters = sync.Pool{New: func() any {
	zw, _ := gzip.NewWriterLevel(nil, gzip.BestSpeed)
	return zw
}}

// Gzip compresses b with the speed-first level both sides use.
func Gzip(b []byte) []byte {
	var buf bytes.Buffer
	buf.Grow(len(b)/4 + 64)
	zw := gzipWriters.Get().(*gzip.Writer)
	zw.Reset(&buf)
	zw.Write(b)
	zw.Close()
	gzipWriters.Put(zw)
	return buf.Bytes()
}

// AcceptsGzip reports whether an Accept-Encoding header allows gzip.
func AcceptsGzip(acceptEncoding string) bool {
	for _, part := range strings.Split(acceptEncoding, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if !strings.EqualFold(strings.TrimSpace(name), "gzip") {
			continue
		}
		q := 1.0
		for _, p := range strings.Split(params, ";") {
			k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
			if strings.EqualFold(k, "q") {
				q, _ = strconv.ParseFloat(v, 64)
			}
		}
		return q > 0
	}
	return false
}

// truncTime drops monotonic clock readings and sub-millisecond precision,
// as times cross the wire.
func truncTime(t time.Time) time.Time { return t.Round(0).Truncate(time.Millisecond).UTC() }

// Now is the server time as it goes on the wire: UTC, milliseconds.
func Now(now func() time.Time) time.Time {
	if now == nil {
		return truncTime(time.Now())
	}
	return truncTime(now())
}

// gzipSizeHint is the capacity to decompress raw into: the size its gzip
// trailer announces plus one byte (to see the end of the stream without
// growing), bounded by max+1 and by deflate's largest ratio; 512 when the
// trailer says nothing usable.
func gzipSizeHint(raw []byte, max int64) int {
	if len(raw) < 18 { // header and trailer
		return 512
	}
	n := int64(binary.LittleEndian.Uint32(raw[len(raw)-4:])) + 1
	if n > max+1 || n > 1032*int64(len(raw)) {
		return 512
	}
	return int(n)
}
