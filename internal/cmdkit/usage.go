package cmdkit

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"
)

// usage prints a command's usage: how to call it, every command below it
// with its synopsis and summary (nested ones by their full path, so that
// `pickup-registry --help` lists `centre add` too), then its flags and
// the flags every command takes.
func usage(c *cobra.Command) error {
	w := c.OutOrStderr()
	fmt.Fprint(w, "Usage:\n")
	if c.Runnable() && c.Annotations[annotBare] == "" {
		fmt.Fprintf(w, "  %s\n", c.UseLine())
	}
	if c.HasAvailableSubCommands() {
		fmt.Fprintf(w, "  %s COMMAND [flags] [arguments]\n", c.CommandPath())
	}
	if cmds := commandList(c); len(cmds) > 0 {
		fmt.Fprint(w, "\nCommands:\n")
		root := c.Root().Name() + " "
		for _, sub := range cmds {
			line := strings.TrimPrefix(sub.CommandPath(), root)
			if syn := synopsis(sub); syn != "" {
				line += " " + syn
			}
			fmt.Fprintf(w, "  %s\n%s", line, wrap(sub.Short, "      ", 80))
		}
	}
	if c.HasAvailableLocalFlags() {
		fmt.Fprintf(w, "\nFlags:\n%s", c.LocalFlags().FlagUsages())
	}
	if c.HasAvailableInheritedFlags() {
		fmt.Fprintf(w, "\nFlags of every command:\n%s", c.InheritedFlags().FlagUsages())
	}
	if c.HasAvailableSubCommands() {
		fmt.Fprintf(w, "\n'%s COMMAND --help' describes a command.\n", c.CommandPath())
	}
	return nil
}

// synopsis is what a command's Use says after its name.
func synopsis(c *cobra.Command) string {
	_, rest, _ := strings.Cut(c.Use, " ")
	return rest
}

// commandList is every available command below c: the runnable ones, and
// the commands of groups, depth first. The commands of cobra's
// `completion` are left to its own help.
func commandList(c *cobra.Command) []*cobra.Command {
	var out []*cobra.Command
	for _, sub := range c.Commands() {
		if !sub.IsAvailableCommand() && sub.Name() != "help" {
			continue
		}
		if sub.Annotations[annotBare] == "" || !sub.HasAvailableSubCommands() || sub.Name() == "completion" {
			out = append(out, sub)
		}
		if sub.Name() != "completion" && sub.Name() != "help" {
			out = append(out, commandList(sub)...)
		}
	}
	return out
}

// wrap breaks text into lines of at most width characters (a longer word
// stands alone), each starting with indent.
func wrap(text, indent string, width int) string {
	var b strings.Builder
	line := indent
	for _, word := range strings.Fields(text) {
		if line != indent && len([]rune(line))+1+len([]rune(word)) > width {
			b.WriteString(line + "\n")
			line = indent
		}
		if line != indent {
			line += " "
		}
		line += word
	}
	b.WriteString(line + "\n")
	return b.String()
}
