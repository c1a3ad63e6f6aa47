package httpapi

import "time"

// Limits of the API (STYLE habit 3: named, enforced where data enters).
const (
	// MaxBulkRoutes bounds the routes of one bulk validity request.
	MaxBulkRoutes = 10_000
	// MaxBulkBodyBytes bounds the body of a bulk validity or ASPA request
	// (about 100 bytes per route).
	MaxBulkBodyBytes = 2 << 20
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
)
