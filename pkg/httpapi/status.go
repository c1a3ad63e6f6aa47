package httpapi

import (
	"cmp"
	"fmt"
	"net/http"
	"runtime"
	"slices"
	"time"

	"github.com/openrpki/validator/pkg/report"
	"github.com/openrpki/validator/pkg/state"
)

// Status is the body of /api/v1/status, and what the status page shows.
type Status struct {
	Version string    `json:"version"`
	Now     time.Time `json:"now"`
	// Ready is what /readyz answers: data exists and is younger than
	// the maximum age.
	Ready bool `json:"ready"`
	// HasData is false before the first run has finished.
	HasData    bool           `json:"has_data"`
	Serial     uint32         `json:"serial"`
	Updated    time.Time      `json:"last_update,omitzero"`
	AgeSeconds float64        `json:"data_age_seconds"`
	MaxAge     float64        `json:"max_age_seconds"`
	LastRun    *RunStatus     `json:"last_run,omitempty"`
	Counts     Counts         `json:"counts"`
	TAs        []report.TA    `json:"trust_anchors"`
	PubPoints  map[string]int `json:"publication_points"`
	// Objects counts objects by type, then verdict ("valid" or the class
	// of the rejection).
	Objects      map[string]map[string]int `json:"objects"`
	Repositories []report.Repository       `json:"repositories"`
	// Troubled counts the repositories whose last attempt failed.
	Troubled int `json:"repositories_in_trouble"`
	// RoutinatorStatus adds Routinator's members where the data exists
	// (status_routinator.go).
	RoutinatorStatus
	// Healthy is false while anything needs an operator: no run yet, a
	// failed run, a trust anchor, a repository or a publication point in
	// trouble, or data past its maximum age. Problems says what, one
	// sentence each.
	Healthy  bool     `json:"healthy"`
	Problems []string `json:"problems"`
	// Rejected and TroubledPoints are the first MaxStatusRejected of
	// /api/v1/rejected, which lists them all.
	Rejected       []report.Object       `json:"rejected"`
	TroubledPoints []report.PointProblem `json:"troubled_points"`
	// Progress is the validation run going on, if any.
	Progress *RunProgress `json:"progress,omitempty"`
	// Sessions are the connected RTR routers.
	Sessions []SessionStatus `json:"rtr_sessions"`
}

// RunStatus is the timing and outcome of the last validation run.
type RunStatus struct {
	Start           time.Time `json:"start"`
	End             time.Time `json:"end"`
	DurationSeconds float64   `json:"duration_seconds"`
	// Quick is set for a poll between full runs.
	Quick bool `json:"quick"`
	// Error is why the run failed (its data was not served).
	Error string `json:"error,omitempty"`
}

// Counts are the totals served.
type Counts struct {
	VRPs       int `json:"vrps"`
	ASPAs      int `json:"aspas"`
	RouterKeys int `json:"router_keys"`
	Rejected   int `json:"rejected_objects"`
}

// buildStatus gathers the status of the published state (nil before the
// first publication).
func (a *api) buildStatus(st *state.State) Status {
	now := a.o.Now()
	s := Status{Version: a.o.Version, Now: now.UTC(), MaxAge: a.o.MaxAge.Seconds(),
		TAs: []report.TA{}, PubPoints: map[string]int{}, Objects: map[string]map[string]int{},
		Repositories: []report.Repository{}, Rejected: []report.Object{}, TroubledPoints: []report.PointProblem{},
		Progress: a.progress(now), Sessions: a.sessions()}
	s.addState(st, now, a.o.MaxAge)
	s.findProblems()
	return s
}

// addState adds what the published state says to s.
func (s *Status) addState(st *state.State, now time.Time, maxAge time.Duration) {
	if st == nil {
		return
	}
	if st.Repositories != nil {
		s.Repositories = st.Repositories
	}
	s.Troubled = report.Troubled(s.Repositories)
	if st.Report != nil {
		// A failed first run publishes its report without a table: it
		// says why there is no data.
		addReport(s, st.Report)
	}
	if st.Table == nil {
		return
	}
	s.HasData, s.Serial, s.Updated = true, st.Serial(), st.Confirmed.UTC()
	s.AgeSeconds = now.Sub(st.Confirmed).Seconds()
	s.Ready = now.Sub(st.Confirmed) < maxAge
	s.Counts = Counts{VRPs: len(st.Table.VRPs), ASPAs: len(st.Table.ASPAs), RouterKeys: len(st.Table.RouterKeys),
		Rejected: s.Counts.Rejected}
	s.RoutinatorStatus = routinatorStatus(st)
}

