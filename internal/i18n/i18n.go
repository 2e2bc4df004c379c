// Package i18n gives every page its language: messages from the catalogs in
// web/locales (French first, English second) and dates in the workspace's time
// zone. Both travel in the request's context so templ components can reach them.
package i18n

import (
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
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
	// variants holds the IDs of the messages spoken to a reader (WithViewer):
	// reader's part -> message ID -> the ID of its variant for that reader.
	variants = map[string]map[string]string{}
	// messages holds what T asks of a message ID in one lookup (read-only
	// after start-up).
	messages = map[string]*message{}
)

// message is a catalog message as T meets it: the parties it names (whose
// forms of address come from the context) and, when it names none, its text
// without values in each language, kept once translated: labels, headings
// and options, most of a page's messages, then cost one map lookup
// (BenchmarkT/plain) instead of a memo key and the memo's map.
type message struct {
	named [3]bool                   // names parties[i]
	plain [2]atomic.Pointer[string] // by index in Languages
}

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
			msg := messages[m.ID]
			if msg == nil {
				msg = &message{}
				messages[m.ID] = msg
			}
			for i, p := range parties {
				if p.fields.MatchString(m.Other + m.One) {
					p.named[m.ID] = true
					msg.named[i] = true
				}
			}
			if i := strings.LastIndex(m.ID, ".to_"); i >= 0 {
				base, part := m.ID[:i], m.ID[i+len(".to_"):]
				if variants[part] == nil {
					variants[part] = map[string]string{}
				}
				variants[part][base] = m.ID
			}
		}
	}
	for _, l := range Languages {
		localizers[l] = goi18n.NewLocalizer(bundle, l)
	}
	for _, p := range parties {
		p.learn()
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
	coachFormKey
	sponsorFormKey
	viewerKey
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
	loc, ok := Location(name)
	if !ok {
		loc = paris
	}
	return context.WithValue(ctx, zoneKey, loc)
}

// zones keeps each time zone once loaded: time.LoadLocation reads and parses
// the zone's file on every call (14 µs alone, about 50 µs per request in a
// profile of the server under load), and every signed-in page asks for its
// workspace's. Only names written as the zone database writes them are kept
// (the system's loader also opens "Europe//Paris" or "./Europe/Paris", each
// a new name), and at most maxZones of them, so no one can grow the map.
var (
	zones     sync.Map // name → *time.Location
	zonesKept atomic.Int32
)

const maxZones = 1000 // the database has about 600

// Location returns the named IANA time zone, loaded once per process.
func Location(name string) (*time.Location, bool) {
	if loc, ok := zones.Load(name); ok {
		return loc.(*time.Location), true
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, false
	}
	if CanonicalZone(name) && zonesKept.Add(1) <= maxZones {
		zones.Store(name, loc)
	}
	return loc, true
}

