package httpapi

import (
	"cmp"
	"slices"
	"sync"
	"time"
)

// RepoObserver has the method set of fetch.Observer; Repos forwards every
// report to the next one (typically the metrics), so the daemon passes a
// single observer to the fetch scheduler.
type RepoObserver interface {
	RepoDone(uri, transport string, d time.Duration, bytes int64, serial uint64, outcome string, err error)
}

// RepoStatus is what is known of one repository transport.
type RepoStatus struct {
	URI       string `json:"uri"`
	Transport string `json:"transport"`
	// Outcome is the fetch outcome of the last attempt ("updated",
	// "unchanged", "failed", "backoff", "refused").
	Outcome string `json:"outcome"`
	// Failing is true when the last attempt did not get the repository.
	Failing bool `json:"failing"`
	// Failures counts consecutive failed attempts.
	Failures     int           `json:"consecutive_failures"`
	LastAttempt  time.Time     `json:"last_attempt"`
	LastSuccess  time.Time     `json:"last_success,omitzero"`
	LastError    string        `json:"last_error,omitempty"`
	LastDuration time.Duration `json:"last_duration_ns"`
	Bytes        int64         `json:"bytes"`
	// Serial is the RRDP serial (0 for rsync).
	Serial uint64 `json:"serial,omitempty"`
}

// Repos records the outcome of the last fetch of each repository and
// transport. It is written by the fetch scheduler's goroutines and read by
// status requests; both are rare next to payload reads, so a mutex is
// enough. At most MaxRepoEntries are kept.
type Repos struct {
	next RepoObserver
	now  func() time.Time
	mu   sync.Mutex
	m    map[repoKey]*RepoStatus
}

type repoKey struct{ uri, transport string }

// NewRepos returns an empty record that forwards reports to next (nil for
// none); now stamps the reports (nil means time.Now).
func NewRepos(next RepoObserver, now func() time.Time) *Repos {
	if now == nil {
		now = time.Now
	}
	return &Repos{next: next, now: now, m: map[repoKey]*RepoStatus{}}
}

// failed reports whether an outcome means the repository was not
// obtained. Unknown outcomes count as failures, to be shown rather than
// hidden.
func failed(outcome string) bool {
	return outcome != "updated" && outcome != "unchanged"
}

// RepoDone records one attempt; it implements fetch.Observer.
func (r *Repos) RepoDone(uri, transport string, d time.Duration, bytes int64, serial uint64, outcome string, err error) {
	now := r.now()
	r.mu.Lock()
	st := r.entry(repoKey{uri, transport}, now)
	st.Outcome, st.LastAttempt, st.LastDuration, st.Bytes = outcome, now, d, bytes
	st.Failing = failed(outcome) || err != nil
	if serial != 0 {
		st.Serial = serial
	}
	if st.Failing {
		st.Failures++
		if err != nil {
			st.LastError = err.Error()
		}
	} else {
		st.Failures, st.LastSuccess, st.LastError = 0, now, ""
	}
	r.mu.Unlock()
	if r.next != nil {
		r.next.RepoDone(uri, transport, d, bytes, serial, outcome, err)
	}
}

// entry returns the record of k, making room when full by forgetting the
// repository attempted longest ago.
func (r *Repos) entry(k repoKey, now time.Time) *RepoStatus {
	if st, ok := r.m[k]; ok {
		return st
	}
	if len(r.m) >= MaxRepoEntries {
		var oldest repoKey
		first := true
		for key, st := range r.m {
			if first || st.LastAttempt.Before(r.m[oldest].LastAttempt) {
				oldest, first = key, false
			}
		}
		delete(r.m, oldest)
	}
	st := &RepoStatus{URI: k.uri, Transport: k.transport, LastAttempt: now}
	r.m[k] = st
	return st
}

// Snapshot returns a copy of the records, repositories in trouble first
// (most consecutive failures first), then by URI and transport.
func (r *Repos) Snapshot() []RepoStatus {
	if r == nil {
		return nil
	}
	r.mu.Lock()
	out := make([]RepoStatus, 0, len(r.m))
	for _, st := range r.m {
		out = append(out, *st)
	}
	r.mu.Unlock()
	slices.SortFunc(out, func(a, b RepoStatus) int {
		if a.Failing != b.Failing {
			if a.Failing {
				return -1
			}
			return 1
		}
		return cmp.Or(cmp.Compare(b.Failures, a.Failures), cmp.Compare(a.URI, b.URI), cmp.Compare(a.Transport, b.Transport))
	})
	return out
}
