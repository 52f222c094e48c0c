package corpus

import (
	"testing"

	"github.com/pickup-terminal/pickup/internal/qrprint"
)

func BenchmarkGenerate(b *testing.B) {
	for b.Loop() {
		if _, err := Generate(Options{Seed: 1, PerClass: 1, Level: qrprint.Level}); err != nil {
			b.Fatal(err)
		}
	}
}
