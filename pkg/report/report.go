package report

import (
	"cmp"
	"slices"
	"time"
)

// Run is the report of one validation run, sorted (Sort).
type Run struct {
	Start, End time.Time
	// CPU is the process's CPU time (user and system, every goroutine)
	// from Start to End, when the caller measured it.
	CPU time.Duration
	// Quick is set for a poll between full runs (RRDP repositories only).
	Quick bool
	TAs   []TA
	// Points has one entry per publication point of the run that was
	// not fresh (cached or failed); FreshPoints counts the others. At
	// global scale 40,000 fresh entries were 5 MB kept with the served
	// report and made again, and sorted, at every poll, and nothing
	// lists them one by one.
	Points      []Point
	FreshPoints int
	// Rejected has one entry per rejected object.
	Rejected []Object
	// Objects counts objects by type and verdict ("valid" or the class
	// of the rejection).
	Objects map[string]map[string]int
	// Reused counts the publication points found unchanged since the
	// previous run of the engine, whose output was reused without
	// checking a signature.
	Reused int
	// Unchanged is set when every publication point was reused and none
	// is missing: the payload is the previous run's.
	Unchanged bool
	// Error is set when the run as a whole failed (no trust anchor
	// validated, or the run's deadline passed).
	Error string
}

// TA is the outcome of one trust anchor.
type TA struct {
	Name string `json:"name"`
	// From is the URI the certificate came from ("cache" when none
	// answered and the kept copy was used).
	From  string `json:"from,omitempty"`
	Error string `json:"error,omitempty"`
	// Warning says what went wrong while the TA still validated (a fetch
	// that failed before the kept certificate was used, a replayed older
	// certificate refused).
	Warning string `json:"warning,omitempty"`
	// LastSuccess is when a run of this process last validated it
	// (Tracker sets it; zero when none has).
	LastSuccess time.Time `json:"last_success,omitzero"`
	// CAs, Points, VRPs, ASPAs and RouterKeys count what was found
	// below it (Points: the publication points processed).
	CAs        int `json:"cas"`
	Points     int `json:"points"`
	VRPs       int `json:"vrps"`
	ASPAs      int `json:"aspas"`
	RouterKeys int `json:"router_keys"`
}

// The outcomes of a publication point.
const (
	// Fresh: the fetched copy validated.
	Fresh = "fresh"
	// Cached: the fetched copy failed or was missing; the last validated
	// copy was used (RFC 9286 §6.6).
	Cached = "cached"
	// Failed: neither copy was usable; nothing of the point is used.
	Failed = "failed"
)

// Point is the outcome of one publication point.
type Point struct {
	URI string `json:"uri"`
	// CA is the URI of the CA certificate whose point it is, and TA its
	// trust anchor.
	CA string `json:"ca,omitempty"`
	TA string `json:"ta,omitempty"`
	// Outcome is Fresh, Cached or Failed.
	Outcome string `json:"outcome"`
	// Reason says why the fetched copy was not used, if it was not.
	Reason string `json:"reason,omitempty"`
	// Until is, for a cached point, when the validated copy being
	// served expires (its manifest's nextUpdate or its chain's expiry).
	Until time.Time `json:"until,omitzero"`
	// FirstSeen is, for a cached or failed point, when a run of this
	// process first saw it so (Tracker sets it).
	FirstSeen time.Time `json:"first_seen,omitzero"`
}

// Object is one rejected object.
type Object struct {
	URI  string `json:"uri"`
	Type string `json:"type"`
	// TA is the trust anchor, CA the URI of the issuing CA's certificate.
	TA string `json:"ta,omitempty"`
	CA string `json:"ca,omitempty"`
	// Class is the error class (malformed, profile, signature,
	// resources, stale, revoked, ...); Reason cites the RFC section.
	Class  string `json:"class"`
	Reason string `json:"reason"`
	// FirstSeen is when a run of this process first rejected it for
	// this reason (Tracker sets it).
	FirstSeen time.Time `json:"first_seen,omitzero"`
}

// Sort puts every list in a fixed order.
func (r *Run) Sort() {
	slices.SortFunc(r.TAs, func(a, b TA) int { return cmp.Compare(a.Name, b.Name) })
	slices.SortFunc(r.Points, func(a, b Point) int { return cmp.Or(cmp.Compare(a.URI, b.URI), cmp.Compare(a.CA, b.CA)) })
	slices.SortFunc(r.Rejected, func(a, b Object) int {
		return cmp.Or(cmp.Compare(a.URI, b.URI), cmp.Compare(a.Reason, b.Reason))
	})
}

// PointCounts counts the publication points by outcome.
func (r *Run) PointCounts() map[string]int {
	out := map[string]int{}
	if r == nil {
		return out
	}
	if r.FreshPoints > 0 {
		out[Fresh] = r.FreshPoints
	}
	for _, p := range r.Points {
		out[p.Outcome]++
	}
	return out
}

// PointTotal counts the publication points of the run, fresh or not.
func (r *Run) PointTotal() int {
	if r == nil {
		return 0
	}
	return r.FreshPoints + len(r.Points)
}

// FailedTAs returns the trust anchors that did not validate.
func (r *Run) FailedTAs() []TA {
	if r == nil {
		return nil
	}
	var out []TA
	for _, t := range r.TAs {
		if t.Error != "" {
			out = append(out, t)
		}
	}
	return out
}
