package metrics

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// namespace prefixes every metric name (rpki_objects_total, ...).
const namespace = "rpki"

// Metrics holds every metric of the validator. Build it with New; its
// methods are safe for concurrent use and never block.
type Metrics struct {
	now     func() time.Time
	started time.Time
	state   stateMetrics
	run     runMetrics
	objects objectMetrics
	repos   repoMetrics
	rtr     rtrMetrics
	http    httpMetrics
	health  healthMetrics
}

// New creates the metrics and registers them on reg (a nil reg registers
// nothing, for tests of callers). It panics only if reg already holds
// metrics of the same names, a wiring bug found at start-up.
func New(reg prometheus.Registerer) *Metrics {
	return newAt(reg, time.Now)
}

// newAt is New with a clock, for tests of the age gauge.
func newAt(reg prometheus.Registerer, now func() time.Time) *Metrics {
	m := &Metrics{now: now, started: now()}
	var cs []prometheus.Collector
	cs = append(cs, m.state.init(m)...)
	cs = append(cs, m.run.init()...)
	cs = append(cs, m.objects.init()...)
	cs = append(cs, m.repos.init()...)
	cs = append(cs, m.rtr.init()...)
	cs = append(cs, m.http.init()...)
	cs = append(cs, m.health.init(m)...)
	if reg != nil {
		reg.MustRegister(cs...)
	}
	return m
}

// seconds is a duration in seconds, the Prometheus base unit.
func seconds(d time.Duration) float64 { return d.Seconds() }

// unixSeconds is a time as a Unix timestamp in seconds, 0 for zero time.
func unixSeconds(t time.Time) float64 {
	if t.IsZero() {
		return 0
	}
	return float64(t.UnixNano()) / 1e9
}
