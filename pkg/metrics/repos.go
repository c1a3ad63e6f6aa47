package metrics

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// repoMetrics describe repository fetches (fetch.Observer). Per-repository
// series carry the repository URI: there are a few hundred in the global
// RPKI, which Prometheus handles well (Routinator exports the same).
type repoMetrics struct {
	fetches     *prometheus.CounterVec
	duration    *prometheus.HistogramVec
	bytes       *prometheus.CounterVec
	up          *prometheus.GaugeVec
	lastSeconds *prometheus.GaugeVec
	lastSuccess *prometheus.GaugeVec
	serial      *prometheus.GaugeVec
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
	r.up = prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: namespace, Name: "repository_up",
		Help: "1 if the last fetch of the repository succeeded, else 0."}, []string{"uri", "transport"})
	r.lastSeconds = prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: namespace, Name: "repository_last_fetch_duration_seconds",
		Help: "Duration of the last fetch of the repository."}, []string{"uri", "transport"})
	r.lastSuccess = prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: namespace, Name: "repository_last_success_timestamp_seconds",
		Help: "Unix time of the last successful fetch of the repository."}, []string{"uri", "transport"})
	r.serial = prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: namespace, Name: "repository_rrdp_serial",
		Help: "RRDP serial of the repository after its last successful fetch."}, []string{"uri"})
	return []prometheus.Collector{r.fetches, r.duration, r.bytes, r.up, r.lastSeconds, r.lastSuccess, r.serial}
}

// RepoDone records one repository fetch attempt; it implements
// fetch.Observer.
func (m *Metrics) RepoDone(uri, transport string, d time.Duration, bytes int64, serial uint64, outcome string, err error) {
	r := &m.repos
	r.fetches.WithLabelValues(transport, outcome).Inc()
	r.duration.WithLabelValues(transport).Observe(seconds(d))
	r.bytes.WithLabelValues(transport).Add(float64(max(bytes, 0)))
	r.lastSeconds.WithLabelValues(uri, transport).Set(seconds(d))
	ok := err == nil && (outcome == "updated" || outcome == "unchanged")
	if !ok {
		r.up.WithLabelValues(uri, transport).Set(0)
		return
	}
	r.up.WithLabelValues(uri, transport).Set(1)
	r.lastSuccess.WithLabelValues(uri, transport).Set(unixSeconds(m.now()))
	if serial != 0 {
		r.serial.WithLabelValues(uri).Set(float64(serial))
	}
}
