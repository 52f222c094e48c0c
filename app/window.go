package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"
	"github.com/go-gl/glfw/v3.3/glfw"

	"github.com/pickup-terminal/pickup/app/camera"
	"github.com/pickup-terminal/pickup/app/cli"
	"github.com/pickup-terminal/pickup/app/counter"
	"github.com/pickup-terminal/pickup/app/diag"
	"github.com/pickup-terminal/pickup/app/scan"
	"github.com/pickup-terminal/pickup/assets"
	"github.com/pickup-terminal/pickup/assets/i18n"
	"github.com/pickup-terminal/pickup/store"
	"github.com/pickup-terminal/pickup/sync/client"
	"github.com/pickup-terminal/pickup/sync/peer"
)

// appID names the application to the desktop (as in FyneApp.toml).
const appID = "io.github.pickup-terminal.pickup"

// processStart is as close to the process's start as package main gets,
// for the "ready to scan" figure in the log.
var processStart = time.Now()

// runWindow opens the counter window on the data folder's store:
// pickup [--data DIR] [--fullscreen] [--lang fr|nl|de|en].
func runWindow(ctx context.Context, args []string) int {
	fs := flag.NewFlagSet("pickup", flag.ContinueOnError)
	data := fs.String("data", "", "the terminal's data folder (default: per-user application data, or $PICKUP_DATA)")
	full := fs.Bool("fullscreen", false, "open full screen")
	lang := fs.String("lang", "", "language for this run: fr, nl, de or en (default: the one chosen at the counter)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return cli.ExitOK
		}
		return cli.ExitError
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "pickup: unknown command %q (see 'pickup help')\n", fs.Arg(0))
		return cli.ExitError
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	slog.SetDefault(log)
	dir, dataFlag := *data, ""
	if dir == "" {
		dir = cli.DefaultDataDir(os.Getenv)
	} else {
		dataFlag = "--data " + shellQuote(dir)
	}

	if noDisplay() {
		fmt.Fprintln(os.Stderr, "pickup: there is no display to open the counter window on (DISPLAY is not set).\n"+
			"  → run it from the desktop, or use the commands, which need no display: pickup help")
		return cli.ExitError
	}
	a := fyneapp.NewWithID(appID)
	if icon, err := assets.Icons.ReadFile("icons/pickup.png"); err == nil {
		a.SetIcon(fyne.NewStaticResource("pickup.png", icon))
	}
	w := a.NewWindow("Pickup")
	w.SetMaster()
	// The window fits the screen it opens on (the primary monitor's).
	size, fullScreen := counter.WindowSize(screenSize())
	if *full || fullScreen {
		w.SetFullScreen(true)
	} else {
		w.Resize(size)
	}

	st, err := store.Open(ctx, dir)
	if err != nil {
		log.Error("open store", "err", err)
		w.SetContent(counter.OpenErrorContent(i18n.Choose(*lang, "", envLang()), dir, err))
		w.ShowAndRun()
		return cli.ExitError
	}
	defer st.Close()
	// The log goes to a file in the data folder too (0600, rotated by
	// size), for the diagnostics file a technician sends to support.
	if lf, err := diag.OpenLog(dir); err != nil {
		log.Warn("no log file", "err", err)
	} else {
		defer lf.Close()
		log = lf.Logger(os.Stderr)
		slog.SetDefault(log)
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	// Sync runs in the background for as long as the window is open: it
	// notices by itself when the link goes and comes back.
	syncer := &client.Syncer{Store: st, Log: log}
	go syncer.Run(ctx, nil)
	// The exchange with the centre's other counters on the LAN, likewise.
	go func() {
		if err := (&peer.Service{Store: st, Log: log, MDNS: true}).Run(ctx); err != nil {
			log.Warn("peer service not running", "err", err)
		}
	}()
	ui := counter.New(ctx, w, counter.Options{
		Store: st, DataDir: dir, DataFlag: dataFlag, Lang: *lang, EnvLang: envLang(),
		Decode: scan.Decode, Camera: cameraScanner(), Log: log, Loc: time.Local, Sync: syncer,
	})
	w.SetOnClosed(func() {
		cancel()
		ui.StopCamera()
	})
	go func() {
		if err := ui.Run(ctx); err != nil {
			log.Error("refresh", "err", err)
		}
	}()
	go func() {
		<-ctx.Done() // SIGINT, SIGTERM or the window closed
		fyne.Do(a.Quit)
	}()
	a.Lifecycle().SetOnStarted(func() {
		log.Info("counter ready", "startup_ms", time.Since(processStart).Milliseconds(), "data", dir)
	})
	w.ShowAndRun()
	return cli.ExitOK
}

// screenSize is the primary monitor's size and the part of it its desktop
// leaves to windows, in Fyne's units (pixels over the monitor's content
// scale); zero when GLFW cannot say. Fyne exposes no monitor, so this asks
// GLFW, which Fyne's driver uses and initialises again as a no-op. It runs
// on the main thread, as GLFW requires (Fyne's driver locks it).
func screenSize() (screen, work fyne.Size) {
	if err := glfw.Init(); err != nil {
		return fyne.Size{}, fyne.Size{}
	}
	m := glfw.GetPrimaryMonitor()
	if m == nil {
		return fyne.Size{}, fyne.Size{}
	}
	mode := m.GetVideoMode()
	if mode == nil {
		return fyne.Size{}, fyne.Size{}
	}
	scale, _ := m.GetContentScale()
	if scale <= 0 {
		scale = 1
	}
	_, _, ww, wh := m.GetWorkarea()
	return fyne.NewSize(float32(mode.Width)/scale, float32(mode.Height)/scale),
		fyne.NewSize(float32(ww)/scale, float32(wh)/scale)
}

// cameraScanner scans with the first V4L2 camera (Linux only: no cgo-free
// capture library builds for Windows). PICKUP_CAMERA_FILES, a list of image
// files separated by the OS's list separator, replays recorded frames
// instead, for demonstrations and tests without a camera.
func cameraScanner() func(ctx context.Context, found func(string)) error {
	files := os.Getenv("PICKUP_CAMERA_FILES")
	if files == "" && runtime.GOOS != "linux" {
		return nil
	}
	return func(ctx context.Context, found func(string)) error {
		var src camera.Source
		if files != "" {
			src = camera.NewFiles(filepath.SplitList(files)...)
		} else {
			devs := camera.Devices()
			if len(devs) == 0 {
				return counter.ErrNoCamera
			}
			v, err := camera.Open(devs[0], 1280, 720)
			if err != nil {
				return fmt.Errorf("open camera %s: %w", devs[0], err)
			}
			src = v
		}
		defer src.Close()
		var sc scan.Scanner // a budget per frame: the fast stages, then one slower stage in turn
		err := camera.Run(ctx, src, sc.Decode, found)
		if errors.Is(err, context.Canceled) {
			return nil
		}
		return err
	}
}

// envLang is the language the environment asks for: PICKUP_LANG, as for
// the command line, then the locale.
func envLang() string { return i18n.FromEnv(os.Getenv) }

// shellQuote quotes a path for the commands the first-run screen shows.
func shellQuote(s string) string {
	if s != "" && !strings.ContainsAny(s, " \t'\"$\\&;|<>()*?[]#~`!") {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// noDisplay reports whether a Linux or BSD session has neither an X11 nor
// a Wayland display (GLFW would panic).
func noDisplay() bool {
	switch runtime.GOOS {
	case "windows", "darwin", "android", "ios":
		return false
	}
	return os.Getenv("DISPLAY") == "" && os.Getenv("WAYLAND_DISPLAY") == ""
}
