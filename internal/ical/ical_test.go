package ical

import (
	"bufio"
	"strings"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"
)

// parse unfolds and splits a feed back into its content lines, checking the
// structure RFC 5545 requires.
func parse(t *testing.T, feed string) []map[string]string {
	t.Helper()
	if !strings.HasSuffix(feed, "\r\n") {
		t.Fatal("feed does not end with CRLF")
	}
	for _, l := range strings.Split(strings.TrimSuffix(feed, "\r\n"), "\r\n") {
		if len(l) > 75 {
			t.Errorf("line longer than 75 octets: %q", l)
		}
		if strings.Contains(l, "\n") {
			t.Errorf("bare LF in %q", l)
		}
	}
	unfolded := strings.ReplaceAll(feed, "\r\n ", "")
	var events []map[string]string
	var cur map[string]string
	depth := 0
	sc := bufio.NewScanner(strings.NewReader(unfolded))
	for sc.Scan() {
		l := strings.TrimSuffix(sc.Text(), "\r")
		name, value, ok := strings.Cut(l, ":")
		if !ok {
			t.Fatalf("line without a colon: %q", l)
		}
		switch {
		case l == "BEGIN:VCALENDAR":
			depth++
		case l == "END:VCALENDAR":
			depth--
		case l == "BEGIN:VEVENT":
			cur = map[string]string{}
		case l == "END:VEVENT":
			for _, req := range []string{"UID", "DTSTAMP", "DTSTART"} {
				if cur[req] == "" {
					t.Errorf("event lacks %s", req)
				}
			}
			events = append(events, cur)
			cur = nil
		case cur != nil:
			cur[name] = value
		}
	}
	if depth != 0 || !strings.HasPrefix(feed, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n") {
		t.Fatal("not a well-formed VCALENDAR")
	}
	return events
}

func TestCalendar(t *testing.T) {
	start := time.Date(2026, 12, 3, 9, 0, 0, 0, time.FixedZone("CET", 3600))
	c := Calendar{Name: "Triade — Coach", TimeZone: "Europe/Paris", Stamp: start, Events: []Event{{
		UID: UID("session", "abc"), Start: start, End: start.Add(90 * time.Minute),
		Summary: "Séance 4 / 8 ; Leadership, site de Lyon", URL: "https://example.test/w/demo/e/1/sessions",
		Details: strings.Repeat("Détails accentués é à ç ", 10) + "\nligne 2",
	}}}
	events := parse(t, c.String())
	if len(events) != 1 {
		t.Fatalf("%d events", len(events))
	}
	e := events[0]
	if e["DTSTART"] != "20261203T080000Z" || e["DTEND"] != "20261203T093000Z" {
		t.Errorf("times %q %q", e["DTSTART"], e["DTEND"])
	}
	if e["SUMMARY"] != `Séance 4 / 8 \; Leadership\, site de Lyon` {
		t.Errorf("summary %q", e["SUMMARY"])
	}
	if !strings.HasSuffix(e["DESCRIPTION"], `\nligne 2`) || !strings.Contains(e["DESCRIPTION"], "accentués é à ç") {
		t.Errorf("description folded badly: %q", e["DESCRIPTION"])
	}
}

// TestControlCharactersNeverReachTheFeed: a lone CR (or any control character)
// in a name would end the content line early and let text forge properties.
func TestControlCharactersNeverReachTheFeed(t *testing.T) {
	start := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	c := Calendar{Name: "Coach\rX-INJECTED:1", Stamp: start, Events: []Event{{
		UID: UID("session", "abc"), Start: start, End: start.Add(time.Hour),
		Summary: "Séance\rATTENDEE:mailto:evil@example.test", Details: "a\x00b\x1bc\r\nd",
	}}}
	feed := c.String()
	for i, line := range strings.Split(strings.TrimSuffix(feed, "\r\n"), "\r\n") {
		for _, r := range line {
			if r < 0x20 && r != '\t' || r == 0x7f {
				t.Fatalf("line %d holds control character %U: %q", i, r, line)
			}
		}
		if strings.HasPrefix(line, "ATTENDEE") || strings.HasPrefix(line, "X-INJECTED") {
			t.Fatalf("a name forged a property: %q", line)
		}
	}
	e := parse(t, feed)[0]
	if e["SUMMARY"] != `Séance\nATTENDEE:mailto:evil@example.test` || e["DESCRIPTION"] != `abc\nd` {
		t.Errorf("summary %q, description %q", e["SUMMARY"], e["DESCRIPTION"])
	}
}

