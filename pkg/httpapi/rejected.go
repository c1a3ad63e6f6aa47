package httpapi

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/openrpki/validator/pkg/report"
)

// rejected answers GET /api/v1/rejected[?ta=&type=&reason=]: every
// rejected object and every cached or failed publication point of the last
// run, with when each was first seen and, for a point, whether its last
// validated copy is served and until when (report.Rejections, the form
// `validator vrps --report` writes). Before any run it answers an empty
// list. An unknown parameter is refused, so that a typo does not pass for
// an empty result.
func (a *api) rejected(w http.ResponseWriter, r *http.Request) {
	if err := onlyParams(r, "ta", "type", "reason"); err != nil {
		writeError(w, http.StatusBadRequest, "httpapi: rejected: "+err.Error())
		return
	}
	q := r.URL.Query()
	var rep *report.Run
	if st := a.o.State(); st != nil {
		rep = st.Report
	}
	list := rep.Rejections(report.Filter{TA: q.Get("ta"), Type: q.Get("type"), Reason: q.Get("reason")})
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-cache")
	list.WriteJSON(w)
}

// onlyParams refuses a query parameter not in allowed, or one given twice.
func onlyParams(r *http.Request, allowed ...string) error {
	for k, v := range r.URL.Query() {
		if !slices.Contains(allowed, k) {
			return fmt.Errorf("unknown parameter %q (have %s)", k, strings.Join(allowed, ", "))
		}
		if len(v) > 1 {
			return fmt.Errorf("parameter %q given %d times", k, len(v))
		}
	}
	return nil
}

// paramError is a parameter with a value out of its set.
type paramError struct{ name, value, want string }

func (e *paramError) Error() string {
	return fmt.Sprintf("%s %q: want %s", e.name, e.value, e.want)
}
