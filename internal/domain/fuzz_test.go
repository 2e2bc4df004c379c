package domain

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// Interesting texts shared by the seed corpora: empty, blank, line breaks,
// invalid UTF-8, NUL bytes, RTL and emoji, markup, SQL, very long.
var fuzzTexts = []string{
	"",
	" ",
	"\t\r\n ",
	"a",
	"  Réunion d'équipe  ",
	"ligne 1\r\nligne 2\r\n",
	"\r\r\n",
	"\xff\xfe",
	"ok\xffok",
	"\xed\xa0\x80", // a UTF-16 surrogate, invalid in UTF-8
	"a\x00b",
	"\x00",
	"שלום עולם \u202e‮gnp.exe",
	"👩🏽‍💻 emoji 🎉",
	"\u00a0\u2028\u0085 espaces unicode \u3000",
	"<script>alert(1)</script>",
	`"><img src=x onerror=alert(1)>`,
	"'; DROP TABLE users; --",
	"%00%27%22",
	strings.Repeat("é", 201),
	strings.Repeat("x", 100000),
}

// FuzzCleanText: CleanText never panics; what it accepts is valid UTF-8,
// trimmed, without the CRLF pairs browsers send, within max runes, and holds no
// NUL byte (PostgreSQL cannot store one in a text column: a NUL accepted here
// becomes a 500 when the row is written).
func FuzzCleanText(f *testing.F) {
	for _, s := range fuzzTexts {
		for _, max := range []int{0, 1, 200, 5000} {
			f.Add(s, max)
		}
	}
	f.Fuzz(func(t *testing.T, s string, max int) {
		if max < 0 {
			max = -max
		}
		max %= 100001
		out, ok := CleanText(s, max)
		if !ok {
			// Refused: the input was invalid UTF-8, too long once trimmed, or
			// held a character that cannot be stored.
			if utf8.ValidString(s) && utf8.RuneCountInString(out) <= max && strings.IndexFunc(out, forbiddenControl) < 0 {
				t.Fatalf("CleanText(%q, %d) refused a valid text %q", s, max, out)
			}
			return
		}
		if !utf8.ValidString(out) {
			t.Fatalf("CleanText(%q, %d) accepted invalid UTF-8 %q", s, max, out)
		}
		if out != strings.TrimSpace(out) {
			t.Fatalf("CleanText(%q, %d) = %q: not trimmed", s, max, out)
		}
		if n := utf8.RuneCountInString(out); n > max {
			t.Fatalf("CleanText(%q, %d) = %q: %d runes > %d", s, max, out, n, max)
		}
		if strings.IndexFunc(out, forbiddenControl) >= 0 {
			t.Fatalf("CleanText(%q, %d) = %q: accepted a control character (NUL, lone CR...)", s, max, out)
		}
		if !strings.Contains(s, "\r\n") && out != strings.TrimSpace(s) {
			t.Fatalf("CleanText(%q, %d) = %q: changed more than the surrounding space", s, max, out)
		}
		// Cleaning again keeps it accepted.
		if _, ok := CleanText(out, max); !ok {
			t.Fatalf("CleanText(%q, %d) = %q, which is then refused", s, max, out)
		}
	})
}

// FuzzValidEmail: ValidEmail never panics; an accepted address is valid UTF-8,
// trimmed, at most 254 bytes, one mailbox with a dotted domain, and carries no
// control character (it ends up in a mail header).
func FuzzValidEmail(f *testing.F) {
	for _, s := range []string{
		"", "a@b", "a@b.c", "coach@demo.test", " coach@demo.test ", "COACH@DEMO.TEST", "a@b.", "@b.fr", "a@.fr",
		"Coach <coach@demo.test>", `"a b"@demo.test`, `"a\"b"@demo.test`, "a@b.fr\r\nBcc: x@y.fr", "a\x00@b.fr", "a@b\x00.fr",
		"\xff@b.fr", "é@exemple.fr", "ü@müller.de", "a@[127.0.0.1]", "a@b.fr,c@d.fr", "a@b.fr;c@d.fr", "(comment)a@b.fr",
		"<script>@x.fr", "'; DROP TABLE users; --@x.fr", strings.Repeat("a", 250) + "@b.fr", strings.Repeat("a", 64) + "@" + strings.Repeat("b", 185) + ".fr",
		"İ@x.fr", "K@x.fr", // Kelvin sign: lower-cases to ASCII k
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !ValidEmail(s) {
			return
		}
		if !utf8.ValidString(s) {
			t.Fatalf("ValidEmail(%q): accepted invalid UTF-8", s)
		}
		if s != strings.TrimSpace(s) {
			t.Fatalf("ValidEmail(%q): accepted surrounding space", s)
		}
		if len(s) < 3 || len(s) > 254 {
			t.Fatalf("ValidEmail(%q): accepted %d bytes", s, len(s))
		}
		for _, r := range s {
			if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == '\u2028' || r == '\u2029' {
				t.Fatalf("ValidEmail(%q): accepted control character %U", s, r)
			}
		}
		at := strings.LastIndexByte(s, '@')
		if at <= 0 || !strings.Contains(s[at+1:], ".") || strings.HasSuffix(s, ".") {
			t.Fatalf("ValidEmail(%q): no dotted domain", s)
		}
		if strings.ContainsAny(s, "<>,;") && !strings.HasPrefix(s, `"`) {
			t.Fatalf("ValidEmail(%q): more than one plain mailbox", s)
		}
	})
}

// FuzzSlug: ValidSlug never panics and accepts only 1 to 40 of [a-z0-9-], with
// no hyphen at either end; SlugAvailable never panics.
func FuzzSlug(f *testing.F) {
	for _, s := range []string{"", "a", "-", "a-", "-a", "demo", "cabinet-demo", "Demo", "démo", "a--b", "new", "admin",
		strings.Repeat("a", 40), strings.Repeat("a", 41), "a\x00", "\xff", "a b", "a_b", "../etc", "demo\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		_ = SlugAvailable(s)
		if !ValidSlug(s) {
			return
		}
		if len(s) < 1 || len(s) > 40 {
			t.Fatalf("ValidSlug(%q): length %d", s, len(s))
		}
		if s[0] == '-' || s[len(s)-1] == '-' {
			t.Fatalf("ValidSlug(%q): hyphen at an end", s)
		}
		for i := 0; i < len(s); i++ {
			c := s[i]
			if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-') {
				t.Fatalf("ValidSlug(%q): byte %q", s, c)
			}
		}
	})
}

// FuzzCheckPassword: never panics; a password is accepted exactly when it has
// between PasswordMin and PasswordMax characters.
func FuzzCheckPassword(f *testing.F) {
	for _, s := range []string{"", "court", "triade-demo", strings.Repeat("é", 10), strings.Repeat("x", 128), strings.Repeat("x", 129), "\xff\xfe\xfd\xfc\xfb\xfa\xf9\xf8\xf7\xf6", "a\x00aaaaaaaaa"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		msg := CheckPassword(s)
		n := utf8.RuneCountInString(s)
		if (msg == "") != (n >= PasswordMin && n <= PasswordMax) {
			t.Fatalf("CheckPassword(%q) = %q for %d characters", s, msg, n)
		}
	})
}