// CanonicalZone reports whether name is written as the zone database names
// its zones ("Europe/Paris", not "Europe//Paris", "./Europe/Paris" or
// "Europe/../Europe/Paris").
func CanonicalZone(name string) bool {
	return name != "" && path.Clean(name) == name && !strings.HasPrefix(name, ".") && !strings.HasPrefix(name, "/")
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

// party names one of the parts a message may name, each given by the
// catalog in every form of address: the field OfCoachee comes from
// "coachee.of.f", "coachee.of.m" or "coachee.of.x". A French message never
// writes the word itself (a catalog test checks it), so each person is named
// as she or he chose.
type party struct {
	key    ctxKey            // where the context holds the form of address
	form   string            // the data field carrying the person's form of address
	words  map[string]string // template field -> catalog prefix
	fields *regexp.Regexp    // matches a message that uses one of the fields
	named  map[string]bool   // IDs of the messages that name this party
	// vocab holds the words once translated: language -> form -> field ->
	// word (filled at start-up, read-only after).
	vocab map[string]map[string]map[string]string
}

func newParty(key ctxKey, form string, words map[string]string) *party {
	names := make([]string, 0, len(words))
	for f := range words {
		names = append(names, f)
	}
	sort.Strings(names)
	return &party{key: key, form: form, words: words, named: map[string]bool{},
		fields: regexp.MustCompile(`\{\{\s*\.(` + strings.Join(names, "|") + `)\b`)}
}

var (
	coachee = newParty(formKey, "CoacheeForm", map[string]string{
		"Coachee":     "coachee.the",     // le coaché, la coachée, la personne coachée
		"CoacheeCap":  "coachee.the_cap", // Le coaché… at the start of a sentence
		"OfCoachee":   "coachee.of",      // du coaché, de la coachée…
		"CoacheeNoun": "coachee.noun",    // Coaché, Coachée, Personne coachée
	})
	coach = newParty(coachFormKey, "CoachForm", map[string]string{
		"Coach":     "coach.the",     // le coach, la coach, le ou la coach
		"CoachCap":  "coach.the_cap", // Le coach… at the start of a sentence
		"OfCoach":   "coach.of",      // du coach, de la coach…
		"CoachNoun": "coach.noun",    // Coach
	})
	sponsor = newParty(sponsorFormKey, "SponsorForm", map[string]string{
		"Sponsor":     "sponsor.the",     // le représentant, la représentante de l'entreprise…
		"SponsorCap":  "sponsor.the_cap", // at the start of a sentence
		"OfSponsor":   "sponsor.of",      // du représentant, de la représentante…
		"SponsorNoun": "sponsor.noun",    // Représentant, Représentante de l'entreprise…
	})
	parties = []*party{coachee, coach, sponsor}
)

// WithCoachee returns a context whose messages name the coachee in the form
// of address f: on an engagement's pages, the form its coachee chose.
func WithCoachee(ctx context.Context, f string) context.Context {
	return context.WithValue(ctx, formKey, f)
}

// WithCoach and WithSponsor do the same for the engagement's (lead) coach and
// its (first) sponsor.
func WithCoach(ctx context.Context, f string) context.Context {
	return context.WithValue(ctx, coachFormKey, f)
}

// WithSponsor: see WithCoach.
func WithSponsor(ctx context.Context, f string) context.Context {
	return context.WithValue(ctx, sponsorFormKey, f)
}

// CoacheeForm is the context's form of address for the coachee (epicene when
// no one in particular is meant).
func CoacheeForm(ctx context.Context) string { return formIn(ctx, formKey) }

func formIn(ctx context.Context, key ctxKey) string {
	if f, ok := ctx.Value(key).(string); ok && ValidForm(f) {
		return f
	}
	return Epicene
}

// WithViewer returns a context whose messages speak to the reader: a message
// that names the reader's part in the third person ("la demande de la
// coachée") has a variant with the suffix ".to_" + part ("votre demande"),
// which T then uses. Who the reader is comes from the engagement's rules (the
// viewer's part), never from a template. An empty part means nobody in
// particular: documents meant for filing name every party by its role.
func WithViewer(ctx context.Context, part string) context.Context {
	return context.WithValue(ctx, viewerKey, part)
}

// Viewer is the context's reader's part ("" when none).
func Viewer(ctx context.Context) string {
	p, _ := ctx.Value(viewerKey).(string)
	return p
}

// spokenTo is the ID of the message as read by a viewer: its ".to_<part>"
// variant when the catalog has one.
func spokenTo(id, viewer string) string {
	if v, ok := variants[viewer][id]; ok {
		return v
	}
	return id
}

// T translates a message ID. Pairs of arguments fill the message's template
// fields: T(ctx, "join.title", "Workspace", name). A field named Count also
// chooses the message's plural form (CLDR one/other), so counts never read
// "(s)". A missing ID shows as itself, and a test keeps the catalogs complete.
func T(ctx context.Context, id string, pairs ...any) string {
	id = spokenTo(id, Viewer(ctx))
	m := messages[id]
	if m == nil { // not in the catalogs: translated (as itself) the long way
		return Translate(Lang(ctx), id, pairs...)
	}
	lang := Lang(ctx)
	if len(pairs) == 0 && m.named == [3]bool{} {
		if i := slices.Index(Languages, lang); i >= 0 && i < len(m.plain) {
			if s := m.plain[i].Load(); s != nil {
				return *s
			}
			s := Translate(lang, id)
			m.plain[i].Store(&s)
			return s
		}
	}
	for i, p := range parties {
		if m.named[i] { // a form given among the pairs wins over the context's
			pairs = append(pairs[:len(pairs):len(pairs)], p.form, formIn(ctx, p.key))
		}
	}
	return Translate(lang, id, pairs...)
}

// Translate is T for code that has a language but no request (e-mails). A
// message that names a party takes its form of address from the pair
// "CoacheeForm", "CoachForm" or "SponsorForm" (epicene without it).
func Translate(lang, id string, pairs ...any) string {
	loc, ok := localizers[lang]
	if !ok {
		lang, loc = Languages[0], localizers[Languages[0]]
	}
	key, holes, fixed := memoKey(lang, id, pairs)
	if !fixed {
		return translate(lang, loc, id, pairs)
	}
	if s, ok := memo.Load(key); ok {
		return fill(s.(string), pairs)
	}
	s := translate(lang, loc, id, withHoles(pairs, holes))
	memo.Store(key, s)
	return fill(s, pairs)
}

// memo keeps translations by language, ID, forms of address and small
// counts: most of a page's messages, translated once instead of on every
// render (go-i18n executes a template per call). A value given for a field (a
// name, a title, a number) is kept out of it: the message is translated once
// with a hole in its place, and each call fills the holes with its own
// values. Every field of the catalogs is a plain {{.Field}} (no condition,
// no function: a catalog test holds it), so a hole stands exactly where the
// value would. The memo is bounded by the catalogs: languages × messages ×
// forms × counts below memoCounts × the fields' names, and holds no one's
// text.
var memo sync.Map

const memoCounts = 1000

type memoEntry struct{ lang, id, pairs string }

// Holes are "\x00" + the value's index among the pairs + "\x01".
const holeStart, holeEnd = '\x00', '\x01'

// memoKey is the memo's key for a message, the indexes (among the pairs) of
// the values that become holes, and whether the message may be kept: only
// when every field is named by a plain string and every value is a party's
// form of address, a small int count (the count chooses the plural form: it
// is part of the key, never a hole), a string or an int.
func memoKey(lang, id string, pairs []any) (memoEntry, []int, bool) {
	k := memoEntry{lang: lang, id: id}
	if len(pairs) == 0 {
		return k, nil, true
	}
	var (
		b     strings.Builder
		holes []int
	)
	for i := 0; i+1 < len(pairs); i += 2 {
		name, ok := pairs[i].(string)
		if !ok || name == "" { // a field named otherwise: translated as it comes
			return k, nil, false
		}
		b.WriteString(name)
		switch v := pairs[i+1].(type) {
		case string:
			switch {
			case name == "Count": // a count given as text still chooses the plural form
				return k, nil, false
			case isFormField(name) && !ValidForm(v):
				return k, nil, false
			case isFormField(name):
				b.WriteString("=" + v)
			default:
				holes = append(holes, i+1)
			}
		case int:
			switch {
			case name == "Count" && (v < 0 || v >= memoCounts):
				return k, nil, false
			case name == "Count": // it chooses the plural form
				b.WriteString("=" + strconv.Itoa(v))
			default:
				holes = append(holes, i+1)
			}
		default:
			return k, nil, false
		}
		b.WriteByte(0)
	}
	k.pairs = b.String()
	return k, holes, true
}

// withHoles is pairs with a hole in place of each value at the given indexes.
func withHoles(pairs []any, holes []int) []any {
	if len(holes) == 0 {
		return pairs
	}
	out := slices.Clone(pairs)
	for _, i := range holes {
		out[i] = string(holeStart) + strconv.Itoa(i) + string(holeEnd)
	}
	return out
}

// fill writes each hole's value in place, in one pass: a value is never read
// for holes itself.
func fill(s string, pairs []any) string {
	if strings.IndexByte(s, holeStart) < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 32)
	for {
		i := strings.IndexByte(s, holeStart)
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		j := strings.IndexByte(s[i:], holeEnd)
		n, err := strconv.Atoi(s[i+1 : i+max(j, 1)])
		if j < 0 || err != nil || n >= len(pairs) {
			b.WriteString(s) // not a hole of ours: left as it is
			return b.String()
		}
		b.WriteString(s[:i])
		switch v := pairs[n].(type) {
		case string:
			b.WriteString(v)
		case int:
			b.WriteString(strconv.Itoa(v))
		}
		s = s[i+j+1:]
	}
}

