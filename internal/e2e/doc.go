// Package e2e holds Triade's browser journeys: real Chromium driven through
// chromedp against the real server and a fresh PostgreSQL database, each page
// audited with axe-core. The tests live in the _test.go files; they skip under
// -short and when no Chromium is installed (and fail instead when CI is set).
package e2e
