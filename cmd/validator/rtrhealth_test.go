package main

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/openrpki/validator/pkg/httpapi"
	"github.com/openrpki/validator/pkg/payload"
	"github.com/openrpki/validator/pkg/state"
)

// TestRTRReadiness runs `validator rtr --http-listen` on a source file that
// holds nothing yet: the replica is alive but not ready (so Kubernetes
// keeps routers away), and becomes ready once the file appears. `validator
// healthcheck` probes it as the image's HEALTHCHECK would.
func TestRTRReadiness(t *testing.T) {
	// The source exists (a missing one is refused at start) but holds
	// nothing yet, as a replica started before its feed would see.
	path := filepath.Join(t.TempDir(), "vrps.json")
	if err := os.WriteFile(path, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	httpAddr := freeAddr(t)
	startRTR(t, nil, "--source", path, "--http-listen", httpAddr)
	base := "http://" + httpAddr

	if code, body := get(t, base+"/healthz"); code != http.StatusOK || body != "ok\n" {
		t.Fatalf("/healthz: %d %q", code, body)
	}
	if code, body := get(t, base+"/readyz"); code != http.StatusServiceUnavailable || !strings.Contains(body, "no validated data") {
		t.Fatalf("/readyz before any data: %d %q", code, body)
	}
	if code := healthcheck(t, base+"/readyz"); code != 1 {
		t.Fatalf("healthcheck of an unready replica: exit %d, want 1", code)
	}

	first, _ := smallPayloads()
	if err := os.WriteFile(path, first, 0o644); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(rtrWait); ; time.Sleep(20 * time.Millisecond) {
		code, body := get(t, base+"/readyz")
		if code == http.StatusOK && body == "ready\n" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("/readyz once the source exists: %d %q", code, body)
		}
	}
	if code := healthcheck(t, base+"/readyz"); code != 0 {
		t.Fatalf("healthcheck of a ready replica: exit %d, want 0", code)
	}
}

// TestRTRReadinessMaxAge: data older than --max-age is not served over
// RTR, so the replica is not ready either.
func TestRTRReadinessMaxAge(t *testing.T) {
	t0 := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
	pub := state.NewPublisher(4)
	pub.Publish(&payload.Table{TAs: payload.NewTANames()}, nil, nil, t0)
	for _, tc := range []struct {
		maxAge, after time.Duration
		want          int
	}{
		{0, 1000 * time.Hour, http.StatusOK},
		{time.Hour, 59 * time.Minute, http.StatusOK},
		{time.Hour, 61 * time.Minute, http.StatusServiceUnavailable},
	} {
		h := httpapi.New(httpapi.Options{State: pub.Load, MaxAge: readyMaxAge(tc.maxAge), Now: func() time.Time { return t0.Add(tc.after) }})
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/readyz", nil))
		if rec.Code != tc.want {
			t.Errorf("max age %v, data %v old: %d %q, want %d", tc.maxAge, tc.after, rec.Code, rec.Body, tc.want)
		}
	}
}

func TestHealthcheckCommand(t *testing.T) {
	if code := healthcheck(t, "http://"+freeAddr(t)+"/healthz"); code != 1 {
		t.Errorf("nothing listening: exit %d, want 1", code)
	}
	var stderr bytes.Buffer
	if code := dispatch([]string{"healthcheck", "--url"}, &bytes.Buffer{}, &stderr); code != 2 {
		t.Errorf("missing flag value: exit %d, want 2", code)
	}
	if code := dispatch([]string{"healthcheck", "extra"}, &bytes.Buffer{}, &stderr); code != 2 {
		t.Errorf("stray argument: exit %d, want 2", code)
	}
}

// healthcheck runs `validator healthcheck --url url` and returns its exit
// status.
func healthcheck(t *testing.T, url string) int {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := dispatch([]string{"healthcheck", "--url", url, "--timeout", "5s"}, &stdout, &stderr)
	t.Logf("healthcheck %s: exit %d: %s%s", url, code, stdout.String(), stderr.String())
	return code
}
