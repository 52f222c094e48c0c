package main

import (
	"context"
	"fmt"
	"os"
)

// runWindow opens the counter window. (The window lands with the counter issue.)
func runWindow(ctx context.Context, args []string) int {
	fmt.Fprintln(os.Stderr, "pickup: the counter window is not built yet; see 'pickup help'")
	return 2
}
