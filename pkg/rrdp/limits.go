package rrdp

import "time"

// Limits checked where data enters (STYLE habit 3; rpki-client extern.h).
// Options.Limits may lower or raise them per client; zero fields take these
// defaults.
const (
	// MaxNotificationSize bounds a notification file after decompression.
	MaxNotificationSize = 32 << 20
	// MaxSnapshotSize bounds a snapshot file after decompression, checked
	// as it streams in. The largest real snapshot was about 530 MB in 2025
	// (FORT's count; 150 MB in 2021); FORT refuses files over 1 GB by
	// default (http.max-file-size, at most 2 GB). Nothing of a snapshot is
	// held in memory (pkg/cache spools it), so the limit only bounds the
	// disk and time a hostile server can take.
	MaxSnapshotSize = 2 << 30
	// MaxDeltaSize bounds one delta file after decompression.
	MaxDeltaSize = 256 << 20
	// MaxObjectSize bounds one published object after base64 decoding
	// (rpki-client MAX_FILE_SIZE 8000000; Routinator's max-object-size is
	// 20 MB). The cache applies the same limit (cache.MaxObjectSize).
	MaxObjectSize = 8_000_000
	// MaxDeltas is the longest chain of deltas fetched before the snapshot is
	// preferred (rpki-client MAX_RRDP_DELTAS).
	MaxDeltas = 300
	// MaxURILength bounds any URI in an RRDP file (rpki-client MAX_URI_LENGTH).
	MaxURILength = 2048
	// MaxNotificationDeltas bounds the delta elements listed in one
	// notification file.
	MaxNotificationDeltas = 100_000
	// MaxRedirects bounds the same-origin HTTP redirects followed per request.
	MaxRedirects = 5
)

// Default timeouts of the HTTP client.
const (
	// DefaultConnectTimeout bounds the TCP connect and the TLS handshake.
	DefaultConnectTimeout = 15 * time.Second
	// DefaultIdleTimeout bounds the wait for the response headers and for
	// each read of the body: a server that stops sending is dropped.
	DefaultIdleTimeout = 30 * time.Second
	// DefaultReinitInterval is the mean interval after which a repository is
	// re-initialised from its snapshot even though its deltas are usable
	// (not required by any RFC: it bounds how long a desynchronisation that RFC
	// 9697 §3 cannot detect, such as a mutated snapshot, can persist; RFC 9697 §6).
	DefaultReinitInterval = 7 * 24 * time.Hour
)

// Limits are the size limits one Client enforces.
type Limits struct {
	// Notification bounds a notification file, in bytes after decompression.
	Notification int64
	// Snapshot bounds a snapshot file, in bytes after decompression.
	Snapshot int64
	// Delta bounds one delta file, in bytes after decompression.
	Delta int64
	// Object bounds one published object after base64 decoding.
	Object int
	// Deltas is the longest delta chain applied instead of the snapshot.
	Deltas int
}

// DefaultLimits returns the limits of limits.go.
func DefaultLimits() Limits {
	return Limits{
		Notification: MaxNotificationSize,
		Snapshot:     MaxSnapshotSize,
		Delta:        MaxDeltaSize,
		Object:       MaxObjectSize,
		Deltas:       MaxDeltas,
	}
}

// withDefaults fills zero fields with the defaults.
func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	if l.Notification <= 0 {
		l.Notification = d.Notification
	}
	if l.Snapshot <= 0 {
		l.Snapshot = d.Snapshot
	}
	if l.Delta <= 0 {
		l.Delta = d.Delta
	}
	if l.Object <= 0 {
		l.Object = d.Object
	}
	if l.Deltas <= 0 {
		l.Deltas = d.Deltas
	}
	return l
}