// TestInvitation: an invitation parses back (golang-ical) with its method,
// stable UID, sequence, organizer and attendees with role, status, RSVP and
// name; a cancellation carries METHOD:CANCEL. A name cannot forge a line.
func TestInvitation(t *testing.T) {
	start := time.Date(2026, 12, 3, 9, 0, 0, 0, time.FixedZone("CET", 3600))
	inv := Invitation{Event: Event{UID: UID("final", "m1"), Start: start, End: start.Add(90 * time.Minute), Summary: "Réunion de bouclage — Lyon"},
		Sequence: 2, Stamp: start, Organizer: Person{Name: "Claire Coach", Email: "coach@essai.test"},
		Attendees: []Person{{Name: "Claire Coach", Email: "coach@essai.test", Chair: true},
			{Name: "Paul\rATTENDEE:mailto:evil@example.test", Email: "coachee@essai.test"}, {Name: "Rita RH", Email: "rh@essai.test"}}}
	text := inv.String()
	parse(t, text) // structure, folding, CRLF
	cal, err := ics.ParseCalendar(strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	if m := calendarProperty(cal, ics.PropertyMethod); m != "REQUEST" || inv.Method() != "REQUEST" {
		t.Errorf("METHOD %q", m)
	}
	ev := cal.Events()[0]
	if ev.Id() != "final-m1@triade" || ev.GetProperty(ics.ComponentPropertySequence).Value != "2" {
		t.Errorf("UID %q, SEQUENCE %q", ev.Id(), ev.GetProperty(ics.ComponentPropertySequence).Value)
	}
	if v := ev.GetProperty(ics.ComponentPropertyDtStart).Value; v != "20261203T080000Z" {
		t.Errorf("DTSTART %q, want UTC", v)
	}
	if o := ev.GetProperty(ics.ComponentPropertyOrganizer); o.Value != "mailto:coach@essai.test" || o.ICalParameters["CN"][0] != "Claire Coach" {
		t.Errorf("ORGANIZER %+v", o)
	}
	got := map[string]string{}
	for _, a := range ev.Attendees() {
		p := a.ICalParameters
		got[a.Email()] = p["ROLE"][0] + " " + p["PARTSTAT"][0] + " " + p["RSVP"][0]
	}
	want := map[string]string{"coach@essai.test": "CHAIR ACCEPTED FALSE", "coachee@essai.test": "REQ-PARTICIPANT NEEDS-ACTION TRUE",
		"rh@essai.test": "REQ-PARTICIPANT NEEDS-ACTION TRUE"}
	if len(got) != len(want) {
		t.Errorf("attendees %v (a name forged one?)", got)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("attendee %s: %q, want %q", k, got[k], v)
		}
	}
	inv.Cancel, inv.Sequence = true, 3
	cal, err = ics.ParseCalendar(strings.NewReader(inv.String()))
	if err != nil {
		t.Fatal(err)
	}
	ev = cal.Events()[0]
	if calendarProperty(cal, ics.PropertyMethod) != "CANCEL" || ev.Id() != "final-m1@triade" || ev.GetProperty(ics.ComponentPropertyStatus).Value != "CANCELLED" ||
		ev.GetProperty(ics.ComponentPropertySequence).Value != "3" {
		t.Errorf("cancellation:\n%s", inv.String())
	}
}

func calendarProperty(cal *ics.Calendar, p ics.Property) string {
	for _, x := range cal.CalendarProperties {
		if x.IANAToken == string(p) {
			return x.Value
		}
	}
	return ""
}
