// Package ical writes iCalendar (RFC 5545) feeds and the invitations of RFC
// 5546 (iTIP) that calendar clients add, move and remove on their own. The
// writing itself (escaping, folding, CRLF) is golang-ical's.
package ical

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	ics "github.com/arran4/golang-ical"
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
	cal := newCalendar(ics.MethodPublish)
	cal.SetXWRCalName(clean(c.Name))
	if c.TimeZone != "" {
		cal.SetXWRTimezone(clean(c.TimeZone))
	}
	for _, e := range c.Events {
		addEvent(cal, e, c.Stamp)
	}
	return cal.Serialize(crlf)
}

// crlf: RFC 5545 ends content lines with CRLF on every platform.
const crlf = ics.WithNewLine("\r\n")

func newCalendar(m ics.Method) *ics.Calendar {
	cal := ics.NewCalendarFor("Triade//Triade//FR")
	cal.SetProductId("-//Triade//Triade//FR")
	cal.SetCalscale("GREGORIAN")
	cal.SetMethod(m)
	return cal
}

func addEvent(cal *ics.Calendar, e Event, stamp time.Time) *ics.VEvent {
	ev := cal.AddEvent(clean(e.UID))
	ev.SetDtStampTime(stamp)
	ev.SetStartAt(e.Start)
	ev.SetEndAt(e.End)
	ev.SetSummary(clean(e.Summary))
	if e.Details != "" {
		ev.SetDescription(clean(e.Details))
	}
	if e.URL != "" {
		ev.SetURL(clean(e.URL))
	}
	return ev
}

// Person is the organizer or an attendee of an invitation.
type Person struct {
	Name, Email string
	Chair       bool // leads the meeting (the coach)
}

// Invitation is one meeting sent by e-mail (RFC 5546): a request, or its
// cancellation. The UID stays the same for the meeting's whole life; each
// change raises the sequence, so clients replace the older copy.
type Invitation struct {
	Event
	Sequence  int
	Cancel    bool
	Organizer Person
	Attendees []Person
	Stamp     time.Time
}

// Method is the iTIP method of the invitation: REQUEST or CANCEL.
func (inv Invitation) Method() string {
	if inv.Cancel {
		return string(ics.MethodCancel)
	}
	return string(ics.MethodRequest)
}

// String renders the invitation: a calendar with METHOD and one event naming
// its organizer and attendees, each with a role, a status and RSVP.
func (inv Invitation) String() string {
	cal := newCalendar(ics.Method(inv.Method()))
	ev := addEvent(cal, inv.Event, inv.Stamp)
	ev.SetSequence(inv.Sequence)
	ev.SetOrganizer(clean(inv.Organizer.Email), ics.WithCN(param(inv.Organizer.Name)))
	for _, p := range inv.Attendees {
		role, status := ics.ParticipationRoleReqParticipant, ics.ParticipationStatusNeedsAction
		if p.Chair {
			role, status = ics.ParticipationRoleChair, ics.ParticipationStatusAccepted
		}
		ev.AddAttendee(clean(p.Email), ics.WithCN(param(p.Name)), role, status, rsvp(!p.Chair))
	}
	if inv.Cancel {
		ev.SetStatus(ics.ObjectStatusCancelled)
	} else {
		ev.SetStatus(ics.ObjectStatusConfirmed)
	}
	return cal.Serialize(crlf)
}

// clean keeps a value on its content line: every line end (CRLF, a lone LF
// or a lone CR) becomes a line feed, which the writer escapes as "\n", and
// the other control characters, which a content line may not hold, are
// dropped (RFC 5545 §3.1, §3.3.11).
func clean(s string) string {
	s = strings.NewReplacer("\r\n", "\n", "\r", "\n").Replace(s)
	return strings.Map(func(c rune) rune {
		if c < 0x20 && c != '\t' && c != '\n' || c == 0x7f {
			return -1
		}
		return c
	}, s)
}

// rsvp writes the BOOLEAN in the spelling of RFC 5545 (TRUE, FALSE), which
// some clients require; the library writes it in lower case.
func rsvp(b bool) ics.PropertyParameter {
	return &ics.KeyValues{Key: string(ics.ParameterRsvp), Value: []string{strings.ToUpper(strconv.FormatBool(b))}}
}

// param keeps a parameter value (a name) on its line: the writer escapes no
// line end there, so a line end becomes a space.
func param(s string) string { return strings.ReplaceAll(clean(s), "\n", " ") }

// UID builds a stable identifier for a meeting.
func UID(kind, id string) string { return fmt.Sprintf("%s-%s@triade", kind, id) }
