package domain

import (
	"net/mail"
	"regexp"
	"strings"
	"unicode/utf8"
)

var slugPattern = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,38}[a-z0-9])?$`)

// NormalizeEmail trims and lower-cases an address; e-mail is the account's key.
func NormalizeEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// ValidEmail reports whether s is a plain address (no display name).
func ValidEmail(s string) bool {
	if len(s) < 3 || len(s) > 254 || !utf8.ValidString(s) || strings.ContainsRune(s, 0) {
		return false
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || a.Name != "" {
		return false
	}
	// A deliverable address has a dot in its domain ("name@host" is refused).
	at := strings.LastIndexByte(s, '@')
	dot := strings.LastIndexByte(s, '.')
	return dot > at+1 && dot < len(s)-1
}

// ValidSlug reports whether s can name a workspace in URLs.
func ValidSlug(s string) bool { return slugPattern.MatchString(s) }

// Reserved slugs would shadow nothing today, but keep URLs unambiguous in mails.
var reservedSlugs = map[string]bool{"new": true, "admin": true, "api": true, "static": true, "dev": true}

// SlugAvailable reports whether a valid slug may be chosen by a new workspace.
func SlugAvailable(s string) bool { return !reservedSlugs[s] }

// Password rules, after NIST 800-63B: length matters, composition rules do not.
const (
	PasswordMin = 10
	PasswordMax = 128
)

// CheckPassword returns the catalog ID of what is wrong with a new password, or "".
func CheckPassword(p string) string {
	n := utf8.RuneCountInString(p)
	switch {
	case n < PasswordMin:
		return "field.password.too_short"
	case n > PasswordMax:
		return "field.password.too_long"
	}
	return ""
}

// CheckText cleans a text and returns the catalog ID of what is wrong with it:
// not valid UTF-8, holding a control character other than a line break or a
// tab (NUL, which PostgreSQL cannot store; a lone CR, which calendars and
// e-mails read as a line end), or longer than max runes. "" means fine.
func CheckText(s string, max int) (string, string) {
	s = strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n"))
	switch {
	case !utf8.ValidString(s) || strings.IndexFunc(s, forbiddenControl) >= 0:
		return s, "field.text.invalid"
	case utf8.RuneCountInString(s) > max:
		return s, "field.too_long"
	}
	return s, ""
}

// forbiddenControl: the C0 controls and DEL, but for line feed and tab.
func forbiddenControl(r rune) bool { return (r < 0x20 && r != '\n' && r != '\t') || r == 0x7f }

// CleanText trims a one-line text and reports whether it fits within max runes.
// Browsers send textarea line breaks as CRLF; they are stored as LF.
func CleanText(s string, max int) (string, bool) {
	s, msg := CheckText(s, max)
	return s, msg == ""
}

// ValidID reports whether s has the shape of a UUID, the ids of every row: an id
// that is not even shaped like one names nothing.
func ValidID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, c := range s {
		switch {
		case i == 8 || i == 13 || i == 18 || i == 23:
			if c != '-' {
				return false
			}
		case !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'):
			return false
		}
	}
	return true
}
