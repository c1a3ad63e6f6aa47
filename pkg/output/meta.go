package output

import (
	"os"
	"path"
	"slices"
	"time"

	"github.com/openrpki/validator/pkg/payload"
)

// Meta describes the validation run that produced a table, for the
// formats that print it: Routinator's summary and rpki-client's metadata
// and comment headers. The zero value (a table read from a file) prints
// zeros where a count is unknown.
type Meta struct {
	// Host is the machine name rpki-client's formats print; empty means
	// this host's name.
	Host string
	// Start and End bound the run; zero when unknown.
	Start, End time.Time
	// TALFiles are the TAL files rpki-client's formats list.
	TALFiles []string
	// TAs are the trust anchors of the run, with what each yielded
	// before SLURM (report.TA).
	TAs []TAMeta
	// Objects counts the run's objects by type ("roa", "cert", "mft",
	// "crl", "aspa", "gbr", "tak") and verdict ("valid" or the class of
	// the rejection), as report.Run.Objects does.
	Objects map[string]map[string]int
	// Repositories is the number of repositories the run fetched from.
	Repositories int
	// Points counts the run's publication points by outcome ("fresh",
	// "cached", "failed"): each point used has one valid manifest.
	Points map[string]int
}

// TAMeta is one trust anchor of a run.
type TAMeta struct {
	Name   string
	Failed bool
	// VRPs, ASPAs and RouterKeys count what it yielded before SLURM.
	VRPs, ASPAs, RouterKeys int
}

// The rejection classes that rpki-client counts as "failed parse"
// (x509rpki.ErrMalformed and ErrProfile), and the one it counts as a stale
// manifest (ErrStale); other rejections are "invalid".
const (
	classMalformed = "malformed"
	classProfile   = "profile violation"
	classStale     = "not valid at this time"
	verdictValid   = "valid"
)

// count returns the objects of a type with a verdict.
func (m *Meta) count(typ, verdict string) int { return m.Objects[typ][verdict] }

// failed counts the objects of a type that did not parse.
func (m *Meta) failed(typ string) int {
	return m.count(typ, classMalformed) + m.count(typ, classProfile)
}

// invalid counts the objects of a type that parsed and were rejected.
func (m *Meta) invalid(typ string) int {
	n := 0
	for verdict, c := range m.Objects[typ] {
		if verdict != verdictValid {
			n += c
		}
	}
	return n - m.failed(typ)
}

// manifests counts the valid manifests: one per publication point used
// (the engine checks a manifest with its point, not as a listed object).
func (m *Meta) manifests() int {
	return max(m.count("mft", verdictValid), m.Points["fresh"]+m.Points["cached"])
}

// sums returns what the trust anchors yielded before SLURM.
func (m *Meta) sums() (vrps, aspas, keys, failed int) {
	for _, t := range m.TAs {
		vrps, aspas, keys = vrps+t.VRPs, aspas+t.ASPAs, keys+t.RouterKeys
		if t.Failed {
			failed++
		}
	}
	return vrps, aspas, keys, failed
}

// host is the machine name to print.
func (m *Meta) host() string {
	if m.Host != "" {
		return m.Host
	}
	h, _ := os.Hostname()
	return h
}

// elapsed is the run's duration in whole seconds.
func (m *Meta) elapsed() int64 {
	if m.Start.IsZero() || m.End.Before(m.Start) {
		return 0
	}
	return int64(m.End.Sub(m.Start) / time.Second)
}

// rpkiClientMeta is the metadata rpki-client writes, from the run's
// counts. vrps and vaps are the records written (unique), the totals
// before deduplication come from the report when it is known. What this
// validator does not count (user and system time of the run, cache
// cleanup) is zero.
func (d *doc) rpkiClientMeta(uniqueVRPs, uniqueVAPs int) payload.JSONMeta {
	m := d.meta
	vrps, aspas, keys, failedTAs := m.sums()
	if len(m.TAs) == 0 {
		vrps, aspas, keys = uniqueVRPs, uniqueVAPs, len(d.t.RouterKeys)
	}
	return payload.JSONMeta{
		BuildMachine: m.host(), BuildTime: d.buildTime(), ElapsedTime: m.elapsed(),
		ROAs: m.count("roa", verdictValid), FailedROAs: m.failed("roa"), InvalidROAs: m.invalid("roa"),
		ASPAs: m.count("aspa", verdictValid), FailedASPAs: m.failed("aspa"), InvalidASPAs: m.invalid("aspa"),
		BGPsecPubkeys: keys,
		// rpki-client counts the trust anchors' certificates too.
		Certificates: m.count("cert", verdictValid) + len(m.TAs) - failedTAs, InvalidCerts: m.invalid("cert") + m.failed("cert"),
		TAKs: m.count("tak", verdictValid), TALs: len(m.TAs), InvalidTALs: failedTAs, TALFiles: m.TALFiles,
		Manifests: m.manifests(), FailedManifests: m.failed("mft"), StaleManifests: m.count("mft", classStale),
		CRLs: m.count("crl", verdictValid), GBRs: m.count("gbr", verdictValid), Repositories: m.Repositories,
		VRPs: vrps, UniqueVRPs: uniqueVRPs, VAPs: aspas, UniqueVAPs: uniqueVAPs,
	}
}

// objectCounts counts a table's source objects (ROAs, router
// certificates, ASPAs) by trust anchor name and file extension: what the
// run verified, before SLURM. A table without sources counts none.
func (d *doc) objectCounts() map[string]map[string]int {
	out := map[string]map[string]int{}
	s := d.t.Sources
	if s == nil {
		return out
	}
	for _, o := range s.Objects {
		if int(o.CA) >= len(s.CAs) {
			continue
		}
		ta := d.t.TAName(s.CAs[o.CA].TA)
		if out[ta] == nil {
			out[ta] = map[string]int{}
		}
		out[ta][path.Ext(o.Name)]++
	}
	return out
}

// taNames lists the trust anchors to summarise: the run's, or else those
// of the table's items, local assertions aside.
func (d *doc) taNames() []string {
	var names []string
	for _, t := range d.meta.TAs {
		names = append(names, t.Name)
	}
	if len(names) == 0 {
		seen := map[payload.TA]bool{}
		for _, v := range d.t.VRPs {
			if !seen[v.TA] && !d.local(v.Info) {
				seen[v.TA] = true
				names = append(names, d.t.TAName(v.TA))
			}
		}
	}
	slices.Sort(names)
	return slices.Compact(names)
}
