// Package config reads Triade's settings from the environment. Settings is the
// one table of them: `triade help config` prints it and docs/configuration.md
// copies it (a test keeps the two equal).
package config

import (
	"fmt"
	"io"
	"log/slog"
	"net/netip"
	"net/url"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

// Setting is one environment variable Triade reads.
type Setting struct {
	Name    string
	Default string
	Meaning string
	// File means NAME_FILE may name a file holding the value (secrets).
	File bool
}

// Settings lists every setting, in the order of the documentation.
var Settings = []Setting{
	{"TRIADE_ENV", "production", "`development` seeds the demo, serves /dev/mail and prints the demo accounts; anything else must be `production`.", false},
	{"DATABASE_URL", "(private PostgreSQL in DATA_DIR)", "PostgreSQL URL of the role that owns the schema and runs the migrations.", true},
	{"APP_DATABASE_URL", "DATABASE_URL as triade_app", "PostgreSQL URL of the restricted login that serves requests: it logs in as triade_app itself. Unset, Triade logs in as triade_app, without a password, on the server and database of DATABASE_URL (trust, peer or ~/.pgpass).", true},
	{"DATA_DIR", ".data", "Where the private PostgreSQL keeps its data when DATABASE_URL is unset (development).", false},
	{"DB_MAX_CONNS", "16", "Largest number of connections of the request pool (4 to 1000).", false},
	{"MAX_ACTIVE_REQUESTS", "4 per core", "Requests at work at once (1 to 10000); the others wait their turn in arrival order. Raise it when the database is on another machine far away.", false},
	{"DB_CONNECT_TIMEOUT", "60s", "How long the start waits for PostgreSQL to answer, retrying with growing delays.", false},
	{"ADDR", "localhost:8080", "Address the web server listens on (host:port).", false},
	{"BASE_URL", "http://ADDR", "Public address of the site, used in e-mailed links. With https://, cookies are Secure and HSTS is sent.", false},
	{"METRICS_ADDR", "(none)", "Address of a separate listener serving Prometheus /metrics; unset, no metrics are served.", false},
	{"TRUSTED_PROXIES", "(none)", "Comma-separated CIDRs of reverse proxies whose X-Forwarded-For gives the client address.", false},
	{"SMTP_URL", "(none: e-mails stay in the outbox)", "smtp://user:password@host:port?from=address for outgoing e-mail.", true},
	{"SIGNUP", "open", "`open`: anyone may create a workspace at /signup; `closed`: only invitations and create-admin.", false},
	{"ALLOW_DEMO", "0", "`1` lets a production start go on although the public demo accounts exist.", false},
	{"RETENTION_YEARS", "3", "Years a closed engagement is kept before it is erased, for workspaces created from now on (1 to 30); each workspace admin can change theirs.", false},
	{"LOG_LEVEL", "info", "debug, info, warn or error.", false},
	{"LOG_FORMAT", "text", "text (key=value) or json.", false},
}

// Config is the parsed environment.
type Config struct {
	Dev            bool
	DatabaseURL    string
	AppDatabaseURL string
	DataDir        string
	MaxConns       int
	MaxActive      int // 0: the server's default per core
	ConnectTimeout time.Duration
	Addr           string
	BaseURL        string
	MetricsAddr    string
	TrustedProxies []netip.Prefix
	SMTPURL        string
	SignupOpen     bool
	AllowDemo      bool
	RetentionYears int
	LogLevel       slog.Level
	LogFormat      string
}

// Load reads the settings through getenv; environ (os.Environ()) is searched
// for TRIADE_* names that are no setting, a likely typo. The error is one line.
func Load(getenv func(string) string, environ []string) (Config, error) {
	known := map[string]bool{}
	for _, s := range Settings {
		known[s.Name] = true
		if s.File {
			known[s.Name+"_FILE"] = true
		}
	}
	for _, kv := range environ {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, "TRIADE_") && !known[name] {
			return Config{}, fmt.Errorf("unknown setting %s (see `triade help config`)", name)
		}
	}
	v := values{getenv: getenv}
	c := Config{
		DatabaseURL:    v.secret("DATABASE_URL"),
		AppDatabaseURL: v.secret("APP_DATABASE_URL"),
		DataDir:        v.str("DATA_DIR", ".data"),
		MaxConns:       v.integer("DB_MAX_CONNS", 16, 4, 1000),
		MaxActive:      v.integer("MAX_ACTIVE_REQUESTS", 0, 1, 10000),
		ConnectTimeout: v.duration("DB_CONNECT_TIMEOUT", "60s"),
		Addr:           v.str("ADDR", "localhost:8080"),
		MetricsAddr:    v.str("METRICS_ADDR", ""),
		SMTPURL:        v.secret("SMTP_URL"),
		AllowDemo:      v.oneOf("ALLOW_DEMO", "0", "0", "1") == "1",
		RetentionYears: v.integer("RETENTION_YEARS", 3, 1, 30),
		LogFormat:      v.oneOf("LOG_FORMAT", "text", "text", "json"),
	}
	c.Dev = v.oneOf("TRIADE_ENV", "production", "production", "development") == "development"
	c.SignupOpen = v.oneOf("SIGNUP", "open", "open", "closed") == "open"
	switch lvl := v.oneOf("LOG_LEVEL", "info", "debug", "info", "warn", "error"); lvl {
	case "debug":
		c.LogLevel = slog.LevelDebug
	case "warn":
		c.LogLevel = slog.LevelWarn
	case "error":
		c.LogLevel = slog.LevelError
	}
	c.BaseURL = strings.TrimRight(v.str("BASE_URL", "http://"+c.Addr), "/")
	if u, err := url.Parse(c.BaseURL); v.err == nil && (err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "") {
		v.err = fmt.Errorf("BASE_URL=%q: want http://host or https://host", c.BaseURL)
	}
	c.TrustedProxies = v.prefixes("TRUSTED_PROXIES")
	return c, v.err
}

