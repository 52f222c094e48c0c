package registry

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"

	"github.com/pickup-terminal/pickup/internal/cmdkit/atomicfile"
	"github.com/pickup-terminal/pickup/sync/protocol"
)

// The registry's TLS material: a certificate and key given to serve
// (--tls-cert, --tls-key), or the development certificate --dev-tls makes
// once and keeps, and the pin a terminal checks it by.

// metaTLSPin is the setting serve publishes: the pin of the certificate it
// serves, or noTLS for plain HTTP.
const (
	metaTLSPin = "tls_pin"
	noTLS      = "none"
)

// SetTLSPin records the pin of the certificate serve uses ("" for plain
// HTTP), for the enrolment codes made from now on.
func (reg *Registry) SetTLSPin(ctx context.Context, pin string) error {
	if pin == "" {
		pin = noTLS
	}
	return reg.SetMeta(ctx, metaTLSPin, pin)
}

// TLSPin returns the pin enrolment codes carry: the one serve published,
// or, before serve ever ran, that of the --dev-tls certificate if there is
// one; "" for none.
func (reg *Registry) TLSPin(ctx context.Context) (string, error) {
	pin, err := reg.Meta(ctx, metaTLSPin)
	switch {
	case err != nil:
		return "", err
	case pin == noTLS:
		return "", nil
	case pin != "":
		return pin, nil
	}
	return devTLSPin(reg.dir), nil
}

// LoadTLS loads a certificate and key and returns the TLS configuration and
// the certificate's pin.
func LoadTLS(certFile, keyFile string) (*tls.Config, string, error) {
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, "", fmt.Errorf("load TLS certificate: %w", err)
	}
	return &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{cert}}, protocol.CertPin(cert.Certificate[0]), nil
}

// devTLSPin returns the pin of the --dev-tls certificate kept in dir, or
// "" when there is none.
func devTLSPin(dir string) string {
	b, err := os.ReadFile(filepath.Join(dir, "dev-tls", "cert.pem"))
	if err != nil {
		return ""
	}
	blk, _ := pem.Decode(b)
	if blk == nil || blk.Type != "CERTIFICATE" {
		return ""
	}
	return protocol.CertPin(blk.Bytes)
}

// DevTLS returns a self-signed certificate kept in dir/dev-tls (made on
// first use, valid ten years, for localhost, this host's name and the
// loopback addresses), so that its pin stays the same across restarts.
func DevTLS(dir string, hosts ...string) (*tls.Config, string, error) {
	d := filepath.Join(dir, "dev-tls")
	certFile, keyFile := filepath.Join(d, "cert.pem"), filepath.Join(d, "key.pem")
	if _, err := os.Stat(certFile); err == nil {
		return LoadTLS(certFile, keyFile)
	}
	if err := os.MkdirAll(d, 0o700); err != nil {
		return nil, "", fmt.Errorf("dev TLS: %w", err)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, "", fmt.Errorf("dev TLS: %w", err)
	}
	serial, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: "pickup-registry (development)", Organization: []string{"Pickup"}},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().AddDate(10, 0, 0),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames:     []string{"localhost"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
	}
	if h, err := os.Hostname(); err == nil && h != "" {
		tmpl.DNSNames = append(tmpl.DNSNames, h)
	}
	for _, h := range hosts {
		if ip := net.ParseIP(h); ip != nil && !ip.IsUnspecified() && !ip.IsLoopback() {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else if ip == nil && h != "" && h != "localhost" {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, "", fmt.Errorf("dev TLS: %w", err)
	}
	kb, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return nil, "", fmt.Errorf("dev TLS: %w", err)
	}
	var cb, kpem bytes.Buffer
	pem.Encode(&cb, &pem.Block{Type: "CERTIFICATE", Bytes: der})
	pem.Encode(&kpem, &pem.Block{Type: "EC PRIVATE KEY", Bytes: kb})
	if err := atomicfile.WriteBytes(keyFile, kpem.Bytes(), 0o600); err != nil {
		return nil, "", fmt.Errorf("dev TLS: %w", err)
	}
	if err := atomicfile.WriteBytes(certFile, cb.Bytes(), 0o644); err != nil {
		return nil, "", fmt.Errorf("dev TLS: %w", err)
	}
	return LoadTLS(certFile, keyFile)
}
