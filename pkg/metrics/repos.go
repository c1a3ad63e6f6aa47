package metrics

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/openrpki/validator/pkg/fetch"
)

// repoMetrics count repository fetch attempts (fetch.Observer). The
// per-repository gauges (up, last duration, last success, serial) are read
// from the published state's repository health (state.go).
type repoMetrics struct {
	fetches  *prometheus.CounterVec
	duration *prometheus.HistogramVec
	bytes    *prometheus.CounterVec
}

func (r *repoMetrics) init() []prometheus.Collector {
	r.fetches = prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace, Name: "repository_fetches_total",
		Help: "Repository fetch attempts by transport and outcome (updated, unchanged, failed, backoff, refused)."},
		[]string{"transport", "outcome"})
	r.duration = prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: namespace, Name: "repository_fetch_duration_seconds",
		Help:    "Duration of repository fetch attempts by transport.",
		Buckets: []float64{0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300}}, []string{"transport"})
	r.bytes = prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace, Name: "repository_fetched_bytes_total",
		Help: "Bytes read from repositories (decompressed) by transport."}, []string{"transport"})
	return []prometheus.Collector{r.fetches, r.duration, r.bytes}
}

// Attempted records one repository or TA certificate fetch attempt; it
// implements fetch.Observer.
func (m *Metrics) Attempted(a fetch.Attempt) {
	r := &m.repos
	r.fetches.WithLabelValues(a.Transport, string(a.Outcome)).Inc()
	r.duration.WithLabelValues(a.Transport).Observe(seconds(a.Duration))
	r.bytes.WithLabelValues(a.Transport).Add(float64(max(a.Bytes, 0)))
}
