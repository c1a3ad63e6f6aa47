package metrics

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// runMetrics describe validation runs.
type runMetrics struct {
	duration   prometheus.Histogram
	runs       *prometheus.CounterVec
	lastEnd    prometheus.Gauge
	lastOK     prometheus.Gauge
	runObjects *prometheus.GaugeVec
	runPoints  *prometheus.GaugeVec
}

func (r *runMetrics) init() []prometheus.Collector {
	r.duration = prometheus.NewHistogram(prometheus.HistogramOpts{Namespace: namespace, Name: "run_duration_seconds",
		Help:    "Duration of validation runs.",
		Buckets: []float64{5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600}})
	r.runs = prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace, Name: "runs_total",
		Help: "Validation runs by result (ok or error)."}, []string{"result"})
	r.lastEnd = prometheus.NewGauge(prometheus.GaugeOpts{Namespace: namespace, Name: "last_run_timestamp_seconds",
		Help: "Unix time at which the last validation run ended."})
	r.lastOK = prometheus.NewGauge(prometheus.GaugeOpts{Namespace: namespace, Name: "last_run_success",
		Help: "1 if the last validation run succeeded, else 0."})
	r.runObjects = prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: namespace, Name: "run_objects",
		Help: "Objects of the last run by type and verdict (valid, or the class of the rejection)."}, []string{"type", "verdict"})
	r.runPoints = prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: namespace, Name: "run_publication_points",
		Help: "Publication points of the last run by outcome (fresh, cached, failed)."}, []string{"outcome"})
	for _, res := range []string{"ok", "error"} {
		r.runs.WithLabelValues(res)
	}
	return []prometheus.Collector{r.duration, r.runs, r.lastEnd, r.lastOK, r.runObjects, r.runPoints}
}

// RunDone records a finished validation run: its start and end, the
// object counts by type and verdict and publication point counts by
// outcome of its report (validate.Result.Objects; nil maps leave the last
// values), and its error.
func (m *Metrics) RunDone(start, end time.Time, objects map[string]map[string]int, pubPoints map[string]int, err error) {
	r := &m.run
	r.duration.Observe(seconds(end.Sub(start)))
	r.lastEnd.Set(unixSeconds(end))
	if err != nil {
		r.runs.WithLabelValues("error").Inc()
		r.lastOK.Set(0)
		return
	}
	r.runs.WithLabelValues("ok").Inc()
	r.lastOK.Set(1)
	if objects != nil {
		r.runObjects.Reset()
		for typ, byVerdict := range objects {
			for v, n := range byVerdict {
				r.runObjects.WithLabelValues(typ, v).Set(float64(n))
			}
		}
	}
	if pubPoints != nil {
		r.runPoints.Reset()
		for o, n := range pubPoints {
			r.runPoints.WithLabelValues(o).Set(float64(n))
		}
	}
}
