package lab

import (
	"bytes"
	"crypto/sha256"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/openrpki/validator/pkg/rrdp"
)

// pipeResponse is an http.ResponseWriter streaming its body into a pipe.
type pipeResponse struct {
	*io.PipeWriter
	h http.Header
}

func (p pipeResponse) Header() http.Header { return p.h }
func (p pipeResponse) WriteHeader(int)     {}

// TestHugeSnapshotServed fetches the notification and snapshot of the
// publication server carrying fault huge-snapshot from the lab's handler:
// the snapshot is well-formed, matches the hash the notification lists
// (which lists no deltas) and holds the real objects plus 1,000,001.
func TestHugeSnapshotServed(t *testing.T) {
	l := testLab(t, Config{Seed: 3, Faults: []string{"huge-snapshot"}})
	repo := -1
	for r, f := range l.hostile {
		if f == "huge-snapshot" {
			repo = r
		}
	}
	rec := httptest.NewRecorder()
	l.handler(nil).ServeHTTP(rec, httptest.NewRequest("GET", "/"+notifyPath(repo), nil))
	n, err := rrdp.ParseNotification(rec.Body)
	if err != nil || len(n.Deltas) != 0 {
		t.Fatalf("notification: %v, %d deltas", err, len(n.Deltas))
	}
	real, err := l.repoObjects(repo)
	if err != nil {
		t.Fatal(err)
	}
	pr, pw := io.Pipe()
	go func() {
		path := strings.TrimPrefix(n.Snapshot.URI, l.Config.Endpoints.HTTPS)
		l.handler(nil).ServeHTTP(pipeResponse{pw, http.Header{}}, httptest.NewRequest("GET", path, nil))
		pw.Close()
	}()
	h := sha256.New()
	objects, padding := 0, 0
	err = rrdp.ParseSnapshot(io.TeeReader(pr, h), n.Header, func(p rrdp.Publish) error {
		objects++
		if strings.Contains(p.URI, "/padding/") {
			padding++
		}
		return nil
	})
	pr.Close()
	if err != nil {
		t.Fatal(err)
	}
	if padding != hugeExtraObjects || objects != len(real)+hugeExtraObjects {
		t.Fatalf("%d objects of which %d padding, want %d real ones and %d padding", objects, padding, len(real), hugeExtraObjects)
	}
	if !bytes.Equal(h.Sum(nil), n.Snapshot.Hash[:]) {
		t.Fatal("the snapshot does not match the hash its notification lists")
	}
}
