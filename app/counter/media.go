package counter

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	_ "image/gif"  // decode GIF images
	_ "image/jpeg" // decode photos of letters
	_ "image/png"  // decode screenshots
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/pickup-terminal/pickup/assets/i18n"
)

// errNoDecoder is returned when the build has no QR decoder wired in.
var errNoDecoder = errors.New("no QR decoder in this build")

// ErrNoCamera is what Options.Camera returns when no camera is plugged in.
var ErrNoCamera = errors.New("no camera connected")

// maxImageBytes and maxImagePixels bound an image read for a code (a
// letter scanned at 600 dpi is well under both).
const (
	maxImageBytes  = 64 << 20
	maxImagePixels = 40 << 20
)

// errImageTooLarge refuses an image too large to decode safely.
var errImageTooLarge = errors.New("image too large")

// DecodeReader reads an image and the code in it. It touches no widget.
func (u *UI) DecodeReader(ctx context.Context, r io.Reader) (string, error) {
	if u.opt.Decode == nil {
		return "", errNoDecoder
	}
	b, err := io.ReadAll(io.LimitReader(r, maxImageBytes))
	if err != nil {
		return "", fmt.Errorf("read image: %w", err)
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(b))
	if err != nil {
		return "", fmt.Errorf("read image: %w", err)
	}
	if cfg.Width*cfg.Height > maxImagePixels {
		return "", fmt.Errorf("read image: %d×%d: %w", cfg.Width, cfg.Height, errImageTooLarge)
	}
	img, _, err := image.Decode(bytes.NewReader(b))
	if err != nil {
		return "", fmt.Errorf("read image: %w", err)
	}
	text, err := u.opt.Decode(ctx, img)
	if err != nil {
		return "", fmt.Errorf("decode image: %w", err)
	}
	return text, nil
}

// OpenImageURI decodes an image dropped on the window.
func (u *UI) OpenImageURI(uri fyne.URI) {
	if !u.snap.setUp {
		return
	}
	r, err := storage.Reader(uri)
	if err != nil {
		u.imageResult("", fmt.Errorf("open image: %w", err))
		return
	}
	u.decodeAsync(r)
}

// decodeAsync decodes off the UI goroutine (a large photo takes a moment)
// and feeds the code into the counter flow through fyne.Do.
func (u *UI) decodeAsync(r io.ReadCloser) {
	u.setInfo(func(tr *i18n.Catalog) string { return tr.T("ui.image.reading") })
	go func() {
		defer r.Close()
		text, err := u.DecodeReader(u.ctx, r)
		fyne.Do(func() { u.imageResult(text, err) })
	}()
}

// imageResult puts a decoded code into the same flow as a typed one.
func (u *UI) imageResult(text string, err error) {
	if err != nil {
		u.log.Info("image without a code", "err", err)
		u.setInfo(func(tr *i18n.Catalog) string {
			if errors.Is(err, errNoDecoder) {
				return tr.T("ui.image.no_decoder")
			}
			return tr.T("ui.image.none")
		})
		u.focusEntry()
		return
	}
	u.infoText = nil
	u.Submit(text)
}

func (u *UI) setInfo(f func(*i18n.Catalog) string) {
	u.infoText = f
	u.renderBody()
}

// ToggleCamera starts or stops scanning with the camera.
func (u *UI) ToggleCamera() {
	if u.camCancel != nil {
		u.camCancel()
		return
	}
	if u.opt.Camera == nil {
		u.setInfo(func(tr *i18n.Catalog) string { return tr.T("ui.camera.unavailable") })
		return
	}
	ctx, cancel := context.WithCancel(u.ctx)
	u.camCancel = cancel
	done := make(chan struct{})
	u.camDone = done
	u.setInfo(func(tr *i18n.Catalog) string { return tr.T("ui.camera.on") })
	run := u.opt.Camera
	go func() {
		defer close(done)
		err := run(ctx, func(text string) { fyne.Do(func() { u.cameraFound(text) }) })
		fyne.Do(func() { u.cameraStopped(ctx, err) })
	}()
}

// cameraFound feeds a code the camera read into the flow. The camera sees
// the same code in frame after frame: it is looked up once, until another
// code or Escape.
func (u *UI) cameraFound(text string) {
	if u.camCancel == nil {
		return
	}
	if !u.snap.setUp { // an enrolment QR code, read once (Enter enrols)
		if strings.TrimSpace(text) != strings.TrimSpace(u.setup.enrol.entry.Text) {
			u.Submit(text)
		}
		return
	}
	if text == u.model.Input() && u.model.Phase() != PhaseIdle {
		return
	}
	u.Submit(text)
}

