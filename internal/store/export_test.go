package store

import (
	"time"

	"github.com/jackc/pgx/v5"
)

// ScanPartFacts lets the tests read duty facts from a query of their own
// (with the columns of dashboardRowQuery).
func ScanPartFacts(r pgx.CollectableRow, now time.Time) (PartFacts, error) {
	d, err := scanDashboardRow(r, now)
	return d.facts, err
}

// EngagementHeaderQuery is the statement every engagement page starts with.
const EngagementHeaderQuery = headerQuery

// PlannedFacts lets the tests judge planned sessions against a moment.
var PlannedFacts = plannedFacts

// WaitingFrom is what a dashboard lists as waiting, from duty facts.
func WaitingFrom(facts []PartFacts, now time.Time) []Waiting {
	var d Dashboard
	d.waitingFrom(facts, now)
	return d.Waiting
}
