package httpapi

import (
	"math"
	"path"
	"time"

	"github.com/openrpki/validator/pkg/payload"
	"github.com/openrpki/validator/pkg/state"
)

// RoutinatorStatus holds the members of Routinator's /api/v1/status
// (src/http/status.rs, handle_api_status) whose data this validator
// has, beside the status's own members, so that tools reading
// Routinator's status find them. Routinator's "version", "serial", "now"
// and "repositories" keep this API's meaning (same name, other shape);
// its per-family payload totals before filtering, its RTR and HTTP
// counters and its per-repository issue logs are not available here.
type RoutinatorStatus struct {
	// LastUpdateStart and LastUpdateDone bound the last run (ISO 8601),
	// LastUpdateDuration is its length in seconds.
	LastUpdateStart    string   `json:"lastUpdateStart,omitempty"`
	LastUpdateDone     *string  `json:"lastUpdateDone,omitempty"`
	LastUpdateDuration *float64 `json:"lastUpdateDuration,omitempty"`
	// Payload counts what is served (Routinator's "final").
	Payload *RoutinatorPayload `json:"payload,omitempty"`
	// VRPsAddedLocally counts the SLURM assertions served.
	VRPsAddedLocally int `json:"vrpsAddedLocally"`
	// TALs has what each trust anchor yielded.
	TALs map[string]RoutinatorTAL `json:"tals,omitempty"`
	// RRDP and Rsync have the last fetch of each repository, by URI.
	RRDP  map[string]RoutinatorFetch `json:"rrdp,omitempty"`
	Rsync map[string]RoutinatorFetch `json:"rsync,omitempty"`
}

// RoutinatorPayload counts the served payload by kind.
type RoutinatorPayload struct {
	RouteOriginsIPv4 RoutinatorFinal `json:"routeOriginsIPv4"`
	RouteOriginsIPv6 RoutinatorFinal `json:"routeOriginsIPv6"`
	RouterKeys       RoutinatorFinal `json:"routerKeys"`
	ASPAs            RoutinatorFinal `json:"aspas"`
}

// RoutinatorFinal is Routinator's "final" count of one kind.
type RoutinatorFinal struct {
	Final int `json:"final"`
}

// RoutinatorTAL is what one trust anchor yielded: VRPs found before SLURM
// (vrpsTotal) and served (vrpsFinal), and its valid signed objects.
type RoutinatorTAL struct {
	VRPsTotal        int `json:"vrpsTotal"`
	VRPsFinal        int `json:"vrpsFinal"`
	ValidROAs        int `json:"validROAs"`
	ValidRouterCerts int `json:"validRouterCerts"`
	ValidASPAs       int `json:"validASPAs"`
}

// RoutinatorFetch is the last fetch of a repository.
type RoutinatorFetch struct {
	// Duration is in seconds.
	Duration float64 `json:"duration"`
	// Serial is the RRDP serial; nil for rsync.
	Serial *uint64 `json:"serial,omitempty"`
}

// routinatorStatus fills Routinator's members from the published state.
func routinatorStatus(st *state.State) RoutinatorStatus {
	var s RoutinatorStatus
	if st == nil || st.Table == nil {
		return s
	}
	t := st.Table
	s.Payload, s.TALs = &RoutinatorPayload{}, map[string]RoutinatorTAL{}
	for _, v := range t.VRPs {
		if v.V6 {
			s.Payload.RouteOriginsIPv6.Final++
		} else {
			s.Payload.RouteOriginsIPv4.Final++
		}
		if name := t.TAName(v.TA); name == payload.LocalTA && v.Object == 0 {
			s.VRPsAddedLocally++
		} else {
			tal := s.TALs[name]
			tal.VRPsFinal++
			s.TALs[name] = tal
		}
	}
	s.Payload.RouterKeys.Final, s.Payload.ASPAs.Final = len(t.RouterKeys), len(t.ASPAs)
	addObjects(s.TALs, t)
	if rep := st.Report; rep != nil {
		s.LastUpdateStart = isoTime(rep.Start)
		done, took := isoTime(rep.End), seconds3(rep.End.Sub(rep.Start))
		s.LastUpdateDone, s.LastUpdateDuration = &done, &took
		for _, ta := range rep.TAs {
			tal := s.TALs[ta.Name]
			tal.VRPsTotal = ta.VRPs
			s.TALs[ta.Name] = tal
		}
	}
	s.RRDP, s.Rsync = fetches(st, "rrdp"), fetches(st, "rsync")
	return s
}

// addObjects counts the valid signed objects of each trust anchor from
// the table's sources.
func addObjects(tals map[string]RoutinatorTAL, t *payload.Table) {
	if t.Sources == nil {
		return
	}
	for _, o := range t.Sources.Objects {
		if int(o.CA) >= len(t.Sources.CAs) {
			continue
		}
		name := t.TAName(t.Sources.CAs[o.CA].TA)
		tal := tals[name]
		switch path.Ext(o.Name) {
		case ".roa":
			tal.ValidROAs++
		case ".cer":
			tal.ValidRouterCerts++
		case ".asa":
			tal.ValidASPAs++
		}
		tals[name] = tal
	}
}

// fetches lists the repositories of one transport.
func fetches(st *state.State, transport string) map[string]RoutinatorFetch {
	out := map[string]RoutinatorFetch{}
	for _, r := range st.Repositories {
		if r.Transport != transport {
			continue
		}
		f := RoutinatorFetch{Duration: seconds3(r.LastDuration)}
		if transport == "rrdp" {
			serial := r.Serial
			f.Serial = &serial
		}
		out[r.URI] = f
	}
	return out
}

// isoTime is chrono's "%+" as Routinator writes times in its status.
func isoTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.999999999+00:00") }

// seconds3 is a duration in seconds, rounded to milliseconds.
func seconds3(d time.Duration) float64 { return math.Round(d.Seconds()*1000) / 1000 }
