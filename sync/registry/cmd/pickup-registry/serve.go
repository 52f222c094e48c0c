package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"

	"github.com/spf13/cobra"

	"github.com/pickup-terminal/pickup/internal/cmdkit"
	"github.com/pickup-terminal/pickup/sync/registry"
	"github.com/pickup-terminal/pickup/sync/registry/console"
)

type serveOptions struct {
	*globals
	listen          string
	tlsCert, tlsKey string
	devTLS          bool
	logLevel        string
}

func newCmdServe(o *serveOptions) *cobra.Command {
	return cmdkit.Command(o, serveRun, "serve --listen ADDR [--tls-cert F --tls-key F | --dev-tls]",
		"serve the sync protocol (/v1/) to the terminals until interrupted; plain HTTP only on a loopback address",
		cmdkit.Bind(func(*cobra.Command, []string) error {
			if (o.tlsCert == "") != (o.tlsKey == "") {
				return cmdkit.Usagef("--tls-cert and --tls-key go together")
			}
			if o.devTLS && o.tlsCert != "" {
				return cmdkit.Usagef("--dev-tls or --tls-cert/--tls-key, not both")
			}
			return nil
		}),
		cmdkit.Flag(&o.listen, "listen", "127.0.0.1:8443", "address to listen on, host:port"),
		cmdkit.Flag(&o.tlsCert, "tls-cert", "", "TLS certificate file (PEM)"),
		cmdkit.Flag(&o.tlsKey, "tls-key", "", "TLS private key file (PEM)"),
		cmdkit.Flag(&o.devTLS, "dev-tls", false, "use a self-signed certificate kept in DATA/dev-tls (enrolment codes pin it)"),
		cmdkit.Flag(&o.logLevel, "log-level", "info", "debug, info, warn or error"),
		cmdkit.Complete("log-level", "debug", "info", "warn", "error"))
}

func isLoopback(addr string) (bool, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false, cmdkit.Usagef("--listen %q: want host:port", addr)
	}
	if host == "localhost" {
		return true, nil
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback(), nil
}

func serveRun(ctx context.Context, o *serveOptions) error {
	var level slog.Level
	if err := level.UnmarshalText([]byte(o.logLevel)); err != nil {
		return cmdkit.Usagef("--log-level %q: want debug, info, warn or error", o.logLevel)
	}
	loop, err := isLoopback(o.listen)
	if err != nil {
		return err
	}
	tlsOn := o.devTLS || o.tlsCert != ""
	if !tlsOn && !loop {
		return cmdkit.Usagef("refusing plain HTTP on %s: it is not a loopback address; use --tls-cert/--tls-key or --dev-tls, or listen on 127.0.0.1", o.listen)
	}
	unlock, err := registry.LockServe(o.data)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	defer unlock()
	reg, err := open(ctx, o.globals, level)
	if err != nil {
		return err
	}
	defer reg.Close()
	srv := registry.NewServer(reg, reg.Log)
	srv.Console = console.New(reg, reg.Log)
	pin := ""
	switch {
	case o.devTLS:
		host, _, _ := net.SplitHostPort(o.listen)
		srv.TLS, pin, err = registry.DevTLS(reg.Dir(), host)
	case o.tlsCert != "":
		srv.TLS, pin, err = registry.LoadTLS(o.tlsCert, o.tlsKey)
	}
	if err != nil {
		return err
	}
	if err := reg.SetTLSPin(ctx, pin); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", o.listen)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	scheme := "http"
	if tlsOn {
		scheme = "https"
	}
	ds, _ := reg.DatasetID(ctx)
	fmt.Fprintf(o.stdout, "pickup-registry: serving %s://%s (dataset %s", scheme, ln.Addr(), ds)
	if pin != "" {
		fmt.Fprintf(o.stdout, ", TLS pin %s", pin)
	}
	fmt.Fprintln(o.stdout, ")")
	if f, ok := o.stdout.(*os.File); ok {
		f.Sync()
	}
	reg.Log.Info("serving", "addr", ln.Addr().String(), "tls", tlsOn, "data", reg.Dir())
	err = srv.Serve(ctx, ln)
	reg.Log.Info("stopped")
	return err
}
