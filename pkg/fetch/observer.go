package fetch

import "time"

// Observer is the metrics hook (STYLE habit 10): pkg/metrics implements it
// without importing this package, since every argument is a standard type.
type Observer interface {
	// RepoDone reports one transport attempt on one repository: its URI
	// (notification URI or rsync module URI), transport ("rrdp" or
	// "rsync"), duration, decompressed bytes read, RRDP serial (0 for
	// rsync), outcome (an Outcome value) and error, if any.
	RepoDone(uri, transport string, d time.Duration, bytes int64, serial uint64, outcome string, err error)
}

// nopObserver discards reports.
type nopObserver struct{}

// RepoDone implements Observer.
func (nopObserver) RepoDone(string, string, time.Duration, int64, uint64, string, error) {}
