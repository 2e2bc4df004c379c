// Package migrations holds the SQL schema, applied by goose at start-up.
package migrations

import "embed"

// FS holds every migration; the binary carries its own schema.
//
//go:embed *.sql
var FS embed.FS
