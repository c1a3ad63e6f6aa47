package fetch

import (
	"net/http"
	"time"

	"go.uber.org/zap"

	"github.com/openrpki/validator/pkg/cache"
	"github.com/openrpki/validator/pkg/rrdp"
)

// Defaults of Options.
const (
	// DefaultMaxHTTPS is the number of RRDP repositories fetched at once.
	DefaultMaxHTTPS = 16
	// DefaultMaxRsync is the number of rsync processes run at once.
	DefaultMaxRsync = 4
	// DefaultRepoTimeout bounds one repository's fetch (each transport).
	DefaultRepoTimeout = 5 * time.Minute
	// DefaultRunTimeout bounds a whole run.
	DefaultRunTimeout = 20 * time.Minute
	// DefaultTATimeout bounds one attempt at a trust anchor certificate:
	// a file of a few kilobytes, so a server that trickles it is cut off
	// long before a repository would be.
	DefaultTATimeout = time.Minute
	// DefaultFallbackAfter is how long RRDP may fail, counted from its last
	// success, before the stale policy tries rsync (Routinator's
	// rrdp-fallback-time default).
	DefaultFallbackAfter = time.Hour
	// DefaultBackoffBase is the wait after a repository's first failure;
	// it doubles with each further failure.
	DefaultBackoffBase = 2 * time.Minute
	// DefaultBackoffMax caps the backoff.
	DefaultBackoffMax = time.Hour
)

// Options configure a Scheduler (STYLE habit 10: nil or zero means default).
type Options struct {
	// Logger is named "fetch"; nil means no logging.
	Logger *zap.Logger
	// HTTPClient is shared by all RRDP fetches; nil means
	// rrdp.NewHTTPClient with RootCAs.
	HTTPClient *http.Client
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Observer receives one call per transport attempt; nil means none.
	Observer Observer
	// Cache stores the results. Required.
	Cache *cache.Store
	// RRDP configures the RRDP client (limits, idle timeout, reinit); its
	// Logger, HTTPClient and Now are taken from these options.
	RRDP rrdp.Options
	// RsyncBinary is the rsync program; empty means the system rsync.
	RsyncBinary string
	// RsyncIOTimeout is rsync's --timeout and --contimeout.
	RsyncIOTimeout time.Duration
	// NoRsync disables rsync entirely.
	NoRsync bool
	// MaxHTTPS and MaxRsync cap parallel fetches per transport.
	MaxHTTPS, MaxRsync int
	// RepoTimeout bounds one transport attempt on one repository.
	RepoTimeout time.Duration
	// RunTimeout bounds a whole Run.
	RunTimeout time.Duration
	// TATimeout bounds one attempt at a trust anchor certificate.
	TATimeout time.Duration
	// Fallback is the RRDP to rsync policy; empty means FallbackStale.
	Fallback Policy
	// FallbackAfter is the stale policy's threshold.
	FallbackAfter time.Duration
	// BackoffBase and BackoffMax shape the backoff of failing repositories.
	BackoffBase, BackoffMax time.Duration
	// AllowDubiousHosts accepts localhost, IP literals, explicit ports and
	// non-https notification URIs (labs and tests only).
	AllowDubiousHosts bool
}

// withDefaults fills zero fields.
func (o Options) withDefaults() Options {
	if o.Logger == nil {
		o.Logger = zap.NewNop()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Observer == nil {
		o.Observer = nopObserver{}
	}
	setDefault(&o.MaxHTTPS, DefaultMaxHTTPS)
	setDefault(&o.MaxRsync, DefaultMaxRsync)
	setDefault(&o.RepoTimeout, DefaultRepoTimeout)
	setDefault(&o.RunTimeout, DefaultRunTimeout)
	setDefault(&o.TATimeout, DefaultTATimeout)
	setDefault(&o.FallbackAfter, DefaultFallbackAfter)
	setDefault(&o.BackoffBase, DefaultBackoffBase)
	setDefault(&o.BackoffMax, DefaultBackoffMax)
	if o.Fallback == "" {
		o.Fallback = FallbackStale
	}
	return o
}

// setDefault sets *v to d when it is not positive.
func setDefault[T int | time.Duration](v *T, d T) {
	if *v <= 0 {
		*v = d
	}
}
