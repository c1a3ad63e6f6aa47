package httpapi

import "time"

// Limits of the API (STYLE habit 3: named, enforced where data enters).
const (
	// MaxBulkRoutes bounds the routes of one bulk validity request.
	MaxBulkRoutes = 10_000
	// MaxBulkBodyBytes bounds the body of a bulk validity or ASPA request
	// (about 100 bytes per route).
	MaxBulkBodyBytes = 2 << 20
	// MaxConcurrentPOST bounds the POST requests (bulk validity, ASPA)
	// answered at once, so that the heap stays bounded whatever the
	// number of clients: 4 bulk requests cost about 40 MB at most.
	MaxConcurrentPOST = 4
	// PostQueueWait is how long a POST waits for a slot before the 503;
	// PostRetryAfter is the Retry-After it then carries.
	PostQueueWait  = 2 * time.Second
	PostRetryAfter = 1 * time.Second
	// MaxASPAPathLen bounds the AS_PATH of an ASPA check. BGP paths longer
	// than this are operationally meaningless; the procedure is linear.
	MaxASPAPathLen = 1024
	// MaxTroubleRows bounds the repositories in trouble shown on the
	// status page (the JSON status lists them all).
	MaxTroubleRows = 100
	// MaxStatusRejected bounds the rejected objects and the troubled
	// publication points in /api/v1/status and on the status page
	// (/api/v1/rejected lists them all).
	MaxStatusRejected = 100
	// DefaultMaxAge is the data age above which /readyz fails when
	// Options.MaxAge is zero.
	DefaultMaxAge = 2 * time.Hour
	// ReadHeaderTimeout, ReadTimeout, WriteTimeout and IdleTimeout are the
	// timeouts NewServer sets. The write timeout leaves time to send a
	// 600k-VRP JSON table (about 50 MB) over a slow link.
	ReadHeaderTimeout = 10 * time.Second
	ReadTimeout       = 30 * time.Second
	WriteTimeout      = 5 * time.Minute
	IdleTimeout       = 2 * time.Minute

	// MaxStreams bounds the data documents (output formats, json-delta)
	// written at once; each costs a 64 KiB buffer and, gzipped, about
	// 1.1 MB of compressor: at most about 38 MB in all. A request waits
	// up to StreamSlotWait for a slot, then gets 503 with Retry-After.
	MaxStreams     = 32
	StreamSlotWait = 30 * time.Second
	// GzipLevel is the compression level of data documents, made on the
	// fly per request. For the 600k-VRP /json (53 MB, about 0.43 s to
	// render) level 1 sends 4.6 MB for about 0.4 s more; level 4 3.7 MB
	// for 0.95 s; the default level 6 3.5 MB for 1.4 s; Huffman only
	// 31 MB (BenchmarkGzipLevels600k): level 1 sends 30 % more than the
	// default for less than a third of the CPU.
	GzipLevel = 1
	// MaxNotifyWaiters bounds the clients of /json-delta/notify waiting
	// for a change at once; each holds a goroutine and a connection.
	MaxNotifyWaiters = 1024
	// NotifyMaxWait is how long /json-delta/notify waits for a change
	// before answering the unchanged state (the client asks again); it
	// stays below WriteTimeout.
	NotifyMaxWait = 4 * time.Minute
	// NotifyPoll is how often a waiting /json-delta/notify looks at the
	// published state: the daemon publishes at most every few minutes.
	NotifyPoll = time.Second
)
