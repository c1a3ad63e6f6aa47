package fetch_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/openrpki/validator/pkg/fetch"
	"github.com/openrpki/validator/pkg/rrdp"
)

// TestTACertStalledServer serves a TA certificate's headers and then
// nothing: the fetch fails within the idle timeout (not the run's
// deadline), the failure is in the health record and the observer's
// events, and the next attempt in the same backoff window is skipped at
// once. Before TA certificates went through fetch, such a server blocked
// `validator vrps` forever.
func TestTACertStalledServer(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "2000")
		w.WriteHeader(http.StatusOK)
		w.(http.Flusher).Flush()
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	pool := srv.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs
	s, _, ev := scheduler(t, pool, func(o *fetch.Options) {
		o.RRDP = rrdp.Options{IdleTimeout: time.Second}
		o.TATimeout = 20 * time.Second
	})
	uri := srv.URL + "/ta.cer"
	run := s.NewRun(context.Background())
	defer run.Close()
	start := time.Now()
	if _, _, err := run.TACert([]string{uri}); err == nil || !strings.Contains(err.Error(), uri) {
		t.Fatalf("stalled TA server: %v", err)
	}
	if took := time.Since(start); took > 10*time.Second {
		t.Fatalf("the stalled fetch took %v: the idle timeout did not cut it", took)
	}
	h := s.Health()
	if len(h) != 1 || h[0].URI != uri || h[0].Transport != "https" || !h[0].Failing || h[0].LastError == "" || h[0].NextTry.IsZero() {
		t.Fatalf("health %+v", h)
	}
	if ev.count("https failed") != 1 {
		t.Fatalf("events %v", ev.all)
	}
	start = time.Now()
	if _, _, err := run.TACert([]string{uri}); !errors.Is(err, fetch.ErrBackoff) || time.Since(start) > time.Second {
		t.Fatalf("second attempt in backoff: %v after %v", err, time.Since(start))
	}
}

// TestTACertFirstAnswerAndDubious takes the certificate from the first URI
// that answers, and refuses a dubious one (here an IP literal with a port)
// unless allowed, with the setting named in the error.
func TestTACertFirstAnswerAndDubious(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/ta.cer" {
			http.NotFound(w, r)
			return
		}
		w.Write([]byte("certificate"))
	}))
	defer srv.Close()
	pool := srv.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs
	s, _, _ := scheduler(t, pool, nil)
	run := s.NewRun(context.Background())
	der, from, err := run.TACert([]string{srv.URL + "/missing.cer", srv.URL + "/ta.cer"})
	run.Close()
	if err != nil || string(der) != "certificate" || from != srv.URL+"/ta.cer" {
		t.Fatalf("got %q from %s: %v", der, from, err)
	}
	strict, _, _ := scheduler(t, pool, func(o *fetch.Options) { o.AllowDubiousHosts = false })
	run = strict.NewRun(context.Background())
	defer run.Close()
	_, _, err = run.TACert([]string{srv.URL + "/ta.cer"})
	if !errors.Is(err, fetch.ErrDubious) || !strings.Contains(err.Error(), "--allow-dubious-hosts") {
		t.Fatalf("dubious TA URI: %v", err)
	}
	if h := strict.Health(); len(h) != 1 || h[0].Outcome != string(fetch.Refused) || !h[0].Failing {
		t.Fatalf("health %+v", h)
	}
}
