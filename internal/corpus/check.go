package corpus

import (
	"path"
	"path/filepath"
	"time"

	"github.com/openrpki/validator/internal/inspect"
)

// Clocks of the chain checks. The BBN objects are valid from 2011 to 2046;
// rpki-client's RIPE 2023 chain run was made under faketime 2023-09-15
// 12:00:00 (SOURCES.md), and so is ours. Real objects checked on their own
// get a fixed clock too, so that a run does not depend on the day: for them
// "stale" is not a rejection anyway.
var (
	BBNTime      = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	RIPE2023Time = time.Date(2023, 9, 15, 12, 0, 0, 0, time.UTC)
	RealTime     = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
)

// Corpus subtrees that are checked with their issuer, and their TALs.
const (
	RIPE2023Dir = "rpki-rrdp-tools-py/tests/data"
	BBNTAL      = "_derived/bbn.tal"
	RIPETAL     = "routinator/tals/ripe.tal"
)

// Checker decides our verdict on each corpus file the way the acceptance
// criteria say: conformance cases with their issuer from the same tree,
// real objects on their own.
type Checker struct {
	Dir  string
	BBN  *Tree
	RIPE *Tree

	bbnKey, ripeKey []byte
}

// NewChecker loads the BBN and RIPE 2023 trees and their TAL keys.
func NewChecker(dir string) (*Checker, error) {
	c := &Checker{Dir: dir}
	var err error
	if c.BBN, err = LoadTree(dir, BBNDir, BBNURI); err != nil {
		return nil, err
	}
	if c.RIPE, err = LoadTree(dir, RIPE2023Dir, ""); err != nil {
		return nil, err
	}
	if c.bbnKey, err = inspect.ReadTALKey(filepath.Join(dir, BBNTAL)); err != nil {
		return nil, err
	}
	if c.ripeKey, err = inspect.ReadTALKey(filepath.Join(dir, RIPETAL)); err != nil {
		return nil, err
	}
	return c, nil
}

// Check inspects the file of e and returns the report and our verdict.
// A conformance case is accepted only when it is ok at BBNTime against its
// issuer (a stale CRL or manifest is one of the "bad" cases); one whose
// issuer is not in the tree (only goodRealGbrNothingIsWrong.gbr, a real
// RGnet object) is judged on its own, as a real object is. A real object
// is accepted unless it is rejected (stale is fine: most have expired since
// they were collected).
func (c *Checker) Check(e *Expectation) (*inspect.Report, Verdict) {
	switch {
	case e.IsBBN():
		return chainVerdict(c.chain(e, c.BBN, BBNTime, c.bbnKey))
	case e.IsRIPE2023():
		return chainVerdict(c.chain(e, c.RIPE, RIPE2023Time, c.ripeKey))
	}
	rep := c.inspect(e, inspect.Options{Now: RealTime})
	return rep, verdict(rep.Status != inspect.StatusRejected)
}

// chain inspects e, then again against its issuer from tree when one is
// found. A certificate at the top of the tree is a trust anchor candidate
// and is given the TAL key.
func (c *Checker) chain(e *Expectation, tree *Tree, now time.Time, talKey []byte) *inspect.Report {
	opts := inspect.Options{Now: now}
	if path.Dir(e.File) == tree.base {
		opts.TALKey = talKey
	}
	rep := c.inspect(e, opts)
	if rep.Status == inspect.StatusRejected || rep.CertView == nil || rep.Validation != inspect.ValidationNoIssuer {
		return rep
	}
	iss := tree.Issuer(e.File, rep.AIA, hexKey(rep.AKI))
	if iss == "" {
		return rep
	}
	opts.Issuer = tree.Cert(iss)
	return c.inspect(e, opts)
}

func (c *Checker) inspect(e *Expectation, opts inspect.Options) *inspect.Report {
	opts.Type = ObjectType(e.File)
	rep := inspect.InspectFile(filepath.Join(c.Dir, e.File), opts)
	rep.File = e.File
	return rep
}

// chainVerdict: ok against the issuer; without one, not rejected.
func chainVerdict(rep *inspect.Report) (*inspect.Report, Verdict) {
	if rep.Validation == inspect.ValidationNoIssuer {
		return rep, verdict(rep.Status != inspect.StatusRejected)
	}
	return rep, verdict(rep.Status == inspect.StatusOK)
}

func verdict(ok bool) Verdict {
	if ok {
		return Accept
	}
	return Reject
}
