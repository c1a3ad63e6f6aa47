package httpapi

import (
	"net/http"
	"strings"
	"testing"

	"github.com/openrpki/validator/pkg/report"
)

// TestRejected lists the last run's rejected objects and troubled points
// with filters, refuses unknown parameters and answers an empty list
// before any run.
func TestRejected(t *testing.T) {
	srv, h := testServer(t, Options{})
	resp, body := get(t, srv, "GET", "/api/v1/rejected", nil)
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"objects": []`) || !strings.Contains(string(body), `"publication_points": []`) {
		t.Fatalf("before any run: %d %s", resp.StatusCode, body)
	}
	rep := testResult()
	report.NewTracker().Observe(rep, nil)
	h.p.Store(testState(stateOf{Table: smallTable(t), Result: rep, Serial: 1, Updated: t0}))
	for query, want := range map[string][2]int{
		"":                        {1, 1},
		"?type=roa":               {1, 0},
		"?type=publication-point": {0, 1},
		"?reason=stale":           {1, 1}, // the class of the object, a word of the point's reason
		"?reason=cached":          {0, 1},
		"?reason=MANIFEST":        {0, 1},
		"?ta=ta9":                 {0, 0},
	} {
		resp, body := get(t, srv, "GET", "/api/v1/rejected"+query, nil)
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/json" {
			t.Fatalf("%s: %d %s", query, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		l, err := report.ReadRejections(strings.NewReader(string(body)))
		if err != nil {
			t.Fatalf("%s: %v", query, err)
		}
		if len(l.Objects) != want[0] || len(l.Points) != want[1] {
			t.Errorf("%s: %d objects, %d points; want %v", query, len(l.Objects), len(l.Points), want)
		}
		if query == "" && (!l.Objects[0].FirstSeen.Equal(rep.End) || !l.Points[0].Served || l.Points[0].URI != "rsync://c/") {
			t.Errorf("entries %+v %+v", l.Objects[0], l.Points[0])
		}
	}
	for _, query := range []string{"?tа=ta1", "?kind=roa", "?ta=a&ta=b"} {
		if resp, body := get(t, srv, "GET", "/api/v1/rejected"+query, nil); resp.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: %d %s", query, resp.StatusCode, body)
		}
	}
}

// TestLookup redirects the page's form to the API and refuses bad input.
func TestLookup(t *testing.T) {
	srv, _ := testServer(t, Options{})
	c := srv.Client()
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	for query, want := range map[string]string{
		"?asn=AS65000&prefix=192.0.2.0/24&what=explain":    "/api/v1/explain/AS65000/192.0.2.0/24",
		"?asn=65000&prefix=2001:db8::/32&what=validity":    "/api/v1/validity/65000/2001:db8::/32",
		"?asn=+AS65000+&prefix=+192.0.2.0/24&what=explain": "/api/v1/explain/AS65000/192.0.2.0/24",
	} {
		resp, err := c.Get(srv.URL + "/lookup" + query)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != want {
			t.Errorf("%s: %d to %q, want %s", query, resp.StatusCode, resp.Header.Get("Location"), want)
		}
	}
	for _, query := range []string{"?asn=AS65000&prefix=192.0.2.0/24", "?asn=x&prefix=192.0.2.0/24&what=explain",
		"?asn=1&prefix=192.0.2.1/24&what=explain", "?asn=1&prefix=192.0.2.0/24&what=explain&x=1"} {
		if resp, body := get(t, srv, "GET", "/lookup"+query, nil); resp.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: %d %s", query, resp.StatusCode, body)
		}
	}
}
