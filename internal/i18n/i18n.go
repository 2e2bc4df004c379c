// Package i18n gives every page its language: messages from the catalogs in
// web/locales (French first, English second) and dates in the workspace's time
// zone. Both travel in the request's context so templ components can reach them.
package i18n

import (
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"regexp"
	"strings"
	"time"

	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"

	"triade/web"
)

// Languages offered, the default first.
var Languages = []string{"fr", "en"}

var (
	bundle     = goi18n.NewBundle(language.French)
	matcher    = language.NewMatcher([]language.Tag{language.French, language.English})
	localizers = map[string]*goi18n.Localizer{}
	// namesCoachee holds the IDs of the messages that name the coachee
	// through one of coacheeWords' fields.
	namesCoachee = map[string]bool{}
)

func init() {
	bundle.RegisterUnmarshalFunc("json", json.Unmarshal)
	files, err := fs.Glob(web.Locales, "locales/*.json")
	if err != nil {
		panic(err)
	}
	for _, f := range files {
		mf, err := bundle.LoadMessageFileFS(web.Locales, f)
		if err != nil {
			panic(fmt.Sprintf("i18n: %s: %v", f, err))
		}
		for _, m := range mf.Messages {
			if coacheeField.MatchString(m.Other + m.One) {
				namesCoachee[m.ID] = true
			}
		}
	}
	for _, l := range Languages {
		localizers[l] = goi18n.NewLocalizer(bundle, l)
	}
}

// Negotiate picks the language: the account's choice, else the visitor's cookie,
// else the browser's Accept-Language, else French.
func Negotiate(account, cookie, acceptLanguage string) string {
	for _, l := range []string{account, cookie} {
		if Supported(l) {
			return l
		}
	}
	tags, _, _ := language.ParseAcceptLanguage(acceptLanguage)
	_, i, conf := matcher.Match(tags...)
	if conf == language.No {
		return Languages[0]
	}
	return Languages[i]
}

// Supported reports whether l is an offered language.
func Supported(l string) bool {
	for _, x := range Languages {
		if l == x {
			return true
		}
	}
	return false
}

type ctxKey int

const (
	langKey ctxKey = iota
	zoneKey
	formKey
)

// WithLang returns a context whose messages are in lang.
func WithLang(ctx context.Context, lang string) context.Context {
	return context.WithValue(ctx, langKey, lang)
}

// Lang returns the context's language.
func Lang(ctx context.Context) string {
	if l, ok := ctx.Value(langKey).(string); ok {
		return l
	}
	return Languages[0]
}

// WithZone returns a context whose dates show in the named time zone.
func WithZone(ctx context.Context, name string) context.Context {
	loc, err := time.LoadLocation(name)
	if err != nil {
		loc = paris
	}
	return context.WithValue(ctx, zoneKey, loc)
}

var paris = mustZone("Europe/Paris")

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		return time.UTC
	}
	return loc
}

// Zone returns the context's time zone (Europe/Paris by default).
func Zone(ctx context.Context) *time.Location {
	if z, ok := ctx.Value(zoneKey).(*time.Location); ok {
		return z
	}
	return paris
}

// Forms of address: how a person chooses to be named (in French, where the
// words for the parts agree with it). Epicene is the default: "la personne
// coachée".
const (
	Feminine  = "f"
	Masculine = "m"
	Epicene   = "x"
)

// AddressForms are the forms offered, in the order the account page lists them.
var AddressForms = []string{Feminine, Masculine, Epicene}

// ValidForm reports whether f is an offered form of address.
func ValidForm(f string) bool {
	for _, x := range AddressForms {
		if f == x {
			return true
		}
	}
	return false
}

// coacheeWords are the template fields through which a message names the
// coachee, each given by the catalog in every form of address: the field
// OfCoachee comes from "coachee.of.f", "coachee.of.m" or "coachee.of.x". A
// message never writes the word itself (a catalog test checks it), so the
// coachee is named as she or he chose.
var coacheeWords = map[string]string{
	"Coachee":     "coachee.the",     // le coaché, la coachée, la personne coachée
	"CoacheeCap":  "coachee.the_cap", // Le coaché… at the start of a sentence
	"OfCoachee":   "coachee.of",      // du coaché, de la coachée…
	"CoacheeNoun": "coachee.noun",    // Coaché, Coachée, Personne coachée
}

