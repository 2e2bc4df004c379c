// Package web holds what the browser receives: templ views (web/views), static
// assets and the message catalogs, all embedded in the binary.
package web

import "embed"

// Static holds the CSS and images served under /static/.
//
//go:embed static
var Static embed.FS

// Locales holds the message catalogs, one JSON file per language.
//
//go:embed locales/*.json
var Locales embed.FS