func isFormField(k string) bool {
	for _, p := range parties {
		if p.form == k {
			return true
		}
	}
	return false
}

func translate(lang string, loc *goi18n.Localizer, id string, pairs []any) string {
	var data map[string]any
	if len(pairs) > 0 {
		data = make(map[string]any, len(pairs)/2)
		for i := 0; i+1 < len(pairs); i += 2 {
			if _, set := data[fmt.Sprint(pairs[i])]; !set { // the first of two same keys wins
				data[fmt.Sprint(pairs[i])] = pairs[i+1]
			}
		}
	}
	for _, p := range parties {
		if p.named[id] {
			data = p.data(lang, data)
		}
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

// data adds to a message's data the words that name the party in the form
// of address it carries.
func (p *party) data(lang string, data map[string]any) map[string]any {
	if data == nil {
		data = map[string]any{}
	}
	f, _ := data[p.form].(string)
	if !ValidForm(f) {
		f = Epicene
	}
	for field, word := range p.vocab[lang][f] {
		if _, set := data[field]; !set {
			data[field] = word
		}
	}
	return data
}

// learn translates the party's words in every language and form, once.
func (p *party) learn() {
	p.vocab = map[string]map[string]map[string]string{}
	for lang, loc := range localizers {
		p.vocab[lang] = map[string]map[string]string{}
		for _, f := range AddressForms {
			words := map[string]string{}
			for field, id := range p.words {
				words[field], _ = loc.Localize(&goi18n.LocalizeConfig{MessageID: id + "." + f})
			}
			p.vocab[lang][f] = words
		}
	}
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
