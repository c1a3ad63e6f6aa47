package report

import "time"

// Tracker follows the problems of a daemon's successive runs: it stamps
// each rejected object and each cached or failed publication point of a
// run with when it was first seen, each trust anchor with its last
// success, and tells what is new and what recovered since the run before,
// so that the logs speak once per change rather than once per run.
//
// A problem is keyed by what it is, not by its wording: an object by its
// URI and reason, a point by its URI, CA and outcome (a point's reason
// carries times that change between runs: a backoff's next try), a
// repository by its transport and URI, a trust anchor by its name. It is
// forgotten once a run no longer has it, so the tracker holds about what
// the last run's report holds (MaxTracked bounds it).
//
// Observe is called by one goroutine at a time (the validation loop).
type Tracker struct {
	seen        map[string]time.Time // problem key → first seen
	lastSuccess map[string]time.Time // trust anchor → last success
	failingTAs  map[string]bool      // trust anchor → failing (error or warning)
	failing     map[string]bool      // repository key → failing
	observed    bool
}

// NewTracker returns a tracker that has seen no run.
func NewTracker() *Tracker {
	return &Tracker{seen: map[string]time.Time{}, lastSuccess: map[string]time.Time{},
		failingTAs: map[string]bool{}, failing: map[string]bool{}}
}

// Changes is what a run changed in the problems since the run before.
type Changes struct {
	// First is set on the tracker's first run: everything is new.
	First bool
	// TAs, Repositories, Points and Objects are newly in trouble.
	TAs          []TA
	Repositories []Repository
	Points       []Point
	Objects      []Object
	// RecoveredTAs and RecoveredRepositories are no longer in trouble.
	RecoveredTAs          []string
	RecoveredRepositories []string
	// Cleared counts the points and objects no longer in trouble.
	Cleared int
	// Untracked counts the problems past MaxTracked: stamped as new at
	// every run, never reported as new.
	Untracked int
	// Now counts what is in trouble after the run.
	Now Trouble
}

// Trouble counts what is in trouble.
type Trouble struct {
	TAs, Repositories, Points, Objects int
}

// Any reports whether anything is in trouble.
func (t Trouble) Any() bool { return t != Trouble{} }

// Observe stamps rep (FirstSeen of its rejected objects and troubled
// points, LastSuccess of its trust anchors) and returns what changed
// since the previous call. repos is the fetch health published with it.
// A quick run (rep.Quick) fetches no TA certificate, so it leaves the
// trust anchors' warnings as the last full run found them.
func (t *Tracker) Observe(rep *Run, repos []Repository) Changes {
	c := Changes{First: !t.observed}
	t.observed = true
	at := rep.End
	if at.IsZero() {
		at = time.Now()
	}
	t.observeTAs(rep, at, &c)
	t.observeRepositories(repos, &c)
	next := make(map[string]time.Time, len(t.seen))
	for i := range rep.Points {
		p := &rep.Points[i]
		if p.Outcome == Fresh {
			continue
		}
		c.Now.Points++
		if t.stamp(next, "p\x00"+p.URI+"\x00"+p.CA+"\x00"+p.Outcome, at, &p.FirstSeen, &c) {
			c.Points = append(c.Points, *p)
		}
	}
	for i := range rep.Rejected {
		o := &rep.Rejected[i]
		c.Now.Objects++
		if t.stamp(next, "o\x00"+o.URI+"\x00"+o.Reason, at, &o.FirstSeen, &c) {
			c.Objects = append(c.Objects, *o)
		}
	}
	for k := range t.seen {
		if _, ok := next[k]; !ok {
			c.Cleared++
		}
	}
	t.seen = next
	return c
}

// stamp sets *first from the problem's first sighting, remembering it in
// next; it reports whether the problem is new.
func (t *Tracker) stamp(next map[string]time.Time, key string, at time.Time, first *time.Time, c *Changes) bool {
	if seen, ok := t.seen[key]; ok {
		next[key], *first = seen, seen
		return false
	}
	if seen, ok := next[key]; ok { // the same problem twice in one run
		*first = seen
		return false
	}
	*first = at
	if len(next) >= MaxTracked {
		c.Untracked++
		return false
	}
	next[key] = at
	return true
}

// observeTAs stamps the trust anchors' last success and finds those newly
// failing (an error, or a warning: the kept certificate used) or
// recovered.
func (t *Tracker) observeTAs(rep *Run, at time.Time, c *Changes) {
	present := map[string]bool{}
	for i := range rep.TAs {
		ta := &rep.TAs[i]
		present[ta.Name] = true
		if ta.Error == "" {
			t.lastSuccess[ta.Name] = at
		}
		ta.LastSuccess = t.lastSuccess[ta.Name]
		failing := ta.Error != "" || ta.Warning != ""
		if rep.Quick && ta.Error == "" {
			failing = t.failingTAs[ta.Name] // a poll does not fetch it
		}
		if failing {
			c.Now.TAs++
		}
		switch was := t.failingTAs[ta.Name]; {
		case failing && !was:
			c.TAs = append(c.TAs, *ta)
		case !failing && was:
			c.RecoveredTAs = append(c.RecoveredTAs, ta.Name)
		}
		t.failingTAs[ta.Name] = failing
	}
	for name := range t.failingTAs {
		if !present[name] { // a TAL removed on reload
			delete(t.failingTAs, name)
			delete(t.lastSuccess, name)
		}
	}
}

// observeRepositories finds the repositories newly failing or recovered.
func (t *Tracker) observeRepositories(repos []Repository, c *Changes) {
	next := make(map[string]bool, len(repos))
	for _, r := range repos {
		key := r.Transport + " " + r.URI
		next[key] = r.Failing
		if r.Failing {
			c.Now.Repositories++
		}
		switch was := t.failing[key]; {
		case r.Failing && !was:
			c.Repositories = append(c.Repositories, r)
		case !r.Failing && was:
			c.RecoveredRepositories = append(c.RecoveredRepositories, r.URI)
		}
	}
	t.failing = next
}
