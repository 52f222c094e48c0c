package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"

	"github.com/pickup-terminal/pickup"
	"github.com/pickup-terminal/pickup/sync/registry"
)

// The values the item and size flags complete to.
var (
	itemIDs   = []string{"gloves", "masks", "gowns", "glasses", "ffp2_masks"}
	sizeNames = []string{"S", "M", "L", "XL"}
)

func open(ctx context.Context, g *globals, level slog.Level) (*registry.Registry, error) {
	log := slog.New(slog.NewTextHandler(g.stderr, &slog.HandlerOptions{Level: level}))
	return registry.Open(ctx, g.data, registry.Options{Log: log})
}

// withRegistry opens the registry quietly (warnings only), runs fn, closes.
func withRegistry(ctx context.Context, g *globals, fn func(reg *registry.Registry) error) error {
	reg, err := open(ctx, g, slog.LevelWarn)
	if err != nil {
		return err
	}
	defer reg.Close()
	return fn(reg)
}

// withFile opens a command's input file (a missing one is "not found",
// exit 1), then the registry, runs fn and closes both.
func withFile(ctx context.Context, g *globals, name string, fn func(reg *registry.Registry, f *os.File) error) error {
	f, err := os.Open(name)
	if err != nil {
		return fmt.Errorf("%w: %v", registry.ErrNotFound, err)
	}
	defer f.Close()
	return withRegistry(ctx, g, func(reg *registry.Registry) error { return fn(reg, f) })
}

func parseCodeArg(s string) (pickup.Code, error) {
	c, err := pickup.ParseCode(s)
	if err != nil {
		return "", fmt.Errorf("%w: %v", registry.ErrRefused, err)
	}
	return c, nil
}
