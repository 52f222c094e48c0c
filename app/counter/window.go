package counter

import "fyne.io/fyne/v2"

// Window sizes: the size the counter is designed at, the smallest screen
// it supports, and what a window's title bar takes.
var (
	PreferredSize = fyne.NewSize(1280, 800)
	SmallestSize  = fyne.NewSize(1024, 768)
	// UnknownScreenSize is the window when the screen's size is unknown:
	// it fits the smallest screen supported, with its desktop's bars.
	UnknownScreenSize = fyne.NewSize(1024, 700)
)

const titleBar = 40

// WindowSize is the size the window opens at on a screen of size screen
// whose desktop leaves work for windows (both in the window's units; zero
// when unknown): PreferredSize where it fits inside work with its title
// bar, else as much of work as there is; full screen on a screen of
// SmallestSize or less, where a title bar and a panel would leave the
// counter less than it needs.
func WindowSize(screen, work fyne.Size) (size fyne.Size, fullScreen bool) {
	switch {
	case screen.Width <= 0 || screen.Height <= 0:
		return UnknownScreenSize, false
	case screen.Width <= SmallestSize.Width || screen.Height <= SmallestSize.Height:
		return screen, true
	}
	if work.Width <= 0 || work.Height <= 0 {
		work = screen
	}
	return fyne.NewSize(min(PreferredSize.Width, work.Width), min(PreferredSize.Height, work.Height-titleBar)), false
}