func (u *UI) cameraStopped(ctx context.Context, err error) {
	u.camCancel = nil
	u.camDone = nil
	switch {
	case errors.Is(err, ErrNoCamera):
		u.setInfo(func(tr *i18n.Catalog) string { return tr.T("ui.camera.none") })
	case err != nil && ctx.Err() == nil:
		u.log.Warn("camera stopped", "err", err)
		u.setInfo(func(tr *i18n.Catalog) string { return tr.T("ui.camera.failed", "err", err.Error()) })
	default:
		u.setInfo(nil)
	}
	u.focusEntry()
}

// StopCamera stops the camera and waits for it to let go of the device.
func (u *UI) StopCamera() {
	cancel, done := u.camCancel, u.camDone
	if cancel == nil {
		return
	}
	cancel()
	<-done
}

// The image picker: Fyne's file dialog speaks the desktop's language (and
// has no Dutch at all), so the counter has a small picker of its own, in
// the counter's language: places (the personal folder, Pictures,
// Downloads, Desktop, removable drives) on the left, the folder's
// subfolders and images on the right, "Up one folder". A tap on a folder
// opens it, a tap on an image reads it.

// imageExts are the files the picker offers (the decoders linked in media.go).
var imageExts = []string{".png", ".jpg", ".jpeg", ".gif"}

// pickerMaxEntries bounds a folder's listing (a camera's folder may hold
// thousands of photos: the newest names are not guaranteed, the window is).
const pickerMaxEntries = 500

// filePicker lists one folder at a time.
type filePicker struct {
	tr      *i18n.Catalog
	dir     string
	exts    []string
	onPick  func(path string)
	places  *fyne.Container
	where   *widget.Label
	msg     *widget.Label
	up      *widget.Button
	list    *fyne.Container
	obj     fyne.CanvasObject
	entries []pickerEntry
}

// pickerEntry is a subfolder or a file of the folder shown.
type pickerEntry struct {
	name string
	dir  bool
}

