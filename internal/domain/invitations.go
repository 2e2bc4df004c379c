package domain

import (
	"slices"
	"time"
)

// Invited reports whether a part is invited to a meeting of this kind
// ("session", "framing", "intermediate", "final"): the sponsor attends the
// three-way meetings, never a session.
func Invited(kind string, p Part) bool {
	if kind == "session" {
		return p != PartSponsor && p != ""
	}
	return p != ""
}

// InviteState is a meeting as its invitation shows it: when, how long, to
// whom. A cancelled (or unscheduled) meeting has no invitation.
type InviteState struct {
	Start     time.Time `json:"start"`
	Minutes   int       `json:"minutes"`
	Attendees []string  `json:"attendees"` // user ids
	Cancelled bool      `json:"cancelled"`
}

// same reports whether two states would show the same invitation.
func (s InviteState) same(o InviteState) bool {
	a, b := slices.Sorted(slices.Values(s.Attendees)), slices.Sorted(slices.Values(o.Attendees))
	return s.Cancelled == o.Cancelled && s.Start.Equal(o.Start) && s.Minutes == o.Minutes && slices.Equal(a, b)
}

// InviteChange is what a change of a meeting sends.
type InviteChange struct {
	Sequence int      // the SEQUENCE of what is sent now
	Request  []string // attendees who receive the (new) request
	Cancel   []string // attendees who receive a cancellation
}

// Reinvite decides the invitations a meeting's change sends (RFC 5546): the
// first request goes out with sequence 0; any later change (date, length,
// attendees, cancellation) raises the sequence by one, sends the request
// again to every attendee and a cancellation to those no longer invited. prev
// is the state last sent (nil: never sent); ok is false when nothing changed.
func Reinvite(prev *InviteState, seq int, cur InviteState) (c InviteChange, ok bool) {
	if prev == nil || prev.Cancelled {
		if cur.Cancelled {
			return c, false // never sent, nothing to take back
		}
		if prev != nil {
			seq++
		}
		return InviteChange{Sequence: seq, Request: cur.Attendees}, true
	}
	if prev.same(cur) {
		return c, false
	}
	c.Sequence = seq + 1
	if cur.Cancelled {
		c.Cancel = prev.Attendees
		return c, true
	}
	c.Request = cur.Attendees
	for _, a := range prev.Attendees {
		if !slices.Contains(cur.Attendees, a) {
			c.Cancel = append(c.Cancel, a)
		}
	}
	return c, true
}

// Sent is the state to remember once a change is sent: a cancellation keeps
// no attendee, so that a meeting scheduled again is requested afresh.
func (s InviteState) Sent() InviteState {
	if s.Cancelled {
		return InviteState{Cancelled: true}
	}
	return s
}
