package validate

import (
	"runtime/metrics"
	"strings"
	"testing"
	"time"

	"github.com/openrpki/validator/pkg/fetch"
	"github.com/openrpki/validator/pkg/lab"
)

// TestEngineHugeSnapshot serves a lab one of whose publication servers
// carries fault huge-snapshot: a well-formed snapshot, with its true hash,
// padded past the cache's objects-per-repository limit. The RRDP fetch of
// that server must fail on the limit while the snapshot streams, with the
// heap bounded (an index of every URI took about 200 MB for the million
// objects), and the rsync fallback must still give the expected output.
func TestEngineHugeSnapshot(t *testing.T) {
	l := serveLab(t, lab.Config{Preset: "small", Seed: 31, Faults: []string{"huge-snapshot"}})
	rec := &fetchRecorder{failed: map[string]string{}}
	stop, peak := sampleHeapPeak()
	res := validateLab(t, l, t.TempDir(), fetch.SourceOptions{Options: fetch.Options{RepoTimeout: time.Minute, Observer: rec}})
	stop()
	sameAsExpected(t, l, res)
	if len(rec.failed) != 1 {
		t.Fatalf("%d RRDP repositories failed, want the huge one: %v", len(rec.failed), rec.failed)
	}
	for uri, err := range rec.failed {
		if !strings.Contains(err, "objects-per-repository limit") {
			t.Errorf("%s failed with %q, want the objects-per-repository limit", uri, err)
		}
	}
	if *peak > 128<<20 {
		t.Errorf("peak heap %d MB while the huge snapshot streamed", *peak>>20)
	}
	t.Logf("peak heap %d MB; %v", *peak>>20, rec.failed)
}

// sampleHeapPeak samples the heap in use (as MemStats.HeapInuse) every
// 5 ms until stop is called, and records its largest value.
func sampleHeapPeak() (stop func(), peak *uint64) {
	peak = new(uint64)
	done, finished := make(chan struct{}), make(chan struct{})
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/memory/classes/heap/unused:bytes"}}
	go func() {
		defer close(finished)
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			metrics.Read(s)
			*peak = max(*peak, s[0].Value.Uint64()+s[1].Value.Uint64())
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	}()
	return func() { close(done); <-finished }, peak
}
