package httpapi

import (
	"net/http"
	"sync/atomic"
	"time"

	"go.uber.org/zap"

	"github.com/openrpki/validator/pkg/output"
	"github.com/openrpki/validator/pkg/state"
)

// Options configure the API handler (STYLE habit 10: zero values mean
// defaults).
type Options struct {
	// Logger is named "http"; nil means no logging. Nothing is logged per
	// request.
	Logger *zap.Logger
	// State returns the published state, nil before the first
	// publication. It is called once per request and must not block (an
	// atomic load: state.Publisher.Load).
	State func() *state.State
	// Metrics serves /metrics; nil means 404.
	Metrics http.Handler
	// Debug serves /debug/pprof/ (the daemon's net/http/pprof handlers,
	// when http.pprof is on); nil means 404.
	Debug http.Handler
	// Observer receives one report per request; nil means none.
	Observer RequestObserver
	// MaxAge is how old the data may be for /readyz to answer 200;
	// zero means DefaultMaxAge.
	MaxAge time.Duration
	// Version is reported by /version and the status page.
	Version string
	// TALFiles are the TAL files rpki-client's formats list.
	TALFiles []string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Progress returns how far the current validation run is; nil means
	// none is shown. It must not block (validate.Engine.Progress reads
	// atomics).
	Progress func() RunProgress
	// Sessions returns the connected RTR sessions; nil means none are
	// shown. It must not block on a router.
	Sessions func() []SessionStatus

	// notifyPoll overrides NotifyPoll (tests).
	notifyPoll time.Duration
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
	if o.State == nil {
		o.State = func() *state.State { return nil }
	}
	if o.MaxAge <= 0 {
		o.MaxAge = DefaultMaxAge
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.notifyPoll <= 0 {
		o.notifyPoll = NotifyPoll
	}
	return o
}

// api holds the handlers' shared state.
type api struct {
	o    Options
	post *postLimiter // bounds the POST handlers (postlimit.go)
	// session identifies this API's serial history in json-delta and
	// ETags: the time it was made, in milliseconds (Routinator uses
	// seconds).
	session uint64
	// view is the view of the table served last (viewOf); views numbers
	// them.
	view  atomic.Pointer[View]
	views atomic.Uint64
	// streams bounds the documents written at once; waiters counts the
	// clients waiting on /json-delta/notify.
	streams    slots
	waiters    atomic.Int64
	notifyPoll time.Duration
}

// New returns the API handler.
func New(o Options) http.Handler {
	o = o.withDefaults()
	a := &api{o: o, post: newPostLimiter(MaxConcurrentPOST, PostQueueWait), session: uint64(o.Now().UnixMilli()),
		streams: make(slots, MaxStreams), notifyPoll: o.notifyPoll}
	mux := http.NewServeMux()
	// post registers a POST route behind the limiter: every POST reads a
	// body, so none may go around it (a bulk route once did: 100
	// concurrent 2 MiB bodies took the heap 644 MiB up).
	post := func(path string, h http.HandlerFunc) { mux.HandleFunc("POST "+path, a.post.wrap(h)) }
	for _, name := range output.Formats() {
		mux.HandleFunc("GET /"+name, func(w http.ResponseWriter, r *http.Request) { a.serveFormat(w, r, name) })
	}
	mux.HandleFunc("GET /api/v1/origins/{$}", func(w http.ResponseWriter, r *http.Request) { a.serveFormat(w, r, "json") })
	mux.HandleFunc("GET /json-delta", a.jsonDelta)
	mux.HandleFunc("GET /json-delta/notify", a.jsonDeltaNotify)
	mux.HandleFunc("GET /validity", a.validityQuery)
	post("/validity", a.validityBulk)
	mux.HandleFunc("GET /api/v1/validity/{asn}/{prefix...}", a.validityOne)
	post("/api/v1/validity", a.validityBulk)
	mux.HandleFunc("GET /api/v1/aspa", a.aspaGet)
	post("/api/v1/aspa", a.aspaPost)
	mux.HandleFunc("GET /api/v1/status", a.status)
	mux.HandleFunc("GET /api/v1/rejected", a.rejected)
	mux.HandleFunc("GET /api/v1/explain/{asn}/{prefix...}", a.explain)
	mux.HandleFunc("GET /lookup", a.lookup)
	mux.HandleFunc("GET /healthz", a.healthz)
	mux.HandleFunc("GET /readyz", a.readyz)
	mux.HandleFunc("GET /version", a.version)
	mux.HandleFunc("GET /{$}", a.page)
	mux.HandleFunc("GET /status", a.page)
	if o.Debug != nil {
		mux.Handle("/debug/pprof/", o.Debug)
	}
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
