package scan

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/draw"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pickup-terminal/pickup/app/scan/internal/corpus"
	"github.com/pickup-terminal/pickup/internal/qrprint"
)

// TestCompare runs zbarimg (Debian zbar-tools) and ZXingReader (Debian
// zxing-cpp-tools) on the test corpus written out as files, next to
// DecodeFile, in the same run, and prints decode rate, misreads and
// timings for each. It is skipped unless PICKUP_SCAN_COMPARE is set (to a
// directory to keep the files in, or to 1 for a temporary one):
//
//	PICKUP_SCAN_COMPARE=1 go test ./app/scan -run TestCompare -v -timeout 30m
//
// The external tools are timed per process, start-up included; the
// start-up alone (a 32×32 blank image) is printed too.
func TestCompare(t *testing.T) {
	dir := os.Getenv("PICKUP_SCAN_COMPARE")
	if dir == "" {
		t.Skip("set PICKUP_SCAN_COMPARE=1 (or a directory) to compare with zbarimg and ZXingReader")
	}
	if dir == "1" {
		dir = t.TempDir()
	}
	ss, err := testCorpus()
	if err != nil {
		t.Fatal(err)
	}
	paths := make([]string, len(ss))
	for i, s := range ss {
		var data []byte
		ext := ".png"
		if s.JPEG != nil {
			data, ext = s.JPEG, ".jpg"
		} else {
			// 8-bit PNG as most files are (a YCbCr image would be
			// written with 16 bits per channel).
			img := s.Image
			if _, ok := img.(*image.Gray); !ok {
				rgba := image.NewRGBA(img.Bounds())
				draw.Draw(rgba, rgba.Bounds(), img, img.Bounds().Min, draw.Src)
				img = rgba
			}
			var buf bytes.Buffer
			if err := png.Encode(&buf, img); err != nil {
				t.Fatal(err)
			}
			data = buf.Bytes()
		}
		paths[i] = filepath.Join(dir, s.Name()+ext)
		if err := os.WriteFile(paths[i], data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	blank := filepath.Join(dir, "blank.png")
	var buf bytes.Buffer
	png.Encode(&buf, corpus.Blank(32))
	os.WriteFile(blank, buf.Bytes(), 0o644)

	type decoder struct {
		name string
		run  func(path string) []string // texts read
	}
	tool := func(name string, args ...string) func(string) []string {
		return func(path string) []string {
			out, _ := exec.Command(name, append(args, path)...).Output()
			var texts []string
			for _, l := range strings.Split(string(out), "\n") {
				l = strings.TrimRight(l, "\r")
				if name == "ZXingReader" {
					// "path QRCode \"text\"", or "path None".
					i := strings.Index(l, ` QRCode "`)
					if i < 0 || !strings.HasSuffix(l, `"`) {
						continue
					}
					l = l[i+len(` QRCode "`) : len(l)-1]
				}
				if l != "" {
					texts = append(texts, l)
				}
			}
			return texts
		}
	}
	decoders := []decoder{
		{"scan.DecodeFile", func(path string) []string {
			text, err := DecodeFile(context.Background(), path)
			if err != nil {
				return nil
			}
			return []string{text}
		}},
	}
	for _, d := range []struct {
		bin  string
		name string
		args []string
	}{
		{"zbarimg", "zbarimg", []string{"-q", "--raw", "--nodbus", "-Sdisable", "-Sqrcode.enable"}},
		{"zbarimg", "zbarimg -Stest-inverted", []string{"-q", "--raw", "--nodbus", "-Sdisable", "-Sqrcode.enable", "-Stest-inverted"}},
		{"ZXingReader", "ZXingReader", []string{"-format", "QRCode", "-1"}},
	} {
		if _, err := exec.LookPath(d.bin); err != nil {
			t.Logf("%s not installed: skipped", d.bin)
			continue
		}
		decoders = append(decoders, decoder{d.name, tool(d.bin, d.args...)})
	}
	classes := corpus.Classes
	var report strings.Builder
	fmt.Fprintf(&report, "\n%-24s %8s %6s %9s %9s %9s %8s", "decoder", "decoded", "wrong", "med ms", "frame med", "frame p95", "startup")
	perClass := map[string]map[string]int{}
	for _, d := range decoders {
		ok, wrong := 0, 0
		perClass[d.name] = map[string]int{}
		var all, fr []time.Duration
		for i, s := range ss {
			start := time.Now()
			texts := d.run(paths[i])
			el := time.Since(start)
			all = append(all, el)
			if s.Frame() {
				fr = append(fr, el)
			}
			found := slices.Contains(texts, s.Text)
			switch {
			case found:
				ok++
				perClass[d.name][s.Class]++
			case len(texts) > 0:
				wrong++
				t.Logf("%s misread %s: %q", d.name, s.Name(), texts)
			}
		}
		startup := time.Duration(0)
		if d.name != "scan.DecodeFile" {
			var st []time.Duration
			for k := 0; k < 5; k++ {
				t0 := time.Now()
				d.run(blank)
				st = append(st, time.Since(t0))
			}
			startup = median(st)
		}
		slices.Sort(fr)
		fmt.Fprintf(&report, "\n%-24s %7.1f%% %6d %9.1f %9.1f %9.1f %8.1f", d.name, 100*float64(ok)/float64(len(ss)), wrong,
			msOf(median(all)), msOf(median(fr)), msOf(fr[len(fr)*95/100]), msOf(startup))
	}
	fmt.Fprintf(&report, "\n\nper class (of %d):\n%-14s", corpusPerClass, "")
	for _, d := range decoders {
		fmt.Fprintf(&report, " %24s", d.name)
	}
	for _, c := range classes {
		fmt.Fprintf(&report, "\n%-14s", c)
		for _, d := range decoders {
			fmt.Fprintf(&report, " %24d", perClass[d.name][c])
		}
	}
	t.Log(report.String())
}

func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

func msOf(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// TestECLevels measures what the error-correction level buys: the corpus
// rendered at M, Q and H (same prints, same physical size, so the higher
// levels have smaller modules), decoded with and without erasures, and a
// larger sample of the occluded class. It backs the choice documented in
// package qrprint. Skipped unless PICKUP_SCAN_EC is set:
//
//	PICKUP_SCAN_EC=1 go test ./app/scan -run TestECLevels -v -timeout 30m
func TestECLevels(t *testing.T) {
	if os.Getenv("PICKUP_SCAN_EC") == "" {
		t.Skip("set PICKUP_SCAN_EC=1 to measure error-correction levels")
	}
	const occludedSamples = 100
	var report strings.Builder
	fmt.Fprintf(&report, "\n%-5s %-10s %9s %9s   %s", "level", "erasures", "corpus", "occluded", "per class")
	for _, level := range []qrprint.ECLevel{qrprint.ECMedium, qrprint.ECQuartile, qrprint.ECHigh} {
		ss, err := corpus.Generate(corpus.Options{Seed: corpusSeed, PerClass: corpusPerClass, Level: level})
		if err != nil {
			t.Fatal(err)
		}
		occ, err := corpus.Generate(corpus.Options{Seed: corpusSeed + 1, PerClass: occludedSamples, Level: level, Classes: []string{"occluded"}})
		if err != nil {
			t.Fatal(err)
		}
		for _, erasures := range []bool{true, false} {
			useErasures = erasures
			decode := func(ctx context.Context, s corpus.Sample) (string, error) { return Decode(ctx, s.Image) }
			rs := decodeAll(ss, decode)
			for _, r := range rs {
				if r.err == nil && r.text != r.s.Text {
					t.Errorf("level %v: MISREAD %s", level, r.s.Name())
				}
			}
			ok, total := tally(rs)
			_, occOK := tally(decodeAll(occ, decode))
			fmt.Fprintf(&report, "\n%-5v %-10v %8.1f%% %8.1f%%  %s", level, erasures,
				100*float64(total)/float64(len(ss)), 100*float64(occOK)/float64(len(occ)), classCounts(ok))
		}
	}
	useErasures = true
	t.Log(report.String())
}

// TestStages runs each stage of the cascades alone over the corpus and
// prints what it reads per class: the data the cascades are ordered by.
// Skipped unless PICKUP_SCAN_STAGES is set:
//
//	PICKUP_SCAN_STAGES=1 go test ./app/scan -run TestStages -v -timeout 30m
func TestStages(t *testing.T) {
	if os.Getenv("PICKUP_SCAN_STAGES") == "" {
		t.Skip("set PICKUP_SCAN_STAGES=1 to measure each stage alone")
	}
	ss, err := testCorpus()
	if err != nil {
		t.Fatal(err)
	}
	var report strings.Builder
	for _, c := range []struct {
		name   string
		stages []stage
	}{{"large", largeCascade}, {"small", smallCascade}} {
		for _, st := range c.stages {
			decode := func(ctx context.Context, s corpus.Sample) (string, error) {
				sess, err := start(s.Image)
				if err != nil {
					return "", err
				}
				if large(sess.base) != (c.name == "large") {
					return "", ErrNoCode // not this image's cascade
				}
				return sess.runAll(ctx, []stage{st})
			}
			ok, total := tally(decodeAll(ss, decode))
			fmt.Fprintf(&report, "\n%-5s %-14s %3d |%s", c.name, st.name, total, classCounts(ok))
		}
	}
	t.Log(report.String())
}
