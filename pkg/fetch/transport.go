package fetch

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/openrpki/validator/pkg/cache"
	"github.com/openrpki/validator/pkg/rrdp"
	"github.com/openrpki/validator/pkg/rsync"
)

// viaRRDP fetches one RRDP repository into the cache repository named by
// its notification URI.
func (r *Run) viaRRDP(notify string) Result {
	key := "rrdp:" + notify
	if err := checkDubious(notify, "https", r.s.o.AllowDubiousHosts); err != nil {
		res := Result{Transport: "rrdp", Outcome: Refused, Err: err}
		r.s.record(key, Attempt{URI: notify, Transport: "rrdp", Start: time.Now(), Outcome: Refused, Err: err})
		return res
	}
	repo, err := r.s.o.Cache.Repo(notify)
	if err != nil {
		return Result{Transport: "rrdp", Outcome: Failed, Err: err}
	}
	st := rrdp.DecodeState(mustState(repo))
	r.s.health.seedSuccess(key, st.LastSuccess)
	res := r.attempt(key, notify, "rrdp", r.s.httpSem, func(ctx context.Context) (Result, error) {
		rr, err := r.s.rrdp.Fetch(ctx, notify, repo)
		res := Result{Bytes: rr.Bytes, Serial: rr.Serial, Outcome: Updated}
		if rr.Kind == rrdp.KindNotModified || rr.Kind == rrdp.KindUnchanged {
			res.Outcome = Unchanged
		}
		return res, err
	})
	if res.Serial == 0 {
		res.Serial = st.Serial
	}
	if hasData(repo) {
		res.Source = notify
	}
	return res
}

// viaRsync mirrors the module of caRepository and imports it into the
// cache repository named by the module URI.
func (r *Run) viaRsync(caRepository string) Result {
	u, err := rsync.ParseURI(caRepository)
	if err != nil {
		return Result{Transport: "rsync", Outcome: Refused, Err: err}
	}
	module := u.ModuleURI()
	if err := checkDubious(module, "rsync", r.s.o.AllowDubiousHosts); err != nil {
		r.s.record("rsync:"+module, Attempt{URI: module, Transport: "rsync", Start: time.Now(), Outcome: Refused, Err: err})
		return Result{Transport: "rsync", Outcome: Refused, Err: err}
	}
	res := r.once(callKey{"module", module}, func() Result {
		return r.attempt("rsync:"+module, module, "rsync", r.s.rsyncSem, func(ctx context.Context) (Result, error) {
			return r.mirror(ctx, module)
		})
	})
	if repo, err := r.s.o.Cache.Repo(module); err == nil && hasData(repo) {
		res.Source = module
	}
	return res
}

// mirror runs rsync into the module's work directory and, when anything
// changed (or a previous import did not finish), imports the tree as a
// reset update. A marker file beside the work directory records an import
// in progress, so a crash between rsync and Commit forces the next import.
func (r *Run) mirror(ctx context.Context, module string) (Result, error) {
	repo, err := r.s.o.Cache.Repo(module)
	if err != nil {
		return Result{}, err
	}
	dir, err := r.s.o.Cache.WorkDir(module)
	if err != nil {
		return Result{}, err
	}
	dirty := dir + ".dirty"
	_, statErr := os.Stat(dirty)
	forced := statErr == nil || !hasData(repo)
	if err := os.WriteFile(dirty, nil, 0o644); err != nil {
		return Result{}, fmt.Errorf("fetch: %w", err)
	}
	rr, err := r.s.rsync.Run(ctx, module, dir)
	if err != nil {
		return Result{}, err
	}
	if rr.Changed == 0 && !forced {
		os.Remove(dirty)
		return Result{Outcome: Unchanged}, nil
	}
	n, err := importTree(repo, dir, module, r.s.o.Now())
	if err != nil {
		return Result{}, err
	}
	os.Remove(dirty)
	return Result{Outcome: Updated, Bytes: n}, nil
}

// importTree replaces the cache repository's objects with the work tree.
func importTree(repo *cache.Repo, dir, module string, now time.Time) (int64, error) {
	if err := repo.Begin(true); err != nil {
		return 0, err
	}
	var bytes int64
	_, err := rsync.Walk(dir, module, func(uri string, data []byte) error {
		bytes += int64(len(data))
		return repo.Publish(uri, data, nil)
	})
	if err != nil {
		repo.Abort()
		return 0, fmt.Errorf("fetch: import %s: %w", module, err)
	}
	state := fmt.Appendf(nil, `{"last_success":%q}`, now.UTC().Format(time.RFC3339))
	return bytes, repo.Commit(state)
}

// hasData reports whether a cache repository holds a committed update.
func hasData(repo *cache.Repo) bool { return repo.Generation() > 0 }

// mustState returns a repository's saved state, or nil.
func mustState(repo *cache.Repo) []byte {
	b, _ := repo.State()
	return b
}

// The cache's raw repositories are the RRDP client's sinks.
var _ rrdp.Sink = (*cache.Repo)(nil)