// addReport adds what a run's report says to s.
func addReport(s *Status, rep *report.Run) {
	s.LastRun = &RunStatus{Start: rep.Start.UTC(), End: rep.End.UTC(), DurationSeconds: rep.End.Sub(rep.Start).Seconds(),
		Quick: rep.Quick, Error: rep.Error}
	s.Counts.Rejected = len(rep.Rejected)
	// The TA counts are the engine's, before SLURM.
	s.TAs = slices.Clone(rep.TAs)
	slices.SortFunc(s.TAs, func(a, b report.TA) int { return cmp.Compare(a.Name, b.Name) })
	s.PubPoints = rep.PointCounts()
	if rep.Objects != nil {
		s.Objects = rep.Objects
	}
	list := rep.Rejections(report.Filter{})
	s.Rejected = list.Objects[:min(len(list.Objects), MaxStatusRejected)]
	s.TroubledPoints = list.Points[:min(len(list.Points), MaxStatusRejected)]
}

// findProblems fills Problems and Healthy. Rejected objects are not
// problems of the validator's: every run of the global RPKI has some.
func (s *Status) findProblems() {
	var p []string
	add := func(format string, args ...any) { p = append(p, fmt.Sprintf(format, args...)) }
	switch {
	case s.LastRun == nil && s.Progress != nil:
		add("the first validation run is in progress")
	case s.LastRun == nil:
		add("no validation run has finished yet")
	case s.LastRun.Error != "":
		add("the last validation run failed: %s", s.LastRun.Error)
	}
	for _, ta := range s.TAs {
		if ta.Error != "" {
			add("trust anchor %s failed: %s", ta.Name, ta.Error)
		} else if ta.Warning != "" {
			add("trust anchor %s: %s", ta.Name, ta.Warning)
		}
	}
	if s.Troubled > 0 {
		add("%d of %d repositories failing", s.Troubled, len(s.Repositories))
	}
	if n := s.PubPoints[report.Failed]; n > 0 {
		add("%d publication points failed: nothing of them is used", n)
	}
	if n := s.PubPoints[report.Cached]; n > 0 {
		add("%d publication points served from their last validated copy", n)
	}
	if s.HasData && !s.Ready {
		add("the data is %s old, past the maximum age of %s", humanAge(s.AgeSeconds), humanAge(s.MaxAge))
	}
	s.Problems, s.Healthy = p, len(p) == 0
	if s.Problems == nil {
		s.Problems = []string{}
	}
}

// status answers /api/v1/status. It answers 200 before the first run too
// (has_data false): the repository list is what shows why a first run
// takes long.
func (a *api) status(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, a.buildStatus(a.o.State()))
}

// healthz answers 200 while the process serves HTTP.
func (a *api) healthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write([]byte("ok\n"))
}

// readyz answers 200 once data exists and while it is younger than
// MaxAge, so that a load balancer only sends routers and clients to an
// instance with fresh data.
func (a *api) readyz(w http.ResponseWriter, r *http.Request) {
	st := a.o.State()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	switch {
	case st == nil || st.Table == nil:
		w.WriteHeader(http.StatusServiceUnavailable)
		w.Write([]byte("not ready: no validated data yet\n"))
	case a.o.Now().Sub(st.Confirmed) >= a.o.MaxAge:
		w.WriteHeader(http.StatusServiceUnavailable)
		w.Write([]byte("not ready: data last confirmed " + st.Confirmed.UTC().Format(time.RFC3339) + ", older than " + a.o.MaxAge.String() + "\n"))
	default:
		w.Write([]byte("ready\n"))
	}
}

// version answers the build version.
func (a *api) version(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"version": a.o.Version, "go": runtime.Version()})
}
