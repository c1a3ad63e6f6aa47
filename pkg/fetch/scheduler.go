package fetch

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/openrpki/validator/pkg/report"
	"github.com/openrpki/validator/pkg/rrdp"
	"github.com/openrpki/validator/pkg/rsync"
)

// Repo is a repository as a CA certificate names it: the rpkiNotify URI
// (RFC 8182 §3.2; may be empty) and the caRepository rsync URI.
type Repo struct {
	// Notify is the RRDP notification URI, or "".
	Notify string
	// Rsync is the caRepository URI (rsync://host/module/path/).
	Rsync string
}

// Outcome says how a repository fetch ended.
type Outcome string

// The outcomes.
const (
	// Updated: new data was stored.
	Updated Outcome = "updated"
	// Unchanged: the repository had nothing new.
	Unchanged Outcome = "unchanged"
	// Failed: the transport failed; cached data (if any) is used.
	Failed Outcome = "failed"
	// Backoff: skipped after recent failures; cached data is used.
	Backoff Outcome = "backoff"
	// Refused: the URI broke the dubious-host rule.
	Refused Outcome = "refused"
)

// Failed reports whether the outcome means the repository was not
// obtained; an unknown outcome counts as a failure, to be shown rather
// than hidden.
func (o Outcome) Failed() bool { return o != Updated && o != Unchanged }

// Result is the outcome of fetching one repository in a run.
type Result struct {
	// Repo is the repository asked for.
	Repo Repo
	// Source is the cache repository id to read this repository's objects
	// from (its notification URI or rsync module URI), or "" when the cache
	// holds nothing for it.
	Source string
	// Transport is the transport of the last attempt: "rrdp" or "rsync".
	Transport string
	// Outcome is the outcome of the last attempt.
	Outcome Outcome
	// Err is the last error, if any; Source may still hold older data.
	Err error
	// Serial is the RRDP serial held, 0 for rsync.
	Serial uint64
	// Bytes counts the bytes read by all attempts.
	Bytes int64
	// Duration is the wall time of all attempts.
	Duration time.Duration
}

// Scheduler fetches repositories. One Scheduler lives as long as the daemon,
// so backoff and fallback state carry over from run to run.
type Scheduler struct {
	o        Options
	log      *zap.Logger
	rrdp     *rrdp.Client
	rsync    *rsync.Runner
	httpSem  chan struct{}
	rsyncSem chan struct{}
	health   healthBook
}

// New returns a scheduler; Options.Cache is required.
func New(o Options) (*Scheduler, error) {
	if o.Cache == nil {
		return nil, errors.New("fetch: Options.Cache is required")
	}
	o = o.withDefaults()
	s := &Scheduler{o: o, log: o.Logger.Named("fetch"),
		httpSem: make(chan struct{}, o.MaxHTTPS), rsyncSem: make(chan struct{}, o.MaxRsync),
		health: healthBook{m: map[string]*health{}, base: o.BackoffBase, max: o.BackoffMax, now: o.Now}}
	ro := o.RRDP
	ro.Logger, ro.HTTPClient, ro.Now = o.Logger, o.HTTPClient, o.Now
	s.rrdp = rrdp.NewClient(ro)
	if !o.NoRsync {
		r, err := rsync.New(rsync.Options{Logger: o.Logger, Binary: o.RsyncBinary, Root: o.Cache.WorkRoot(),
			ConnectTimeout: o.RsyncIOTimeout, IOTimeout: o.RsyncIOTimeout, Timeout: o.RepoTimeout})
		if err != nil {
			return nil, fmt.Errorf("fetch: %w", err)
		}
		s.rsync = r
	}
	return s, nil
}

// Run is one validation run's view of the scheduler: each repository is
// fetched at most once, and everything stops at the run's deadline.
type Run struct {
	s      *Scheduler
	ctx    context.Context
	cancel context.CancelFunc
	mu     sync.Mutex
	calls  map[callKey]*call
}

// callKey names one fetch: a repository by its RRDP notification URI
// ("rrdp") or, without one, its rsync URI ("rsync"); an rsync module
// ("module"). A struct, not a joined string: every CA asks at every poll.
type callKey struct {
	kind, uri string
}

// call is one deduplicated fetch; done closes when res is set.
type call struct {
	done chan struct{}
	res  Result
}

// NewRun starts a run bounded by RunTimeout and ctx. Close it when done.
func (s *Scheduler) NewRun(ctx context.Context) *Run {
	ctx, cancel := context.WithTimeout(ctx, s.o.RunTimeout)
	return &Run{s: s, ctx: ctx, cancel: cancel, calls: map[callKey]*call{}}
}

// Close ends the run, cancelling fetches still going.
func (r *Run) Close() { r.cancel() }

// once runs f for key at most once per run; concurrent callers wait for the
// first one's result.
func (r *Run) once(key callKey, f func() Result) Result {
	r.mu.Lock()
	c, ok := r.calls[key]
	if !ok {
		c = &call{done: make(chan struct{})}
		r.calls[key] = c
	}
	r.mu.Unlock()
	if ok {
		<-c.done
		return c.res
	}
	defer close(c.done)
	c.res = f()
	return c.res
}

