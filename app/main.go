// Command pickup is the Red Cross pickup counter: with no command it opens
// the counter window; with a command it runs the technician's command line
// (see package cli), which needs no display.
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
	if len(args) > 0 && (cli.IsCommand(firstNonFlag(args)) || firstNonFlag(args) == "") && !onlyWindowFlags(args) {
		os.Exit(cli.Run(ctx, args, cli.OSEnv()))
	}
	os.Exit(runWindow(ctx, args))
}

// firstNonFlag returns the first argument that is neither a flag nor a
// flag's value (--data DIR).
func firstNonFlag(args []string) string {
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--data" || a == "-data":
			i++
		case len(a) > 0 && a[0] == '-':
		default:
			return a
		}
	}
	return ""
}

// onlyWindowFlags reports whether args hold only the window's own flags
// (--data DIR, --fullscreen …) and no command.
func onlyWindowFlags(args []string) bool { return firstNonFlag(args) == "" }
