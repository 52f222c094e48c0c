package cmdkit

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"

	"github.com/pickup-terminal/pickup/internal/buildinfo"
	"github.com/pickup-terminal/pickup/internal/cmdkit/atomicfile"
)

// newDocsCmd is the hidden `docs --out DIR [--format man|markdown]`, with
// which packaging ships a manual page for every command.
func newDocsCmd() *cobra.Command {
	var out, format string
	cmd := &cobra.Command{
		Use:    "docs --out DIR [--format man|markdown]",
		Short:  "write a manual page (or a markdown page) for every command into DIR",
		Hidden: true,
		Args:   NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if out == "" {
				return Usagef("--out is required")
			}
			n, err := WriteDocs(cmd.Root(), out, format)
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%d %s page(s) written to %s\n", n, format, out)
			return nil
		},
	}
	cmd.Flags().StringVar(&out, "out", "", "folder to write the pages into (made if missing)")
	cmd.Flags().StringVar(&format, "format", "man", "man (section 1 pages) or markdown")
	cmd.RegisterFlagCompletionFunc("format", cobra.FixedCompletions([]string{"man", "markdown"}, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

// WriteDocs writes one page per available command of root's tree into
// dir, as man pages (NAME.1, dashes for spaces: pickup-stock-receive.1)
// or markdown (underscores: pickup_stock_receive.md, linked together), and
// returns how many. Each file is written atomically.
func WriteDocs(root *cobra.Command, dir, format string) (int, error) {
	var gen func(c *cobra.Command) (string, []byte, error)
	switch format {
	case "man":
		gen = func(c *cobra.Command) (string, []byte, error) {
			var b bytes.Buffer
			h := &doc.GenManHeader{Section: "1", Source: "Pickup " + buildinfo.String(), Manual: "Pickup manual"}
			err := doc.GenMan(c, h, &b)
			return strings.ReplaceAll(c.CommandPath(), " ", "-") + ".1", b.Bytes(), err
		}
	case "markdown", "md":
		gen = func(c *cobra.Command) (string, []byte, error) {
			var b bytes.Buffer
			err := doc.GenMarkdownCustom(c, &b, func(s string) string { return s })
			return strings.ReplaceAll(c.CommandPath(), " ", "_") + ".md", b.Bytes(), err
		}
	default:
		return 0, Usagef("--format %q: want man or markdown", format)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return 0, fmt.Errorf("docs: %w", err)
	}
	root.InitDefaultHelpCmd()
	root.InitDefaultCompletionCmd()
	n := 0
	var walk func(c *cobra.Command) error
	walk = func(c *cobra.Command) error {
		if !c.IsAvailableCommand() && c != root || c.IsAdditionalHelpTopicCommand() {
			return nil
		}
		name, b, err := gen(c)
		if err != nil {
			return fmt.Errorf("docs for %s: %w", c.CommandPath(), err)
		}
		if err := atomicfile.WriteBytes(filepath.Join(dir, name), b, 0o644); err != nil {
			return fmt.Errorf("docs: %w", err)
		}
		n++
		for _, sub := range c.Commands() {
			if err := walk(sub); err != nil {
				return err
			}
		}
		return nil
	}
	return n, walk(root)
}
