package cli

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/pickup-terminal/pickup"
	"github.com/pickup-terminal/pickup/app/scan"
	"github.com/pickup-terminal/pickup/internal/cmdkit"
)

type scanImageOptions struct {
	*ctx
	files []string
}

func newCmdScanImage(o *scanImageOptions) *cobra.Command {
	return cmdkit.Command(o, runScanImage, "scan-image [--json] FILE…",
		"read the QR code in images (a screenshot, a photo of a letter): print the code or payload per file",
		cmdkit.Args(cmdkit.MinArgs("FILE")), cmdkit.Bind(func(_ *cobra.Command, args []string) error { o.files = args; return nil }))
}

// scanResult is one file's line of `scan-image --json`.
type scanResult struct {
	File  string `json:"file"`
	OK    bool   `json:"ok"`
	Text  string `json:"text,omitempty"`
	Code  string `json:"code,omitempty"`
	Error string `json:"error,omitempty"`
}

func runScanImage(ctx context.Context, c *scanImageOptions) error {
	failed := 0
	for _, path := range c.files {
		r := scanResult{File: path}
		text, err := scan.DecodeFile(ctx, path)
		if err == nil {
			r.OK, r.Text = true, text
			if s, perr := pickup.ParseScan(text); perr == nil {
				r.Code = s.Code.String()
			}
		} else {
			failed++
			r.Error = scanError(err)
		}
		if c.json {
			// One object per file, one per line, so a long batch streams.
			c.printJSONLine(r)
			continue
		}
		if r.OK {
			if r.Code != "" && r.Code != r.Text {
				c.printf("%s: %s (code %s)\n", path, r.Text, r.Code)
			} else {
				c.printf("%s: %s\n", path, r.Text)
			}
		} else {
			fmt.Fprintf(c.Stderr, "%s: %s\n", path, r.Error)
		}
	}
	if failed > 0 {
		return refused(nil)
	}
	return nil
}

// scanError says in words why a file gave no code.
func scanError(err error) string {
	switch {
	case errors.Is(err, os.ErrNotExist):
		return "no such file"
	case errors.Is(err, scan.ErrNotImage):
		return "not an image this can read (PNG, JPEG or GIF), or a damaged one"
	case errors.Is(err, scan.ErrNoCode):
		return "no readable pickup QR code found: try a sharper, closer, better lit picture, or type the code"
	}
	return err.Error()
}