// values reads settings and keeps the first error.
type values struct {
	getenv func(string) string
	err    error
}

func (v *values) str(name, def string) string {
	if s := strings.TrimSpace(v.getenv(name)); s != "" {
		return s
	}
	return def
}

// secret reads NAME, or the file named by NAME_FILE (never both).
func (v *values) secret(name string) string {
	direct, file := v.getenv(name), v.getenv(name+"_FILE")
	if file == "" {
		return strings.TrimSpace(direct)
	}
	if direct != "" {
		v.fail(fmt.Errorf("%s and %s_FILE are both set: keep one", name, name))
		return ""
	}
	b, err := os.ReadFile(file)
	if err != nil {
		v.fail(fmt.Errorf("%s_FILE: %w", name, err))
		return ""
	}
	return strings.TrimSpace(string(b))
}

func (v *values) oneOf(name, def string, allowed ...string) string {
	s := strings.ToLower(v.str(name, def))
	for _, a := range allowed {
		if s == a {
			return s
		}
	}
	v.fail(fmt.Errorf("%s=%q: want one of %s", name, s, strings.Join(allowed, ", ")))
	return def
}

func (v *values) integer(name string, def, lo, hi int) int {
	s := v.str(name, "")
	if s == "" {
		return def
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < lo || n > hi {
		v.fail(fmt.Errorf("%s=%q: want a whole number from %d to %d", name, s, lo, hi))
		return def
	}
	return n
}

func (v *values) prefixes(name string) []netip.Prefix {
	var out []netip.Prefix
	for _, f := range strings.Split(v.str(name, ""), ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		p, err := netip.ParsePrefix(f)
		if err != nil {
			a, aerr := netip.ParseAddr(f) // a lone address is its own /32 or /128
			if aerr != nil {
				v.fail(fmt.Errorf("%s: %q is not a CIDR such as 10.0.0.0/8", name, f))
				return nil
			}
			p = netip.PrefixFrom(a, a.BitLen())
		}
		out = append(out, p.Masked())
	}
	return out
}

func (v *values) fail(err error) {
	if v.err == nil {
		v.err = err
	}
}

// Help prints the settings table.
func Help(w io.Writer) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "SETTING\tDEFAULT\tMEANING")
	for _, s := range Settings {
		name := s.Name
		if s.File {
			name += " (or " + s.Name + "_FILE)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", name, s.Default, strings.ReplaceAll(s.Meaning, "`", ""))
	}
	tw.Flush()
}

// Markdown renders the settings table for docs/configuration.md.
func Markdown() string {
	var b strings.Builder
	b.WriteString("| Setting | Default | Meaning |\n| --- | --- | --- |\n")
	for _, s := range Settings {
		name := "`" + s.Name + "`"
		if s.File {
			name += " (or `" + s.Name + "_FILE`)"
		}
		fmt.Fprintf(&b, "| %s | %s | %s |\n", name, s.Default, s.Meaning)
	}
	return b.String()
}

func (v *values) duration(name, def string) time.Duration {
	s := v.str(name, def)
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		v.fail(fmt.Errorf("%s=%q: want a duration such as %s", name, s, def))
		d, _ = time.ParseDuration(def)
	}
	return d
}
