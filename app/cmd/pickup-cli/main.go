// Command pickup-cli is the terminal's command line (package cli) without
// the counter window: the same subcommands and flags as bin/pickup, built
// with CGO_ENABLED=0. It is the console program a technician runs on
// Windows (pickup-cli.exe, where pickup.exe is a GUI program that prints
// nothing), and what the end-to-end tests of sync/e2e run, needing no Fyne,
// GL or display.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/pickup-terminal/pickup/app/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Run(ctx, os.Args[1:], cli.OSEnv())
	stop()
	os.Exit(code)
}
