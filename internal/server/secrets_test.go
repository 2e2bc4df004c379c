package server_test

import (
	"context"
	"encoding/hex"
	"net/http"
	"strings"
	"testing"

	"github.com/alexedwards/argon2id"
	"github.com/jackc/pgx/v5"

	"triade/internal/demo"
	"triade/internal/store"
)

// mails returns the e-mails of the outbox sent to addr whose link contains
// part ("" for any), newest first, read through the store (the outbox is sealed).
func (a *app) mails(addr, part string) []store.OutboxMail {
	a.t.Helper()
	all, err := a.env.Store.Outbox(context.Background(), 1000)
	if err != nil {
		a.t.Fatal(err)
	}
	var out []store.OutboxMail
	for _, m := range all {
		if m.To == addr && strings.Contains(m.Link, part) {
			out = append(out, m)
		}
	}
	return out
}

// mailTo returns the newest of those e-mails.
func (a *app) mailTo(addr, part string) (store.OutboxMail, bool) {
	if ms := a.mails(addr, part); len(ms) > 0 {
		return ms[0], true
	}
	return store.OutboxMail{}, false
}

// mail is mailTo for an e-mail that must exist.
func (a *app) mail(addr, part string) store.OutboxMail {
	a.t.Helper()
	m, ok := a.mailTo(addr, part)
	if !ok {
		a.t.Fatalf("no e-mail to %s with a link containing %q", addr, part)
	}
	return m
}

// linkPath is the path of an absolute link.
func linkPath(link string) string {
	i := strings.Index(link, "://")
	if i < 0 {
		return link
	}
	j := strings.Index(link[i+3:], "/")
	return link[i+3+j:]
}

// dumpAsRequestRole reads, as the request role and under the given scope, every
// row of every table that role may SELECT, as text.
func dumpAsRequestRole(t *testing.T, a *app, sc store.Scope) (map[string]string, []string) {
	t.Helper()
	ctx := context.Background()
	tx, err := a.env.App.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, `SELECT set_config('app.tenant_id', $1, true), set_config('app.user_id', $2, true)`, sc.TenantID, sc.UserID); err != nil {
		t.Fatal(err)
	}
	rows, _ := tx.Query(ctx, `SELECT quote_ident(table_schema) || '.' || quote_ident(table_name) FROM information_schema.tables
		WHERE table_schema NOT IN ('pg_catalog', 'information_schema')
		  AND has_table_privilege(quote_ident(table_schema) || '.' || quote_ident(table_name), 'SELECT') ORDER BY 1`)
	tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	dump := map[string]string{}
	for _, tbl := range tables {
		var text string
		if err := tx.QueryRow(ctx, `SELECT coalesce(string_agg(to_jsonb(t)::text, E'\n'), '') FROM `+tbl+` t`).Scan(&text); err != nil {
			t.Fatalf("dump %s: %v", tbl, err)
		}
		dump[tbl] = text
	}
	return dump, tables
}

// TestRequestRoleDumpHoldsNoSecret: everything the request role can read —
// with no workspace, and with a sponsor's scope — holds no session token, no
// reset, invitation, calendar or unsubscribe secret, no outbox link and no
// password hash that can be checked without the server key.
func TestRequestRoleDumpHoldsNoSecret(t *testing.T) {
	a := newApp(t, true)
	ctx := context.Background()
	secrets := map[string]string{}

	coach := a.client()
	coach.login("coach@demo.test")
	secrets["session token"] = coach.cookie("triade_session")
	if secrets["session token"] == "" {
		t.Fatal("no session cookie")
	}
	secrets["calendar link"] = newFeed(t, coach)
	// The calendar link as the page showed it once is in no session either.
	coach.get("/w/demo/calendar")

	if r := a.client().post("/password/forgot", "email", "coachee@demo.test"); r.status != http.StatusOK {
		t.Fatalf("forgot: %d", r.status)
	}
	m, ok := a.mailTo("coachee@demo.test", "/password/reset/")
	if !ok {
		t.Fatal("no reset e-mail")
	}
	secrets["reset link"] = linkPath(m.Link)

	admin := a.client()
	admin.login("admin@demo.test")
	if r := admin.post("/w/demo/invitations", "email", "secrete@client.test", "name", "Secrète", "role", "coachee"); r.status != http.StatusSeeOther {
		t.Fatalf("invite: %d", r.status)
	}
	m, ok = a.mailTo("secrete@client.test", "/join/")
	if !ok {
		t.Fatal("no invitation e-mail")
	}
	secrets["invitation link"] = linkPath(m.Link)

	rcs, err := a.env.Store.Recipients(ctx)
	if err != nil || len(rcs) == 0 {
		t.Fatal("recipients", err)
	}
	secrets["unsubscribe token"] = rcs[0].Token

	var tenant, sponsor string
	a.env.Super.QueryRow(ctx, `SELECT id FROM workspaces WHERE slug = 'demo'`).Scan(&tenant)
	a.env.Super.QueryRow(ctx, `SELECT id FROM users WHERE email = 'sponsor@demo.test'`).Scan(&sponsor)

	for name, sc := range map[string]store.Scope{"no workspace": {}, "sponsor": {TenantID: tenant, UserID: sponsor}} {
		dump, tables := dumpAsRequestRole(t, a, sc)
		for _, tbl := range tables {
			if strings.Contains(tbl, "server_keys") {
				t.Errorf("%s: the request role can read %s", name, tbl)
			}
		}
		for tbl, text := range dump {
			for what, secret := range secrets {
				// bytea columns come out in hex
				if strings.Contains(text, secret) || strings.Contains(text, hex.EncodeToString([]byte(secret))) {
					t.Errorf("%s: %s holds the %s", name, tbl, what)
				}
			}
			if strings.Contains(text, "secrete@client.test") && strings.Contains(tbl, "outbox") {
				t.Errorf("%s: %s shows an e-mail's recipient in clear", name, tbl)
			}
			// Every argon2id hash readable must be useless without the key.
			for _, field := range strings.FieldsFunc(text, func(r rune) bool { return r == '"' || r == '\n' }) {
				if i := strings.Index(field, "$argon2id$"); i >= 0 {
					if ok, _ := argon2id.ComparePasswordAndHash(demo.Password, field[i:]); ok {
						t.Errorf("%s: %s holds a password hash that the password opens without the server key", name, tbl)
					}
				}
			}
		}
		if name == "no workspace" {
			if n := strings.Count(dump["public.users"], `"email"`); n > 0 {
				t.Errorf("with no workspace and no person, %d accounts are readable", n)
			}
		}
	}
}
