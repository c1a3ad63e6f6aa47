package httpapi

import (
	"net/http"
	"time"

	"go.uber.org/zap"
)

// Options configure the API handler (STYLE habit 10: zero values mean
// defaults).
type Options struct {
	// Logger is named "http"; nil means no logging. Nothing is logged per
	// request.
	Logger *zap.Logger
	// Current returns the view to serve, nil before the first run. It is
	// called once per request and must not block (an atomic load).
	Current func() *View
	// Repos records per-repository fetch status for /api/v1/status and
	// the status page; nil means none is shown.
	Repos *Repos
	// Metrics serves /metrics; nil means 404.
	Metrics http.Handler
	// Observer receives one report per request; nil means none.
	Observer RequestObserver
	// MaxAge is how old the data may be for /readyz to answer 200;
	// zero means DefaultMaxAge.
	MaxAge time.Duration
	// Confirmed returns when the data was last confirmed by a validation
	// run, which may be later than the view's Updated when a run found
	// nothing new (the daemon then keeps the view and its encodings); nil
	// means Updated alone tells the data's age.
	Confirmed func() time.Time
	// Version is reported by /version and the status page.
	Version string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// RequestObserver receives one report per HTTP request, for metrics.
// handler is the route pattern that served it ("GET /json", "other" when
// none matched), so its cardinality is bounded.
type RequestObserver interface {
	HTTPRequest(handler string, code int, d time.Duration, bytes int64)
}

func (o Options) withDefaults() Options {
	if o.Logger == nil {
		o.Logger = zap.NewNop()
	}
	o.Logger = o.Logger.Named("http")
	if o.Current == nil {
		o.Current = func() *View { return nil }
	}
	if o.MaxAge <= 0 {
		o.MaxAge = DefaultMaxAge
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

// api holds the handlers' shared state.
type api struct {
	o Options
}

// updated returns when v's data was last confirmed fresh.
func (a *api) updated(v *View) time.Time {
	if a.o.Confirmed != nil {
		if c := a.o.Confirmed(); c.After(v.Updated) {
			return c
		}
	}
	return v.Updated
}

// New returns the API handler.
func New(o Options) http.Handler {
	a := &api{o: o.withDefaults()}
	mux := http.NewServeMux()
	for i, name := range formatNames {
		mux.HandleFunc("GET /"+name, func(w http.ResponseWriter, r *http.Request) { a.serveFormat(w, r, i) })
	}
	mux.HandleFunc("GET /api/v1/validity/{asn}/{prefix...}", a.validityOne)
	mux.HandleFunc("POST /api/v1/validity", a.validityBulk)
	mux.HandleFunc("GET /api/v1/aspa", a.aspaGet)
	mux.HandleFunc("POST /api/v1/aspa", a.aspaPost)
	mux.HandleFunc("GET /api/v1/status", a.status)
	mux.HandleFunc("GET /healthz", a.healthz)
	mux.HandleFunc("GET /readyz", a.readyz)
	mux.HandleFunc("GET /version", a.version)
	mux.HandleFunc("GET /{$}", a.page)
	mux.HandleFunc("GET /status", a.page)
	if o.Metrics != nil {
		mux.Handle("GET /metrics", o.Metrics)
	}
	if a.o.Observer == nil {
		return mux
	}
	return observe(mux, a.o.Observer)
}

// NewServer returns an http.Server for h with the timeouts of limits.go,
// so that a slow or idle client cannot hold a connection forever.
func NewServer(addr string, h http.Handler) *http.Server {
	return &http.Server{
		Addr:              addr,
		Handler:           h,
		ReadHeaderTimeout: ReadHeaderTimeout,
		ReadTimeout:       ReadTimeout,
		WriteTimeout:      WriteTimeout,
		IdleTimeout:       IdleTimeout,
		MaxHeaderBytes:    64 << 10,
	}
}
