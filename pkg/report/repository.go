package report

import (
	"cmp"
	"slices"
	"time"
)

// Repository is what is known of one repository transport (or trust
// anchor certificate URI), kept by the fetch scheduler across runs.
type Repository struct {
	URI string `json:"uri"`
	// Transport is "rrdp", "rsync" or "https" (a TA certificate).
	Transport string `json:"transport"`
	// Outcome is the outcome of the last attempt ("updated",
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
	// NextTry is when a failing repository will be tried again (backoff).
	NextTry time.Time `json:"next_try,omitzero"`
}

// SortRepositories puts the repositories in trouble first (most
// consecutive failures first), then orders by URI and transport.
func SortRepositories(list []Repository) {
	slices.SortFunc(list, func(a, b Repository) int {
		if a.Failing != b.Failing {
			if a.Failing {
				return -1
			}
			return 1
		}
		return cmp.Or(cmp.Compare(b.Failures, a.Failures), cmp.Compare(a.URI, b.URI), cmp.Compare(a.Transport, b.Transport))
	})
}

// Troubled counts the repositories whose last attempt failed.
func Troubled(list []Repository) int {
	n := 0
	for _, r := range list {
		if r.Failing {
			n++
		}
	}
	return n
}
