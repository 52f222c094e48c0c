// Package assets embeds what Pickup ships besides code: the built-in
// campaign definitions, the translations of every user-facing string and
// the icons. It has no logic beyond reading those files.
package assets

import "embed"

// Campaigns holds campaigns/*.json, the built-in campaign definitions.
//
//go:embed campaigns/*.json
var Campaigns embed.FS

// Translations holds translation/<lang>.json, one flat key → text map per
// language (en, fr, nl, de).
//
//go:embed translation/*.json
var Translations embed.FS

// Icons holds icons/*: the application icon (pickup.png, 512×512), drawn
// with ImageMagick (see icons/README.md).
//
//go:embed icons/*
var Icons embed.FS
