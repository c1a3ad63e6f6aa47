package metrics

import (
	"sync"
	"sync/atomic"
	"weak"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/openrpki/validator/pkg/payload"
	"github.com/openrpki/validator/pkg/report"
	"github.com/openrpki/validator/pkg/state"
)

// stateMetrics are read from the published state at scrape time, so the
// freshness the metrics show is the one RTR and the HTTP API serve: there
// is no second clock to fall behind.
type stateMetrics struct {
	m    *Metrics
	load atomic.Pointer[func() *state.State]

	lastUpdate, age, serial                   *prometheus.Desc
	vrps, aspas, aspasDropped                 *prometheus.Desc
	repoUp, repoLast, repoSuccess, repoSerial *prometheus.Desc

	mu    sync.Mutex
	perTA *taCounts // of the table last scraped
}

// taCounts are a table's VRPs and ASPAs per trust anchor, counted once
// per table (a walk of 600,000 VRPs is not for every scrape). The table
// and report they were counted from are held weakly: a strong pointer kept
// the served table of the last scrape alive after the next change, 30 MB
// at global scale until the next scrape.
type taCounts struct {
	table       weak.Pointer[payload.Table]
	rep         weak.Pointer[report.Run]
	vrps, aspas map[string]int
}

func (s *stateMetrics) init(m *Metrics) []prometheus.Collector {
	s.m = m
	desc := func(name, help string, labels ...string) *prometheus.Desc {
		return prometheus.NewDesc(namespace+"_"+name, help, labels, nil)
	}
	s.lastUpdate = desc("last_update_timestamp_seconds", "Unix time at which a validation run last confirmed the served data (0 before the first run).")
	s.age = desc("data_age_seconds", "Age of the served data (since a run last confirmed it), computed at scrape time; before the first publication, the time since start.")
	s.serial = desc("serial", "RTR serial of the served data.")
	s.vrps = desc("vrps", "Served VRPs per trust anchor.", "ta")
	s.aspas = desc("aspas", "Served ASPA records per trust anchor.", "ta")
	s.aspasDropped = desc("aspas_dropped", "Customers whose merged ASPA RTR leaves out: more than 16380 providers, beyond one RTR PDU.")
	s.repoUp = desc("repository_up", "1 if the last fetch of the repository succeeded, else 0.", "uri", "transport")
	s.repoLast = desc("repository_last_fetch_duration_seconds", "Duration of the last fetch of the repository.", "uri", "transport")
	s.repoSuccess = desc("repository_last_success_timestamp_seconds", "Unix time of the last successful fetch of the repository.", "uri", "transport")
	s.repoSerial = desc("repository_rrdp_serial", "RRDP serial of the repository after its last successful fetch.", "uri")
	return []prometheus.Collector{s}
}

// Watch makes the metrics read the published state through load (the
// publisher's Load) at each scrape.
func (m *Metrics) Watch(load func() *state.State) { m.state.load.Store(&load) }

// Describe implements prometheus.Collector.
func (s *stateMetrics) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{s.lastUpdate, s.age, s.serial, s.vrps, s.aspas, s.aspasDropped, s.repoUp, s.repoLast, s.repoSuccess, s.repoSerial} {
		ch <- d
	}
}

// Collect implements prometheus.Collector.
func (s *stateMetrics) Collect(ch chan<- prometheus.Metric) {
	var st *state.State
	if load := s.load.Load(); load != nil {
		st = (*load)()
	}
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	from := s.m.started
	if st != nil {
		from = st.Confirmed
		gauge(s.lastUpdate, unixSeconds(st.Confirmed))
		gauge(s.serial, float64(st.Serial()))
		if st.RTR != nil {
			gauge(s.aspasDropped, float64(len(st.RTR.DroppedASPAs())))
		}
		c := s.countsOf(st)
		for ta, n := range c.vrps {
			gauge(s.vrps, float64(n), ta)
		}
		for ta, n := range c.aspas {
			gauge(s.aspas, float64(n), ta)
		}
		s.collectRepos(st.Repositories, gauge)
	} else {
		gauge(s.lastUpdate, 0)
	}
	gauge(s.age, s.m.now().Sub(from).Seconds())
}

// collectRepos exports the fetch health of every repository.
func (s *stateMetrics) collectRepos(repos []report.Repository, gauge func(*prometheus.Desc, float64, ...string)) {
	seenSerial := map[string]bool{}
	for _, r := range repos {
		up := 1.0
		if r.Failing {
			up = 0
		}
		gauge(s.repoUp, up, r.URI, r.Transport)
		gauge(s.repoLast, seconds(r.LastDuration), r.URI, r.Transport)
		if !r.LastSuccess.IsZero() {
			gauge(s.repoSuccess, unixSeconds(r.LastSuccess), r.URI, r.Transport)
		}
		if r.Serial != 0 && !seenSerial[r.URI] {
			seenSerial[r.URI] = true
			gauge(s.repoSerial, float64(r.Serial), r.URI)
		}
	}
}

// countsOf returns the per-TA counts of the state's table, counting them
// when the table (or the report naming the TAs) changed since last time.
func (s *stateMetrics) countsOf(st *state.State) *taCounts {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c := s.perTA; c != nil && c.table.Value() == st.Table && c.rep.Value() == st.Report {
		return c
	}
	c := &taCounts{table: weak.Make(st.Table), rep: weak.Make(st.Report), vrps: map[string]int{}, aspas: map[string]int{}}
	if st.Table != nil {
		byTA := map[payload.TA]int{}
		for _, v := range st.Table.VRPs {
			byTA[v.TA]++
		}
		for ta, n := range byTA {
			c.vrps[st.Table.TAName(ta)] += n
		}
		clear(byTA)
		for _, a := range st.Table.ASPAs {
			byTA[a.TA]++
		}
		for ta, n := range byTA {
			c.aspas[st.Table.TAName(ta)] += n
		}
	}
	if st.Report != nil {
		// A TA that yields nothing still gets its zero, which is what the
		// "TA with zero VRPs" alert looks for.
		for _, ta := range st.Report.TAs {
			c.vrps[ta.Name] += 0
			c.aspas[ta.Name] += 0
		}
	}
	s.perTA = c
	return c
}
