package validate

import (
	"log/slog"
	"time"
)

// Limits of one run (rpki-client extern.h has the same kind).
const (
	// DefaultWorkers is the number of CAs processed at once: most of a
	// CA's time is spent waiting for its repository, so more than cores.
	DefaultWorkers = 64
	// DefaultMaxCAsPerTA cuts off a trust anchor that issues endless CAs.
	DefaultMaxCAsPerTA = 200_000
	// DefaultMaxObjectsPerTA bounds the objects validated below one TA.
	DefaultMaxObjectsPerTA = 5_000_000
	// DefaultMaxReposPerTA bounds the repositories (rsync module and
	// RRDP notification URI) the CAs below one TA may have fetched:
	// rpki-client's MAX_REPO_PER_TAL. The production RPKI has about 100
	// in all, so a TA past it is one whose CAs spread over hosts to
	// exhaust the relying party.
	DefaultMaxReposPerTA = 1000
	// DefaultRunTimeout bounds a whole run, validation included. The
	// fetches of a run stop earlier (fetch.DefaultRunTimeout, 20
	// minutes), after which the rest validates from the cache: this
	// bound is the backstop that a run always ends.
	DefaultRunTimeout = 40 * time.Minute
)

// Options configure an Engine (STYLE habit 10: zero values mean defaults).
type Options struct {
	// Logger receives the engine's few messages (failing trust
	// anchors, recovered panics); nil means no logging. A standard
	// logger: the engine stays free of the network stack that zap
	// imports (pkg/logging bridges the daemon's zap logger).
	Logger *slog.Logger
	// Now is the validation clock; nil means time.Now (--now sets it).
	Now func() time.Time
	// Source fetches repositories. Required.
	Source Source
	// RunTimeout bounds a whole run; a run cut short returns an error.
	RunTimeout time.Duration
	// Workers bounds the CAs processed at once.
	Workers int
	// MaxDepth bounds the certificate chain below a TA.
	MaxDepth int
	// MaxCAsPerTA and MaxObjectsPerTA cut off a runaway trust anchor.
	MaxCAsPerTA, MaxObjectsPerTA int
	// MaxReposPerTA bounds the repositories fetched for one trust
	// anchor: a CA whose repository is past it is not fetched, and its
	// point falls back to its last validated copy, if any.
	MaxReposPerTA int
	// Reconsidered applies RFC 8360 "validation reconsidered" to CA
	// certificates: one over-claiming its issuer keeps the resources the
	// issuer holds (the intersection) instead of being rejected, so
	// objects within them stay valid. Off by default (RFC 6487 §7.2,
	// strict, as rpki-client). EE certificates are always strict.
	Reconsidered bool
	// Observer receives per-object and per-publication-point outcomes;
	// nil means none.
	Observer Observer
	// NoSources leaves the table's Sources out (nil): the CAs and objects
	// the payload came from, which the explain API and the jsonext,
	// csvext and summary formats print, cost about 15 MB at global scale,
	// a fifth of a one-shot run's heap. validator vrps sets it for the
	// formats that print none of it.
	NoSources bool
	// OneShot is set by callers that run the engine once (validator
	// vrps): it then keeps no memory of publication points for a next
	// run, which saves a copy of the whole output.
	OneShot bool
	// BuildingTable, when set, is called as a run starts building a new
	// table (not when the last one stands): for a moment the caller holds
	// the old table and the new one. The daemon lifts its memory limit.
	BuildingTable func()
}

// Observer is the metrics hook of the engine.
type Observer interface {
	// ObjectsDone reports n objects of one type ("roa", "cert", ...) and
	// verdict ("valid", or the class of its rejection): a point's counts
	// at once (a poll reuses 700,000 objects at global scale).
	ObjectsDone(typ, verdict string, n int)
	// PubPointDone reports one publication point: "fresh" when the
	// fetched copy was used, "cached" for the last validated copy,
	// "failed" when neither was usable.
	PubPointDone(uri, outcome string)
	// TAReplayed reports a TA certificate refused because it is older
	// than the one accepted before.
	TAReplayed(ta string)
	// Panicked reports a panic recovered in component ("validate"): what
	// was being processed was rejected instead of the process ending.
	Panicked(component string)
}

type nopObserver struct{}

func (nopObserver) ObjectsDone(string, string, int) {}
func (nopObserver) PubPointDone(string, string)     {}
func (nopObserver) TAReplayed(string)               {}
func (nopObserver) Panicked(string)                 {}

func (o Options) withDefaults() Options {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Workers <= 0 {
		o.Workers = DefaultWorkers
	}
	if o.MaxDepth <= 0 {
		o.MaxDepth = maxCertDepth
	}
	if o.MaxCAsPerTA <= 0 {
		o.MaxCAsPerTA = DefaultMaxCAsPerTA
	}
	if o.MaxObjectsPerTA <= 0 {
		o.MaxObjectsPerTA = DefaultMaxObjectsPerTA
	}
	if o.MaxReposPerTA <= 0 {
		o.MaxReposPerTA = DefaultMaxReposPerTA
	}
	if o.Observer == nil {
		o.Observer = nopObserver{}
	}
	if o.RunTimeout <= 0 {
		o.RunTimeout = DefaultRunTimeout
	}
	return o
}