var coacheeField = regexp.MustCompile(`\{\{\s*\.(Coachee|CoacheeCap|OfCoachee|CoacheeNoun)\b`)

// WithCoachee returns a context whose messages name the coachee in the form
// of address f: on an engagement's pages, the form its coachee chose.
func WithCoachee(ctx context.Context, f string) context.Context {
	return context.WithValue(ctx, formKey, f)
}

// CoacheeForm is the context's form of address for the coachee (epicene when
// no one in particular is meant).
func CoacheeForm(ctx context.Context) string {
	if f, ok := ctx.Value(formKey).(string); ok && ValidForm(f) {
		return f
	}
	return Epicene
}

// T translates a message ID. Pairs of arguments fill the message's template
// fields: T(ctx, "join.title", "Workspace", name). A field named Count also
// chooses the message's plural form (CLDR one/other), so counts never read
// "(s)". A missing ID shows as itself, and a test keeps the catalogs complete.
func T(ctx context.Context, id string, pairs ...any) string {
	if namesCoachee[id] {
		pairs = append(pairs[:len(pairs):len(pairs)], "CoacheeForm", CoacheeForm(ctx))
	}
	return Translate(Lang(ctx), id, pairs...)
}

// Translate is T for code that has a language but no request (e-mails). A
// message that names the coachee takes the form of address from the pair
// "CoacheeForm" (epicene without it).
func Translate(lang, id string, pairs ...any) string {
	loc, ok := localizers[lang]
	if !ok {
		loc = localizers[Languages[0]]
	}
	var data map[string]any
	if len(pairs) > 0 {
		data = make(map[string]any, len(pairs)/2)
		for i := 0; i+1 < len(pairs); i += 2 {
			data[fmt.Sprint(pairs[i])] = pairs[i+1]
		}
	}
	if namesCoachee[id] {
		data = coacheeData(loc, data)
	}
	cfg := &goi18n.LocalizeConfig{MessageID: id, TemplateData: data}
	if n, ok := data["Count"]; ok {
		cfg.PluralCount = n
	}
	s, err := loc.Localize(cfg)
	if err != nil && cfg.PluralCount != nil {
		// A count given to a message without plural forms (the same call may
		// serve both kinds of messages): the message as it is.
		cfg.PluralCount = nil
		s, err = loc.Localize(cfg)
	}
	if err != nil {
		return id
	}
	return s
}

// coacheeData adds to a message's data the words that name the coachee in
// the form of address it carries.
func coacheeData(loc *goi18n.Localizer, data map[string]any) map[string]any {
	if data == nil {
		data = map[string]any{}
	}
	f, _ := data["CoacheeForm"].(string)
	if !ValidForm(f) {
		f = Epicene
	}
	for field, id := range coacheeWords {
		if _, set := data[field]; !set {
			data[field], _ = loc.Localize(&goi18n.LocalizeConfig{MessageID: id + "." + f})
		}
	}
	return data
}

// Has reports whether the catalog of lang defines id (for tests).
func Has(lang, id string) bool {
	_, err := localizers[lang].Localize(&goi18n.LocalizeConfig{MessageID: id})
	return err == nil
}

var frMonths = []string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"}

// Date shows a day in the context's language and zone: "26 novembre 2026".
func Date(ctx context.Context, t time.Time) string {
	if t.IsZero() {
		return ""
	}
	t = t.In(Zone(ctx))
	if Lang(ctx) == "fr" {
		d := fmt.Sprint(t.Day())
		if t.Day() == 1 {
			d = "1er"
		}
		return fmt.Sprintf("%s %s %d", d, frMonths[t.Month()-1], t.Year())
	}
	return t.Format("2 January 2006")
}

// DateTime shows a moment in the context's language and zone.
func DateTime(ctx context.Context, t time.Time) string {
	if t.IsZero() {
		return ""
	}
	local := t.In(Zone(ctx))
	if Lang(ctx) == "fr" {
		return Date(ctx, t) + " à " + strings.Replace(local.Format("15:04"), ":", " h ", 1)
	}
	return Date(ctx, t) + ", " + local.Format("3:04 PM")
}
