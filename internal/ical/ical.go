// Package ical writes iCalendar (RFC 5545) feeds: a calendar of events, with
// escaped texts, folded lines and CRLF line ends.
package ical

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Event is one meeting.
type Event struct {
	UID              string
	Start, End       time.Time
	Summary, Details string
	URL              string
}

// Calendar is a feed.
type Calendar struct {
	Name     string
	TimeZone string // shown to clients as X-WR-TIMEZONE; times are written in UTC
	Events   []Event
	Stamp    time.Time
}

// String renders the calendar.
func (c Calendar) String() string {
	var b strings.Builder
	line := func(s string) { b.WriteString(fold(s)); b.WriteString("\r\n") }
	line("BEGIN:VCALENDAR")
	line("VERSION:2.0")
	line("PRODID:-//Triade//Triade//FR")
	line("CALSCALE:GREGORIAN")
	line("METHOD:PUBLISH")
	line("X-WR-CALNAME:" + escape(c.Name))
	if c.TimeZone != "" {
		line("X-WR-TIMEZONE:" + c.TimeZone)
	}
	for _, e := range c.Events {
		line("BEGIN:VEVENT")
		line("UID:" + e.UID)
		line("DTSTAMP:" + utc(c.Stamp))
		line("DTSTART:" + utc(e.Start))
		line("DTEND:" + utc(e.End))
		line("SUMMARY:" + escape(e.Summary))
		if e.Details != "" {
			line("DESCRIPTION:" + escape(e.Details))
		}
		if e.URL != "" {
			line("URL:" + e.URL)
		}
		line("END:VEVENT")
	}
	line("END:VCALENDAR")
	return b.String()
}

func utc(t time.Time) string { return t.UTC().Format("20060102T150405Z") }

// escape follows RFC 5545 §3.3.11 for TEXT values: every line end (CRLF, a
// lone LF or a lone CR) becomes "\n", and other control characters, which a
// content line may not hold, are dropped.
func escape(s string) string {
	r := strings.NewReplacer(`\`, `\\`, ";", `\;`, ",", `\,`, "\r\n", `\n`, "\n", `\n`, "\r", `\n`)
	return strings.Map(func(c rune) rune {
		if c < 0x20 && c != '\t' || c == 0x7f {
			return -1
		}
		return c
	}, r.Replace(s))
}

// fold splits a content line longer than 75 octets, never inside a UTF-8
// character (RFC 5545 §3.1).
func fold(s string) string {
	if len(s) <= 75 {
		return s
	}
	var b strings.Builder
	limit := 75
	for len(s) > limit {
		cut := limit
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		b.WriteString(s[:cut])
		b.WriteString("\r\n ")
		s = s[cut:]
		limit = 74 // the leading space counts
	}
	b.WriteString(s)
	return b.String()
}

// UID builds a stable identifier for a meeting.
func UID(kind, id string) string { return fmt.Sprintf("%s-%s@triade", kind, id) }
