package bench

import (
	"html/template"
	"net/http"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5/pgxpool"
)

// BaselinePath is where the benchmark's server answers the reference page.
const BaselinePath = "/bench/baseline"

// baselineTemplate is the reference page's template: a small escaped table.
var baselineTemplate = template.Must(template.New("baseline").Parse(`<!DOCTYPE html>
<html lang="fr"><head><meta charset="utf-8"><title>Cabinets</title></head>
<body><table><tr><th>slug</th><th>nom</th></tr>{{range .}}<tr><td>{{.Slug}}</td><td>{{.Name}}</td></tr>{{end}}</table></body></html>
`))

type baselineRow struct{ Slug, Name string }

// Baseline is the reference page of the benchmark, in the shape of the
// TechEmpower "Fortunes" test: one indexed query through the application's
// pool (the request role, under row-level security), a row added in memory,
// a sort, an html/template. It is mounted by the benchmark command only, never
// among the application's routes.
func Baseline(pool *pgxpool.Pool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rows, err := pool.Query(r.Context(), `SELECT slug, name FROM workspaces ORDER BY slug LIMIT 12`)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		var out []baselineRow
		for rows.Next() {
			var b baselineRow
			if err := rows.Scan(&b.Slug, &b.Name); err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
			out = append(out, b)
		}
		if err := rows.Err(); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		out = append(out, baselineRow{"ajout", "Ajouté à la requête <script>"})
		slices.SortFunc(out, func(a, b baselineRow) int { return strings.Compare(a.Name, b.Name) })
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		baselineTemplate.Execute(w, out)
	})
}
