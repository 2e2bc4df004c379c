package config

import (
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func load(t *testing.T, env map[string]string) (Config, error) {
	t.Helper()
	var environ []string
	for k, v := range env {
		environ = append(environ, k+"="+v)
	}
	return Load(func(k string) string { return env[k] }, environ)
}

func TestDefaultsAreProduction(t *testing.T) {
	c, err := load(t, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Dev || !c.SignupOpen || c.AllowDemo || c.Addr != "localhost:8080" || c.BaseURL != "http://localhost:8080" ||
		c.MaxConns != 16 || c.LogLevel != slog.LevelInfo || c.LogFormat != "text" || c.ConnectTimeout != time.Minute || c.MetricsAddr != "" || c.RetentionYears != 3 || c.MaxActive != 0 {
		t.Fatalf("defaults: %+v", c)
	}
}

func TestParsesEverySetting(t *testing.T) {
	secret := filepath.Join(t.TempDir(), "smtp")
	os.WriteFile(secret, []byte("smtp://u:p@mail:587?from=a@b.c\n"), 0o600)
	c, err := load(t, map[string]string{
		"TRIADE_ENV": "development", "SIGNUP": "closed", "ALLOW_DEMO": "1", "DB_MAX_CONNS": "32",
		"LOG_LEVEL": "debug", "LOG_FORMAT": "json", "BASE_URL": "https://coach.example/", "SMTP_URL_FILE": secret,
		"TRUSTED_PROXIES": "10.0.0.0/8, 192.168.1.7 ,::1", "DB_CONNECT_TIMEOUT": "5s", "METRICS_ADDR": "127.0.0.1:9100",
		"RETENTION_YEARS": "7", "MAX_ACTIVE_REQUESTS": "24",
	})
	if err != nil {
		t.Fatal(err)
	}
	if !c.Dev || c.SignupOpen || !c.AllowDemo || c.MaxConns != 32 || c.LogLevel != slog.LevelDebug || c.LogFormat != "json" ||
		c.BaseURL != "https://coach.example" || c.SMTPURL != "smtp://u:p@mail:587?from=a@b.c" || c.ConnectTimeout != 5*time.Second ||
		c.MetricsAddr != "127.0.0.1:9100" || c.RetentionYears != 7 || c.MaxActive != 24 {
		t.Fatalf("parsed: %+v", c)
	}
	want := []string{"10.0.0.0/8", "192.168.1.7/32", "::1/128"}
	if len(c.TrustedProxies) != len(want) {
		t.Fatalf("proxies %v", c.TrustedProxies)
	}
	for i, p := range c.TrustedProxies {
		if p.String() != want[i] {
			t.Errorf("proxy %d = %s, want %s", i, p, want[i])
		}
	}
}

// Every bad value stops the start with one line naming the setting.
func TestInvalidSettingsStopWithOneLine(t *testing.T) {
	cases := map[string]map[string]string{
		"TRIADE_SIGNUP":       {"TRIADE_SIGNUP": "closed"},
		"TRIADE_ENV":          {"TRIADE_ENV": "prod"},
		"SIGNUP":              {"SIGNUP": "maybe"},
		"LOG_LEVEL":           {"LOG_LEVEL": "verbose"},
		"LOG_FORMAT":          {"LOG_FORMAT": "xml"},
		"DB_MAX_CONNS":        {"DB_MAX_CONNS": "two"},
		"DB_CONNECT_TIMEOUT":  {"DB_CONNECT_TIMEOUT": "soon"},
		"BASE_URL":            {"BASE_URL": "coach.example"},
		"TRUSTED_PROXIES":     {"TRUSTED_PROXIES": "10.0.0.0/99"},
		"DATABASE_URL_FILE":   {"DATABASE_URL_FILE": "/nonexistent/secret"},
		"both set":            {"DATABASE_URL": "postgres://x", "DATABASE_URL_FILE": "/etc/hostname"},
		"ALLOW_DEMO":          {"ALLOW_DEMO": "yes"},
		"RETENTION_YEARS":     {"RETENTION_YEARS": "0"},
		"MAX_ACTIVE_REQUESTS": {"MAX_ACTIVE_REQUESTS": "0"},
	}
	for name, env := range cases {
		_, err := load(t, env)
		if err == nil {
			t.Errorf("%s: accepted", name)
			continue
		}
		if msg := err.Error(); strings.Contains(msg, "\n") || (name != "both set" && !strings.Contains(msg, name)) {
			t.Errorf("%s: message %q", name, msg)
		}
	}
}

// docs/configuration.md carries the same table as `triade help config`.
func TestDocsListEverySetting(t *testing.T) {
	b, err := os.ReadFile("../../docs/configuration.md")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), Markdown()) {
		t.Fatalf("docs/configuration.md does not hold the current table; paste:\n%s", Markdown())
	}
}
