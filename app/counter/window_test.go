package counter

import (
	"testing"

	"fyne.io/fyne/v2"
)

func TestWindowSize(t *testing.T) {
	tests := []struct {
		name         string
		screen, work fyne.Size
		want         fyne.Size
		full         bool
	}{
		{"unknown", fyne.Size{}, fyne.Size{}, UnknownScreenSize, false},
		{"1024x768", fyne.NewSize(1024, 768), fyne.NewSize(1024, 740), fyne.NewSize(1024, 768), true},
		{"800x600", fyne.NewSize(800, 600), fyne.NewSize(800, 600), fyne.NewSize(800, 600), true},
		{"1280x800 with a panel", fyne.NewSize(1280, 800), fyne.NewSize(1280, 772), fyne.NewSize(1280, 732), false},
		{"1366x768", fyne.NewSize(1366, 768), fyne.NewSize(1366, 740), fyne.NewSize(1366, 768), true},
		{"1920x1080", fyne.NewSize(1920, 1080), fyne.NewSize(1920, 1050), PreferredSize, false},
		{"no work area", fyne.NewSize(1920, 1080), fyne.Size{}, PreferredSize, false},
	}
	for _, tt := range tests {
		size, full := WindowSize(tt.screen, tt.work)
		if size != tt.want || full != tt.full {
			t.Errorf("%s: WindowSize(%v, %v) = %v, %v; want %v, %v", tt.name, tt.screen, tt.work, size, full, tt.want, tt.full)
		}
	}
}
