package fetch

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/openrpki/validator/pkg/cache"
	"github.com/openrpki/validator/pkg/logging"
	"github.com/openrpki/validator/pkg/rrdp"
	"github.com/openrpki/validator/pkg/rsync"
)

// Source is what the validation engine reads from: the cache and the
// scheduler that fills it (nil for an offline run over the cache alone).
// It implements the engine's Source through a Session per run.
type Source struct {
	store *cache.Store
	sched *Scheduler
	// rsyncOnly ignores the RRDP notification URIs of CA certificates.
	rsyncOnly bool
}

// SourceOptions configure OpenSource.
type SourceOptions struct {
	Options
	// CACert is a PEM file of TLS roots replacing the system's (a lab).
	CACert string
	// RsyncOnly ignores RRDP.
	RsyncOnly bool
	// Offline fetches nothing: validation runs over the cache alone.
	Offline bool
}

// OpenSource opens the cache in dir and, unless offline, a scheduler over
// it. Close releases the cache.
func OpenSource(dir string, o SourceOptions) (*Source, error) {
	var clog *slog.Logger
	if o.Logger != nil {
		clog = logging.Slog(o.Logger.Named("cache"))
	}
	store, err := cache.Open(dir, cache.Options{Logger: clog})
	if err != nil {
		return nil, err
	}
	src := &Source{store: store, rsyncOnly: o.RsyncOnly}
	if o.Offline {
		return src, nil
	}
	if o.HTTPClient == nil {
		var hopt rrdp.HTTPOptions
		if o.CACert != "" {
			if hopt.RootCAs, err = rrdp.LoadRootCAs(o.CACert); err != nil {
				store.Close()
				return nil, err
			}
		}
		o.HTTPClient = rrdp.NewHTTPClient(hopt)
	}
	o.Cache = store
	if src.sched, err = New(o.Options); err != nil {
		store.Close()
		return nil, err
	}
	return src, nil
}

// NewSource returns a Source over an open store and scheduler (nil for
// offline), for callers that build them themselves (tests).
func NewSource(store *cache.Store, sched *Scheduler, rsyncOnly bool) *Source {
	return &Source{store: store, sched: sched, rsyncOnly: rsyncOnly}
}

// Store returns the cache.
func (s *Source) Store() *cache.Store { return s.store }

// Scheduler returns the scheduler, nil when offline.
func (s *Source) Scheduler() *Scheduler { return s.sched }

// Close releases the cache.
func (s *Source) Close() error { return s.store.Close() }

// ErrOffline marks a fetch not made because the run is offline.
var ErrOffline = errors.New("fetch: offline: not fetched")

// Session is one validation run's view of a Source: each repository is
// fetched at most once in it.
type Session struct {
	src *Source
	run *Run // nil when offline
	// quick re-checks RRDP repositories only: rsync repositories come
	// from the cache (the engine's polls between full runs).
	quick bool
}

// Begin starts a session bounded by ctx and the run deadline.
func (s *Source) Begin(ctx context.Context, quick bool) *Session {
	se := &Session{src: s, quick: quick}
	if s.sched != nil {
		se.run = s.sched.NewRun(ctx)
	}
	return se
}

// Close ends the session, cancelling fetches still going.
func (se *Session) Close() {
	if se.run != nil {
		se.run.Close()
	}
}

// Repository brings the repository of a CA up to date (once per session)
// and returns its raw store, or nil when the cache holds nothing for it. A
// store comes with the fetch's error when it holds an older copy.
func (se *Session) Repository(notify, caRepository string) (*cache.Repo, error) {
	if se.run == nil {
		return nil, ErrOffline
	}
	if se.src.rsyncOnly {
		notify = ""
	}
	var res Result
	if se.quick && notify == "" {
		res.Source, res.Err = cachedModule(caRepository)
	} else {
		res = se.run.Fetch(Repo{Notify: notify, Rsync: caRepository})
	}
	if res.Source == "" {
		return nil, res.Err
	}
	repo, err := se.src.store.Repo(res.Source)
	if err != nil {
		return nil, err
	}
	return repo, res.Err
}

// TACert fetches a trust anchor certificate (see Run.TACert).
func (se *Session) TACert(uris []string) ([]byte, string, error) {
	if se.run == nil {
		return nil, "", ErrOffline
	}
	return se.run.TACert(uris)
}

// cachedModule names the cache repository an rsync publication point was
// last fetched into: its module.
func cachedModule(caRepository string) (string, error) {
	u, err := rsync.ParseURI(caRepository)
	if err != nil {
		return "", fmt.Errorf("fetch: %w", err)
	}
	return u.ModuleURI(), nil
}
