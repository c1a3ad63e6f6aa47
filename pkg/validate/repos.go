package validate

import (
	"fmt"
	"hash/maphash"
	"strings"
	"sync"

	"github.com/openrpki/validator/pkg/cache"
)

// repository returns CA n's repository from the session, fetched once per
// run, unless n's trust anchor is past its repositories limit
// (Options.MaxReposPerTA; rpki-client MAX_REPO_PER_TAL): a repository
// beyond it is not fetched, and n's point falls back to its last validated
// copy, as after a failed fetch. It also notes who names n's manifest
// (see pointClaims).
func (r *run) repository(n *caNode) (*cache.Repo, error) {
	r.claims.claim(r, n)
	limit := r.e.o.MaxReposPerTA
	if !n.ta.repos.admit(repoKey(n.cert), limit) {
		err := fmt.Errorf("trust anchor %s: more than %d repositories: %s not fetched", n.ta.name, limit, repoName(n.cert))
		r.taLimit(n.ta, limitRepos, err)
		return nil, err
	}
	return r.se.Repository(n.cert.notify, n.cert.repository)
}

// repoSet is the set of repositories the CAs of one trust anchor named in
// a run.
type repoSet struct {
	mu   sync.Mutex
	seen map[repoID]struct{}
}

// admit tells whether the repository of key may be fetched: it was
// admitted before, or fewer than limit were.
func (s *repoSet) admit(key repoID, limit int) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.seen[key]; ok {
		return true
	}
	if len(s.seen) >= limit {
		return false
	}
	if s.seen == nil {
		s.seen = map[repoID]struct{}{}
	}
	s.seen[key] = struct{}{}
	return true
}

// repoID identifies the repository of a CA certificate as rpki-client
// does: its rsync module and its RRDP notification URI.
type repoID struct{ module, notify string }

func repoKey(c *caCert) repoID { return repoID{module: rsyncModule(c.repository), notify: c.notify} }

// repoName names the repository of a CA certificate in messages.
func repoName(c *caCert) string {
	if c.notify != "" {
		return c.notify
	}
	return rsyncModule(c.repository)
}

// rsyncModule returns the "rsync://host/module/" part of an rsync URI, or
// the URI itself when it has none.
func rsyncModule(uri string) string {
	rest, ok := strings.CutPrefix(uri, "rsync://")
	if !ok {
		return uri
	}
	host, path, ok := strings.Cut(rest, "/")
	if !ok {
		return uri
	}
	module, _, ok := strings.Cut(path, "/")
	if ok { // a slice of uri: every CA asks at every poll
		return uri[:len("rsync://")+len(host)+1+len(module)+1]
	}
	return "rsync://" + host + "/" + module + "/"
}

// The per-trust-anchor limits, as bits of taState.limitReported.
const (
	limitCAs uint32 = 1 << iota
	limitObjects
	limitRepos
)

// taLimit records that trust anchor st went past a limit: once per run and
// limit, a warning in the log and in the trust anchor's report.
func (r *run) taLimit(st *taState, limit uint32, err error) {
	if st.limitReported.Or(limit)&limit != 0 {
		return
	}
	r.e.log.Warn("trust anchor over a limit: the rest is cut off", "ta", st.name, "error", err)
	r.mu.Lock()
	defer r.mu.Unlock()
	for i := range r.rep.TAs {
		if t := &r.rep.TAs[i]; t.Name == st.name {
			if t.Warning != "" {
				t.Warning += "; "
			}
			t.Warning += err.Error()
		}
	}
}

// pointClaims remembers, for one run, which CA key first named each
// manifest URI, so that a CA naming another CA's manifest and point in its
// own certificate (a shadow repository) is logged. Each is validated on
// its own (the validated copies and the memo are the owner's), so the
// warning is all there is to do; both are named, as nothing tells which
// one is honest. Hashes keep the map small: a collision can only hide a
// warning.
type pointClaims struct {
	mu   sync.Mutex
	seed maphash.Seed
	m    map[uint64]pointClaim
}

// pointClaim is the first CA that named a manifest: a hash of its key and
// its index in the run's sources.
type pointClaim struct {
	ski uint32
	ca  int32
}

// presize makes room for n claims (as many as the last run's CAs): the
// map grown from empty at every poll was a tenth of its garbage.
func (c *pointClaims) presize(n int) {
	c.seed, c.m = maphash.MakeSeed(), make(map[uint64]pointClaim, n)
}

// claim notes that CA n (registered) names its manifest, and logs when a
// CA of another key named it first.
func (c *pointClaims) claim(r *run, n *caNode) {
	c.mu.Lock()
	if c.m == nil {
		c.seed, c.m = maphash.MakeSeed(), map[uint64]pointClaim{}
	}
	key := maphash.String(c.seed, n.cert.manifest)
	ski := uint32(maphash.Bytes(c.seed, n.cert.ski[:]))
	first, seen := c.m[key]
	if !seen {
		c.m[key] = pointClaim{ski: ski, ca: n.index}
	}
	c.mu.Unlock()
	if !seen || first.ski == ski || r.quick {
		return // polls, every few seconds, leave the warning to full runs
	}
	r.mu.Lock()
	other := r.sources.CAs[first.ca].URI
	r.mu.Unlock()
	r.e.log.Warn("shadow repository: two CAs of different keys name the same manifest; each is validated on its own",
		"manifest", n.cert.manifest, "ca", n.uri, "other_ca", other, "ta", n.ta.name)
}