// removableDrives are the mounted removable drives (USB keys): their
// mount points under /media and /run/media on Linux, the drive letters
// past C: on Windows.
func removableDrives() []string {
	var out []string
	if runtime.GOOS == "windows" {
		for c := 'D'; c <= 'Z'; c++ {
			if fi, err := os.Stat(string(c) + `:\`); err == nil && fi.IsDir() {
				out = append(out, string(c)+`:\`)
			}
		}
		return out
	}
	for _, pattern := range []string{"/media/*/*", "/run/media/*/*", "/media/*"} {
		ms, _ := filepath.Glob(pattern)
		for _, m := range ms {
			if fi, err := os.Stat(m); err == nil && fi.IsDir() && !slices.Contains(out, m) && !isParentOf(m, out) {
				out = append(out, m)
			}
		}
	}
	return out
}

// isParentOf reports whether dir holds one of paths (/media/USER holds
// /media/USER/KEY: the key is listed, not the user's folder).
func isParentOf(dir string, paths []string) bool {
	for _, p := range paths {
		if strings.HasPrefix(p, dir+string(filepath.Separator)) {
			return true
		}
	}
	return false
}

// pickerPlaces are the folders the picker offers on its left, by label
// key: those of them that exist.
func pickerPlaces(home string) [][2]string {
	var out [][2]string
	add := func(key, dir string) {
		if fi, err := os.Stat(dir); err == nil && fi.IsDir() {
			out = append(out, [2]string{key, dir})
		}
	}
	if home != "" {
		add("ui.picker.home", home)
		add("ui.picker.pictures", filepath.Join(home, "Pictures"))
		add("ui.picker.downloads", filepath.Join(home, "Downloads"))
		add("ui.picker.desktop", filepath.Join(home, "Desktop"))
	}
	for _, d := range removableDrives() {
		out = append(out, [2]string{"ui.picker.drive", d})
	}
	return out
}

func newFilePicker(tr *i18n.Catalog, dir string, exts []string, places [][2]string, onPick func(path string)) *filePicker {
	p := &filePicker{tr: tr, exts: exts, onPick: onPick, places: container.NewVBox(),
		where: widget.NewLabel(""), msg: widget.NewLabel(""), list: container.NewVBox()}
	p.where.Wrapping = fyne.TextWrapBreak
	p.where.TextStyle.Bold = true
	p.msg.Wrapping = fyne.TextWrapWord
	p.up = widget.NewButtonWithIcon(tr.T("ui.picker.up"), theme.MoveUpIcon(), func() { p.open(filepath.Dir(p.dir)) })
	for _, pl := range places {
		label := tr.T(pl[0], "name", filepath.Base(pl[1]))
		b := widget.NewButtonWithIcon(label, theme.FolderIcon(), func() { p.open(pl[1]) })
		b.Alignment = widget.ButtonAlignLeading
		p.places.Add(b)
	}
	scroll := container.NewVScroll(p.list)
	right := container.NewBorder(container.NewVBox(container.NewBorder(nil, nil, nil, p.up, p.where), p.msg), nil, nil, nil, scroll)
	p.obj = container.NewBorder(nil, nil, container.NewVScroll(p.places), nil, right)
	p.open(dir)
	return p
}

// open shows dir: its subfolders, then its files of the picker's kinds,
// each by name, hidden ones left out.
func (p *filePicker) open(dir string) {
	p.dir = dir
	p.where.SetText(dir)
	p.up.Disable()
	if parent := filepath.Dir(dir); parent != dir {
		p.up.Enable()
	}
	p.list.RemoveAll()
	entries, more, err := readFolder(dir, p.exts)
	p.entries = entries
	switch {
	case err != nil:
		p.msg.SetText(p.tr.T("ui.picker.unreadable"))
	case len(entries) == 0:
		p.msg.SetText(p.tr.T("ui.picker.empty"))
	case more:
		p.msg.SetText(p.tr.T("ui.picker.more", "n", p.tr.Number(pickerMaxEntries)))
	default:
		p.msg.SetText(p.tr.T("ui.picker.hint"))
	}
	for _, e := range entries {
		icon := theme.FileImageIcon()
		if e.dir {
			icon = theme.FolderIcon()
		}
		b := widget.NewButtonWithIcon(e.name, icon, func() {
			path := filepath.Join(dir, e.name)
			if e.dir {
				p.open(path)
				return
			}
			p.onPick(path)
		})
		b.Alignment = widget.ButtonAlignLeading
		b.Importance = widget.LowImportance
		p.list.Add(b)
	}
	p.list.Refresh()
}

// readFolder lists dir's subfolders and its files ending in one of exts
// (in any case), folders first, each group by name; more is true when it
// held more than pickerMaxEntries of them.
func readFolder(dir string, exts []string) (entries []pickerEntry, more bool, err error) {
	des, err := os.ReadDir(dir)
	if err != nil {
		return nil, false, err
	}
	for _, de := range des {
		name := de.Name()
		if strings.HasPrefix(name, ".") {
			continue
		}
		isDir := de.IsDir()
		if de.Type()&fs.ModeSymlink != 0 { // a link to a folder opens it
			if fi, err := os.Stat(filepath.Join(dir, name)); err == nil {
				isDir = fi.IsDir()
			}
		}
		if !isDir && !slices.Contains(exts, strings.ToLower(filepath.Ext(name))) {
			continue
		}
		if len(entries) == pickerMaxEntries {
			more = true
			break
		}
		entries = append(entries, pickerEntry{name: name, dir: isDir})
	}
	slices.SortFunc(entries, func(a, b pickerEntry) int {
		if a.dir != b.dir {
			if a.dir {
				return -1
			}
			return 1
		}
		return strings.Compare(strings.ToLower(a.name), strings.ToLower(b.name))
	})
	return entries, more, nil
}

// pickerStart is the folder the image picker opens on: the last one used,
// else Pictures, else the personal folder.
func (u *UI) pickerStart() string {
	if u.pickerDir != "" {
		return u.pickerDir
	}
	home, _ := os.UserHomeDir()
	if fi, err := os.Stat(filepath.Join(home, "Pictures")); err == nil && fi.IsDir() {
		return filepath.Join(home, "Pictures")
	}
	if home == "" {
		return string(filepath.Separator)
	}
	return home
}

// OpenImageDialog lets the volunteer pick an image of a QR code, in the
// counter's language.
func (u *UI) OpenImageDialog() {
	if !u.snap.setUp {
		return
	}
	tr := u.tr()
	home, _ := os.UserHomeDir()
	var d dialog.Dialog
	p := newFilePicker(tr, u.pickerStart(), imageExts, pickerPlaces(home), func(path string) {
		u.pickerDir = filepath.Dir(path)
		d.Hide()
		f, err := os.Open(path)
		if err != nil {
			u.imageResult("", err)
			return
		}
		u.decodeAsync(f)
	})
	u.picker = p
	wrap := container.NewGridWrap(u.dialogSize(900, 560, 80, 160), container.NewStack(p.obj))
	d = u.showDialog(tr.T("ui.picker.title"), tr.T("ui.close"), wrap, func() { u.picker = nil })
	u.win.Canvas().Unfocus()
}