// Fetch brings repo up to date (once per run) and reports where its objects
// are. It is safe for concurrent use by the engine's workers.
func (r *Run) Fetch(repo Repo) Result {
	key := callKey{"rsync", repo.Rsync}
	if repo.Notify != "" {
		key = callKey{"rrdp", repo.Notify}
	}
	res := r.once(key, func() Result { return r.fetch(repo) })
	res.Repo = repo
	return res
}

// FetchAll fetches every repository in parallel (the caps still apply) in
// one run and returns the results in order.
func (s *Scheduler) FetchAll(ctx context.Context, repos []Repo) []Result {
	run := s.NewRun(ctx)
	defer run.Close()
	out := make([]Result, len(repos))
	var wg sync.WaitGroup
	for i, repo := range repos {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out[i] = run.Fetch(repo)
		}()
	}
	wg.Wait()
	return out
}

// fetch tries RRDP, then rsync as the policy allows, and picks the source.
func (r *Run) fetch(repo Repo) Result {
	start := time.Now()
	var res Result
	rsyncOK := repo.Rsync != "" && !r.s.o.NoRsync
	if repo.Notify != "" {
		res = r.viaRRDP(repo.Notify)
		ok := res.Outcome == Updated || res.Outcome == Unchanged
		// A refused (dubious) notify URI is ignored as if absent, as
		// Routinator does; otherwise the fallback policy decides.
		if ok || !rsyncOK || (res.Outcome != Refused && !r.fallback(repo.Notify)) {
			if res.Source == "" && rsyncOK {
				res.Source = r.cachedModule(repo.Rsync)
			}
			res.Duration = time.Since(start)
			return res
		}
		r.s.log.Info("falling back to rsync", zap.String("notify", repo.Notify), zap.Error(res.Err))
	}
	if !rsyncOK {
		res.Outcome, res.Err = Failed, fmt.Errorf("fetch: %+v: no usable transport", repo)
		return res
	}
	rres := r.viaRsync(repo.Rsync)
	rres.Bytes += res.Bytes
	if rres.Source == "" {
		rres.Source = res.Source
	}
	rres.Duration = time.Since(start)
	return rres
}

// fallback applies the policy to an RRDP repository that just failed.
func (r *Run) fallback(notify string) bool {
	h := r.s.health.get("rrdp:" + notify)
	return r.s.o.Fallback.shouldFallback(h.lastSuccess, r.s.o.Now(), r.s.o.FallbackAfter)
}

// acquire takes a slot of sem unless ctx ends first.
func acquire(ctx context.Context, sem chan struct{}) error {
	select {
	case sem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("fetch: waiting for a slot: %w", context.Cause(ctx))
	}
}

// attempt wraps one transport attempt: dubious check, backoff, slot, per
// repository deadline, health bookkeeping and the observer call.
func (r *Run) attempt(key, uri, transport string, sem chan struct{}, do func(ctx context.Context) (Result, error)) Result {
	start := time.Now()
	res := Result{Transport: transport}
	var err error
	now := r.s.o.Now()
	if h := r.s.health.get(key); now.Before(h.nextTry) {
		res.Outcome, err = Backoff, fmt.Errorf("%w: %s until %s", ErrBackoff, uri, h.nextTry.Format(time.RFC3339))
	} else if err = acquire(r.ctx, sem); err == nil {
		ctx, cancel := context.WithTimeout(r.ctx, r.s.o.RepoTimeout)
		res, err = do(ctx)
		cancel()
		<-sem
		res.Transport = transport
		if err != nil {
			res.Outcome = Failed
		}
	} else {
		res.Outcome = Failed
	}
	res.Err = err
	res.Duration = time.Since(start)
	r.s.record(key, Attempt{URI: uri, Transport: transport, Start: start, Duration: res.Duration, Bytes: res.Bytes,
		Serial: res.Serial, Outcome: res.Outcome, Err: err})
	return res
}

// record books an attempt in the health of key (a failure other than a
// refusal or a backoff skip backs the endpoint off further) and reports it
// to the observer.
func (s *Scheduler) record(key string, a Attempt) {
	s.health.record(key, a)
	s.o.Observer.Attempted(a)
}

// Health returns what the scheduler knows of each repository and TA
// certificate endpoint, those in trouble first. The daemon publishes it
// with each run; the HTTP API and the metrics read it from there.
func (s *Scheduler) Health() []report.Repository {
	if s == nil {
		return nil
	}
	return s.health.snapshot()
}

// cachedModule returns the cache id of caRepository's module if the cache
// holds data for it, else "".
func (r *Run) cachedModule(caRepository string) string {
	u, err := rsync.ParseURI(caRepository)
	if err != nil {
		return ""
	}
	if repo, err := r.s.o.Cache.Repo(u.ModuleURI()); err == nil && hasData(repo) {
		return u.ModuleURI()
	}
	return ""
}
