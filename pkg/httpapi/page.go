package httpapi

import (
	"bytes"
	_ "embed"
	"fmt"
	"html/template"
	"maps"
	"net/http"
	"slices"
	"time"

	"github.com/openrpki/validator/pkg/report"
)

//go:embed page.html
var pageHTML string

// pageTemplate renders the status page: server-side, no JavaScript, a meta
// refresh to stay current.
var pageTemplate = template.Must(template.New("page").Funcs(template.FuncMap{
	"age":  humanAge,
	"time": pageTime,
	"when": func(t time.Time) string {
		if t.IsZero() {
			return "never"
		}
		return pageTime(t)
	},
}).Parse(pageHTML))

func pageTime(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05 UTC") }

// pageData is what the page template reads.
type pageData struct {
	Status
	Troubles    []report.Repository
	MoreTrouble int
	ObjectRows  []objectRow
	Verdicts    []string
	// MoreRejected and MorePoints count what the page leaves to
	// /api/v1/rejected.
	MoreRejected, MorePoints int
}

// objectRow is one object type's counts, in the order of Verdicts.
type objectRow struct {
	Type   string
	Counts []int
}

// page renders the status page at / and /status.
func (a *api) page(w http.ResponseWriter, r *http.Request) {
	d := pageData{Status: a.buildStatus(a.o.State())}
	for _, rs := range d.Repositories {
		if !rs.Failing {
			break // sorted: troubled first
		}
		if len(d.Troubles) == MaxTroubleRows {
			d.MoreTrouble++
			continue
		}
		d.Troubles = append(d.Troubles, rs)
	}
	d.Verdicts, d.ObjectRows = objectTable(d.Objects)
	d.MoreRejected = d.Counts.Rejected - len(d.Rejected)
	d.MorePoints = d.PubPoints[report.Cached] + d.PubPoints[report.Failed] - len(d.TroubledPoints)
	var b bytes.Buffer
	if err := pageTemplate.Execute(&b, d); err != nil {
		writeError(w, http.StatusInternalServerError, "httpapi: status page: "+err.Error())
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	w.Write(b.Bytes())
}

// objectTable lays the type-by-verdict counts out as rows, "valid" as the
// first column.
func objectTable(objects map[string]map[string]int) ([]string, []objectRow) {
	seen := map[string]bool{}
	for _, byVerdict := range objects {
		for v := range byVerdict {
			seen[v] = true
		}
	}
	verdicts := slices.Sorted(maps.Keys(seen))
	if i := slices.Index(verdicts, "valid"); i > 0 {
		verdicts = append([]string{"valid"}, slices.Delete(verdicts, i, i+1)...)
	}
	var rows []objectRow
	for _, typ := range slices.Sorted(maps.Keys(objects)) {
		row := objectRow{Type: typ}
		for _, v := range verdicts {
			row.Counts = append(row.Counts, objects[typ][v])
		}
		rows = append(rows, row)
	}
	return verdicts, rows
}

// humanAge formats seconds as "3m20s" or "2h5m".
func humanAge(seconds float64) string {
	d := time.Duration(seconds * float64(time.Second))
	switch {
	case d < time.Minute:
		return d.Round(time.Second).String()
	case d < time.Hour:
		return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
	}
	return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
}
