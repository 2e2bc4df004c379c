package views

import (
	"regexp"
	"strconv"
	"strings"
)

// EvaluationView is the evaluation page.
type EvaluationView struct {
	Eng
	CanEdit     bool
	Assessments []Option
	Rows        []EvalRow
	Form        Form // every indicator's fields, named "<field>.<indicator id>"
}

// EvalRow is one indicator with the viewer's assessment and, once both are in,
// the other party's.
type EvalRow struct {
	ID, Objective, Kind, Description, Baseline, Target string
	Mine, Other                                        EvalView
	Both, Withheld                                     bool
}

// EvalView is one assessment.
type EvalView struct {
	Reached, Assessment, Evidence string
	Set                           bool
}

// ClosingView is the final meeting page.
type ClosingView struct {
	Eng
	Meeting                                                 MeetingView
	Synthesis                                               string
	CanWriteSynthesis, CanRecommend, CanDelete, CanFeedback bool
	HasMeeting                                              bool
	SynthesisForm, Recommend, Feedback                      Form
	Recommendations                                         []RecommendationRow
	FeedbackRows                                            []Item
	Carriers                                                []Option
}

// RecommendationRow is one recommendation.
type RecommendationRow struct {
	ID, Body, Carrier, Author, Due string
}

// ReportList lists the final report's versions.
type ReportList struct {
	Eng
	CanPublish bool
	Versions   []VersionRow
	// Before the closing: what the contract still holds (sentences, for the
	// coach), and why the coach closes all the same (read by the coachee).
	Warnings []string
	Note     string
	NoteForm Form
}

// ReportDoc is one version of the final report.
type ReportDoc struct {
	Eng
	Frame                                            DocFrame
	Version                                          VersionRow
	CanComment                                       bool
	Title, ClientOrg, Coach, Coachee                 string
	Sponsors                                         []string
	CompanyRequest, CoacheeRequest, CoacheeSynthesis string
	Held, Planned, Used, Total                       int
	Start, End, Final                                string
	Objectives                                       []ReportObjective
	Recommendations                                  []RecommendationRow
	Feedback                                         []Item
	Comments                                         []CommentRow
	Comment                                          Form
	// Warnings: what the contract still holds, for the coach about to
	// validate (the validation that may close the engagement).
	Warnings []string
}

// ReportObjective is an objective of the report.
type ReportObjective struct {
	Title      string
	Indicators []EvalRow
}

var numberPattern = regexp.MustCompile(`-?\d+(?:[.,]\d+)?`)

// firstNumber reads the first number of a free-text value ("6 par mois" → 6), so
// that indicators written in words can still be drawn when they hold a figure.
func firstNumber(s string) (float64, bool) {
	m := numberPattern.FindString(s)
	if m == "" {
		return 0, false
	}
	f, err := strconv.ParseFloat(strings.Replace(m, ",", ".", 1), 64)
	return f, err == nil
}

// IndicatorBar is one indicator drawn on its own scale: baseline, target, reached.
type IndicatorBar struct {
	Label                     string
	Y                         int
	Baseline, Target, Reached int // x positions; -1 = not drawn
}

// indicatorBars places each drawable indicator on a scale of its own.
func indicatorBars(rows []EvalRow) []IndicatorBar {
	const left, width = 20, 560
	var out []IndicatorBar
	for _, r := range rows {
		b, okB := firstNumber(r.Baseline)
		t, okT := firstNumber(r.Target)
		if !okB || !okT {
			continue
		}
		reached, okR := firstNumber(r.Mine.Reached)
		// The scale runs from the smallest value (or zero) to the largest, so
		// negative figures ("-10 %") stay on the axis too.
		lo, hi := min(b, t, 0), max(b, t)
		if okR {
			lo, hi = min(lo, reached), max(hi, reached)
		}
		if hi <= lo {
			hi = lo + 1
		}
		x := func(v float64) int { return left + int((v-lo)/(hi-lo)*width) }
		bar := IndicatorBar{Label: r.Description, Y: 30 + 50*len(out), Baseline: x(b), Target: x(t), Reached: -1}
		if okR {
			bar.Reached = x(reached)
		}
		out = append(out, bar)
	}
	return out
}

func chartHeight(bars []IndicatorBar) string { return strconv.Itoa(20 + 50*len(bars)) }
