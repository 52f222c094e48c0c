// Command pickup is the Red Cross pickup counter: with no command (only
// the window's flags: --data DIR, --fullscreen, --lang L) it opens the
// counter window; with a command, --help or --version it runs the
// technician's command line (see package cli), which needs no display.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/pickup-terminal/pickup/app/cli"
	_ "github.com/pickup-terminal/pickup/app/internal/cenv" // before Fyne reads the locale
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	args := os.Args[1:]
	if cli.OpensWindow(args) {
		os.Exit(runWindow(ctx, args))
	}
	os.Exit(cli.Run(ctx, args, cli.OSEnv()))
}
