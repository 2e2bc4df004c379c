package server_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
)

// A 1×1 PNG and a 1×1 GIF, as a logo and as what is not one.
var (
	onePixelPNG, _ = base64.StdEncoding.DecodeString("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==")
	onePixelGIF, _ = base64.StdEncoding.DecodeString("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")
)

// postFile sends a multipart form, as a browser sends a form with a file.
func (c *client) postFile(path string, fields map[string]string, file string, content []byte) resp {
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	for k, v := range fields {
		w.WriteField(k, v)
	}
	if file != "" {
		fw, _ := w.CreateFormFile(file, "logo.bin")
		fw.Write(content)
	}
	w.Close()
	req, _ := http.NewRequest(http.MethodPost, c.a.srv.URL+path, &b)
	req.Header.Set("Content-Type", w.FormDataContentType())
	return c.do(req)
}

// TestDocumentsHRCanFile: a synthesis version carries the workspace's
// letterhead, who it is for, the fingerprint the database took of it and
// its page frame for print; HR, who validated version 1, reads what changed
// before validating version 2.
func TestDocumentsHRCanFile(t *testing.T) {
	a := newApp(t, true)
	ctx := context.Background()
	st := a.env.Store
	id := a.engagementID("Leadership d'équipe — site de Lyon")
	base := "/w/demo/e/" + id
	coach := a.demoScope("coach@demo.test")
	if got := a.sqlStr(`SELECT count(*)::text FROM synthesis_validations WHERE engagement_id = $1 AND number = 1 AND part = 'sponsor'`, id); got != "1" {
		t.Fatalf("the demo's sponsor has not validated version 1 (%s)", got)
	}
	const added = "Un point d'étape avec la direction du site est ajouté en milieu de parcours."
	version := a.sqlStr(`SELECT synthesis_version::text FROM engagements WHERE id = $1`, id)
	var v int
	for _, c := range version {
		v = v*10 + int(c-'0')
	}
	current := a.sqlStr(`SELECT synthesis_text FROM engagements WHERE id = $1`, id)
	if err := st.SaveSynthesisText(ctx, coach, id, current+"\n"+added, v); err != nil {
		t.Fatal(err)
	}
	if _, err := st.PublishSynthesis(ctx, coach, id); err != nil {
		t.Fatal(err)
	}

	admin := a.as("admin@demo.test")
	const address = "12 rue des Lilas\n69003 Lyon"
	// A GIF is refused beside the field, the address kept.
	r := admin.postFile("/w/demo/settings/letterhead", map[string]string{"address": address}, "logo", onePixelGIF)
	if r.status != http.StatusUnprocessableEntity {
		t.Fatalf("a GIF logo: status %d, want 422", r.status)
	}
	contains(t, r, "Le logo doit être une image PNG ou JPEG.", "12 rue des Lilas")
	if r := admin.postFile("/w/demo/settings/letterhead", map[string]string{"address": address}, "logo", onePixelPNG); r.status != http.StatusSeeOther {
		t.Fatalf("letterhead with a PNG logo: status %d", r.status)
	}
	if r := admin.postFile("/w/demo/settings/letterhead", map[string]string{"address": address}, "logo", bytes.Repeat(onePixelPNG, 5000)); r.status != http.StatusUnprocessableEntity {
		t.Fatalf("a logo over 256 kB: status %d, want 422", r.status)
	}

	sponsor := a.as("sponsor@demo.test")
	page := sponsor.get(base + "/synthesis/2")
	if page.status != http.StatusOK {
		t.Fatalf("version 2: status %d", page.status)
	}
	body := text(page)
	fingerprint := a.sqlStr(`SELECT encode(sha256, 'hex') FROM synthesis_versions WHERE engagement_id = $1 AND number = 2`, id)
	recomputed := a.sqlStr(`SELECT encode(sha256(convert_to(content::text, 'UTF8')), 'hex') FROM synthesis_versions WHERE engagement_id = $1 AND number = 2`, id)
	if fingerprint != recomputed {
		t.Fatalf("stored fingerprint %s, content hashes to %s", fingerprint, recomputed)
	}
	for _, want := range []string{
		"Cabinet Démo", "12 rue des Lilas", "data:image/png;base64,", // the letterhead
		"Document confidentiel, destiné à : Coach Démo (Coach)", "Sponsor Démo (Représentant de l'entreprise)",
		"Validation de cette version", fingerprint, "eIDAS",
		"Ce qui a changé depuis la version 1, que vous avez validée", added,
		base + "/synthesis/2/print.css", base + "/synthesis/2/diff",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("version 2 as the sponsor lacks %q", want)
		}
	}
	if strings.Contains(body, "Texte libre de la synthèse") {
		t.Error("a UI label is printed as a heading of the document")
	}
	changes, validate := strings.Index(body, "Ce qui a changé"), strings.Index(body, "/synthesis/2/validate")
	if changes < 0 || validate < 0 || changes > validate {
		t.Error("what changed must come before the validate button")
	}
	if i := strings.Index(page.body, `class="changes`); i < 0 || !strings.Contains(page.body[i:], "<ins>") {
		t.Errorf("the added line is not marked as added: %.3000s", page.body[max(i, 0):])
	}

	diff := sponsor.get(base + "/synthesis/2/diff")
	if diff.status != http.StatusOK || !strings.Contains(text(diff), added) || !strings.Contains(diff.body, `class="add"`) {
		t.Errorf("the comparison page: status %d, lacks the added line", diff.status)
	}
	css := sponsor.get(base + "/synthesis/2/print.css")
	for _, want := range []string{"@page", "counter(page)", "counter(pages)", "Sponsor Démo", "Version 2"} {
		if !strings.Contains(css.body, want) {
			t.Errorf("the print stylesheet lacks %q:\n%s", want, css.body)
		}
	}
	if ct := css.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/css") {
		t.Errorf("print stylesheet served as %q", ct)
	}
	// Someone else's engagement: its documents stay not found.
	other := a.as("coach@autre.test")
	for _, path := range []string{"/synthesis/2", "/synthesis/2/print.css", "/synthesis/2/diff"} {
		if r := other.get(base + path); r.status != http.StatusNotFound {
			t.Errorf("%s by another workspace's coach: %d, want 404", path, r.status)
		}
	}
}

// TestCSSStringCannotBreakOut: the names printed in a page frame cannot end
// the CSS string or rule they are written in.
func TestCSSStringCannotBreakOut(t *testing.T) {
	a := newApp(t, true)
	id := a.engagementID("Leadership d'équipe — site de Lyon")
	a.sqlStr(`UPDATE users SET name = 'Evil"; } @import url(x); a{' WHERE email = 'sponsor@demo.test' RETURNING name`)
	coach := a.demoScope("coach@demo.test")
	if _, err := a.env.Store.PublishSynthesis(context.Background(), coach, id); err != nil {
		t.Fatal(err)
	}
	css := a.as("coach@demo.test").get("/w/demo/e/" + id + "/synthesis/2/print.css")
	if strings.Contains(css.body, `"; }`) || strings.Contains(css.body, "@import") && !strings.Contains(css.body, `\22 `) {
		t.Errorf("a name broke out of its CSS string:\n%s", css.body)
	}
}
