package fetch

import "time"

// Attempt is one transport attempt on one repository or trust anchor
// certificate: what the scheduler decided of it, for the metrics.
type Attempt struct {
	// URI is the notification URI, the rsync module URI or the TA
	// certificate URI.
	URI string
	// Transport is "rrdp", "rsync" or "https" (a TA certificate).
	Transport string
	// Start is when the attempt began; Duration how long it took.
	Start    time.Time
	Duration time.Duration
	// Bytes counts the decompressed bytes read.
	Bytes int64
	// Serial is the RRDP serial held afterwards (0 for rsync).
	Serial uint64
	// Outcome says how the attempt ended; Err why it failed, if it did.
	Outcome Outcome
	Err     error
}

// Failed reports whether the attempt did not get the repository.
func (a Attempt) Failed() bool { return a.Outcome.Failed() }

// Observer is the metrics hook (STYLE habit 10). Repository health (the
// last outcome of each repository) is the scheduler's own: see
// Scheduler.Health.
type Observer interface {
	// Attempted reports one transport attempt.
	Attempted(Attempt)
}

// nopObserver discards reports.
type nopObserver struct{}

// Attempted implements Observer.
func (nopObserver) Attempted(Attempt) {}
