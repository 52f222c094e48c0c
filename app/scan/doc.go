// Package scan reads pickup codes from images: camera frames, photos of
// letters, screenshots of phones. It is pure Go on top of gozxing.
//
// Decode and DecodeFile return the text of the first code they can trust:
// a bare pickup code whose check character holds, or a well-formed signed
// payload (pickup.ParseScan). QR text that is anything else (a web
// address, a code with a wrong check character) is ignored, so a result is
// either right or ErrNoCode; on the test corpus no decoder here ever
// returned wrong text.
//
// # Pipeline
//
// An image becomes 8-bit luminance (borrowed as is from YCbCr and Gray
// images, the camera's and most JPEGs'), then goes through a cascade of
// stages until one yields a trusted text. A stage is a preprocessing
// (none, inverted for dark-mode screens, contrast-stretched, 3×3 mean
// against noise, unsharp mask, ×2 enlargement for 1–2 px modules), a
// binarization (ZXing's hybrid local threshold, a global Otsu threshold,
// a 31×31 local mean) and a detection:
//
//   - finder patterns by ZXing, or by a looser finder of our own that
//     accepts patterns squashed by a steep tilt;
//   - the module grid first as ZXing samples it, then fitted: the outer
//     edges of the three finder patterns are traced, a perspective
//     transform is fitted to their twelve corners for every symbol size,
//     the timing patterns pick the size, and alignment patterns refine it;
//   - modules read as luminance, not as pixels of the binarized image,
//     and thresholded in module space, plain and sharpened against blur;
//   - if that fails, Reed–Solomon decoding with erasures: codewords in a
//     flat patch (a finger, glare, a blot) or the least certain ones are
//     erased, which roughly doubles what a symbol survives. Such a decode
//     must leave 3 EC codewords per block unused to keep checking.
//
// Large images (camera frames) and small ones (screenshots, crops) have
// their own cascade (pipeline.go). Scanner runs camera frames with a budget:
// the two fast stages on every frame, and the slower ones one per frame in
// turn.
//
// # Figures
//
// The corpus (internal/corpus, generated at test time with a fixed seed):
// 338 images, 26 in each of 13 classes, half bare codes and half signed
// payloads printed by package qrprint at level Q. Measured on the 2-core
// build machine, shared with other jobs (load average about 4–5):
//
//	class        decoded    class        decoded
//	clean        26/26      jpeg (q30)   26/26
//	downscaled   24/26      cluttered    24/26
//	rotated      26/26      inverted     26/26
//	blurred      25/26      occluded     24/26
//	noisy        24/26      combined     16/26
//	lowcontrast  26/26      overall      319/338 = 94.4%, no misreads
//	gradient     26/26
//	perspective  26/26
//
// Per 1280×720 frame of the corpus (BenchmarkDecode1280x720): median
// 9 ms, p95 152 ms (the p95 frames are those that fail every stage);
// Scanner: median 9 ms, p95 32 ms; a frame with no code: 67 ms for
// Decode, 16 ms for Scanner.
//
// On the same files in the same run (TestCompare): zbarimg 59.5% (67.2%
// with -Stest-inverted), ZXingReader 62.7%, DecodeFile 94.4%.
//
// To reproduce:
//
//	go test ./app/scan -run TestCorpus -v
//	go test ./app/scan -run XXX -bench . -benchtime 300x
//	PICKUP_SCAN_COMPARE=1 go test ./app/scan -run TestCompare -v -timeout 30m
//	PICKUP_SCAN_EC=1 go test ./app/scan -run TestECLevels -v -timeout 30m
//	go test ./app/scan -run XXX -fuzz FuzzDecode -fuzztime 5s
package scan
