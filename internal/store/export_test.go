package store

// ScanPartFacts lets the tests read duty facts from a query of their own.
var ScanPartFacts = scanPartFacts

// EngagementHeaderQuery is the statement every engagement page starts with.
const EngagementHeaderQuery = headerQuery
