package e2e

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"triade/internal/demo"
)

// TestDocumentsPrintToPDF prints the demo's synthesis and final report to PDF
// through the same Chromium the server uses, as a coach downloads them, and
// reads the PDF back: every page numbered "Page X / Y", the confidentiality
// footer naming who the document is for on every page, the validation block
// with the version's fingerprint, the letterhead.
func TestDocumentsPrintToPDF(t *testing.T) {
	env, b := setup(t)
	pdftotext, err := exec.LookPath("pdftotext")
	if err != nil {
		const msg = "pdftotext not found: install poppler-utils to read the PDFs back"
		if os.Getenv("CI") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	ctx := context.Background()
	if _, err := demo.Seed(ctx, env.Store); err != nil {
		t.Fatal(err)
	}
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	form := url.Values{"email": {"coach@demo.test"}, "password": {demo.Password}}
	if res, err := c.PostForm(b.base+"/login", form); err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("login: %v %v", res, err)
	}
	q := func(sql string, args ...any) string {
		var s string
		if err := env.Super.QueryRow(ctx, sql, args...).Scan(&s); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
		return s
	}
	closed := q(`SELECT id::text FROM engagements WHERE title = 'Management transversal — projet ERP'`)
	for _, doc := range []struct{ kind, table string }{{"synthesis", "synthesis_versions"}, {"report", "report_versions"}} {
		t.Run(doc.kind, func(t *testing.T) {
			page := b.base + "/w/demo/e/" + closed + "/" + doc.kind + "/1"
			res, err := c.Get(page + "/pdf")
			if err != nil {
				t.Fatal(err)
			}
			pdf, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(string(pdf), "%PDF-") {
				t.Fatalf("GET %s/pdf: %d %s, %d bytes", page, res.StatusCode, res.Header.Get("Content-Type"), len(pdf))
			}
			dir := t.TempDir()
			if keep := os.Getenv("E2E_SCREENSHOTS"); keep != "" { // to look at them
				dir = keep
				os.MkdirAll(dir, 0o755)
			}
			file := filepath.Join(dir, doc.kind+".pdf")
			if err := os.WriteFile(file, pdf, 0o644); err != nil {
				t.Fatal(err)
			}
			out, err := exec.Command(pdftotext, "-layout", file, "-").Output()
			if err != nil {
				t.Fatalf("pdftotext: %v", err)
			}
			pages := strings.Split(strings.TrimRight(string(out), "\f\n"), "\f")
			t.Logf("%s: %d bytes, %d page(s)", doc.kind, len(pdf), len(pages))
			flat := regexp.MustCompile(`\s+`).ReplaceAllString(string(out), " ")
			for i, p := range pages {
				p = regexp.MustCompile(`\s+`).ReplaceAllString(p, " ")
				if want := fmt.Sprintf("Page %d / %d", i+1, len(pages)); !strings.Contains(p, want) {
					t.Errorf("page %d lacks %q", i+1, want)
				}
				if !strings.Contains(p, "Document confidentiel, destiné à") {
					t.Errorf("page %d lacks the confidentiality footer", i+1)
				}
			}
			fingerprint := q(`SELECT encode(sha256, 'hex') FROM `+doc.table+` WHERE engagement_id = $1 AND number = 1`, closed)
			for _, want := range []string{"Cabinet Démo", "Version 1", "Validation de cette version", "Coach Démo", "eIDAS"} {
				if !strings.Contains(flat, want) {
					t.Errorf("the PDF lacks %q", want)
				}
			}
			// The fingerprint may wrap: look for it with the spaces removed.
			if !strings.Contains(strings.ReplaceAll(flat, " ", ""), fingerprint) {
				t.Errorf("the PDF lacks the version's fingerprint %s", fingerprint)
			}
		})
	}
}
