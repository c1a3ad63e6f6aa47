package validate

import (
	"context"
	"errors"
	"fmt"

	"github.com/openrpki/validator/pkg/cache"
)

// Source is where the engine reads from: repositories fetched into the
// cache, the validated copies of publication points in the same cache, and
// trust anchor certificates. pkg/fetch implements it, with the deadlines,
// caps and backoff of every fetch; the engine itself never touches the
// network.
type Source interface {
	// Begin starts a run's session; quick runs fetch RRDP repositories
	// only and take everything else from the cache.
	Begin(ctx context.Context, quick bool) Session
	// Store is the cache holding fetched and validated copies and the
	// accepted TA certificates.
	Store() *cache.Store
}

// Session is one run's view of a Source: each repository is fetched at
// most once in it.
type Session interface {
	// Repository brings the repository of a CA up to date and returns
	// its raw store, or nil when the cache holds nothing for it; err says
	// why the fetch failed, even when an older copy is returned.
	Repository(notify, caRepository string) (*cache.Repo, error)
	// TACert fetches a TA certificate from the first of uris that
	// answers and returns it with the URI it came from.
	TACert(uris []string) (der []byte, from string, err error)
	// Close ends the session.
	Close()
}

// fetched is the fetched copy of a publication point.
type fetched struct {
	point *cache.PubPoint
	// repo held it at commit generation gen.
	repo *cache.Repo
	gen  uint64
	// current is set when the copy already is the owner's validated one.
	current bool
}

// fresh returns the fetched copy of CA n's publication point from its
// repository's store; fetchErr is what the session said of the fetch.
func (r *run) fresh(n *caNode, repo *cache.Repo, fetchErr error) (*fetched, error) {
	uri := n.cert.repository
	gen := repo.Generation()
	pp, err := repo.PubPoint(uri)
	if errors.Is(err, cache.ErrNotFound) {
		if fetchErr != nil {
			return nil, fmt.Errorf("publication point not in repository %s (%w)", repo.ID(), fetchErr)
		}
		return nil, fmt.Errorf("publication point not in repository %s", repo.ID())
	}
	if err != nil {
		return nil, err
	}
	return &fetched{point: pp, repo: repo, gen: gen, current: r.store.IsValid(repo, n.cert.ski[:], uri)}, nil
}

// valid returns the last copy of CA n's publication point that n itself
// validated, or nil. Copies are kept per CA (cache.Store keys them by the
// owner's SKI): a CA naming another's point in its own certificate (a
// shadow repository) can neither read nor replace that CA's copy.
func (r *run) valid(n *caNode) *cache.PubPoint {
	pp, err := r.store.Valid(n.cert.ski[:], n.cert.repository)
	if err != nil {
		return nil
	}
	return pp
}

// SourceOf adapts a source whose Begin returns its own session type S,
// such as *fetch.Source: validate.SourceOf[*fetch.Session](src). The
// engine depends on the interfaces only; the caller, which knows both
// sides, joins them.
func SourceOf[S Session](src interface {
	Begin(ctx context.Context, quick bool) S
	Store() *cache.Store
}) Source {
	return adapted[S]{src}
}

type adapted[S Session] struct {
	src interface {
		Begin(ctx context.Context, quick bool) S
		Store() *cache.Store
	}
}

func (a adapted[S]) Begin(ctx context.Context, quick bool) Session { return a.src.Begin(ctx, quick) }
func (a adapted[S]) Store() *cache.Store                           { return a.src.Store() }
