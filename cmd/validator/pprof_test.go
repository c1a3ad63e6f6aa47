package main

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/openrpki/validator/pkg/httpapi"
)

// TestPprofOffByDefault: the profiles are served only when http.pprof is
// on.
func TestPprofOffByDefault(t *testing.T) {
	for _, on := range []bool{false, true} {
		h := httpapi.New(httpapi.Options{Debug: pprofHandler(on)})
		for _, path := range []string{"/debug/pprof/", "/debug/pprof/heap"} {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
			if want := map[bool]int{false: http.StatusNotFound, true: http.StatusOK}[on]; rec.Code != want {
				t.Errorf("pprof %v: %s: %d, want %d", on, path, rec.Code, want)
			}
		}
	}
}
