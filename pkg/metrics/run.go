package metrics

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/openrpki/validator/pkg/report"
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

// RunDone records a finished validation run from its report: its
// duration, the object counts by type and verdict and the publication
// point counts by outcome, and its error (a failed run keeps the last
// counts).
func (m *Metrics) RunDone(rep *report.Run, err error) {
	r := &m.run
	m.health.runDone(rep, err)
	r.duration.Observe(seconds(rep.End.Sub(rep.Start)))
	r.lastEnd.Set(unixSeconds(rep.End))
	if err != nil {
		r.runs.WithLabelValues("error").Inc()
		r.lastOK.Set(0)
		return
	}
	r.runs.WithLabelValues("ok").Inc()
	r.lastOK.Set(1)
	if rep.Objects != nil {
		r.runObjects.Reset()
		for typ, byVerdict := range rep.Objects {
			for v, n := range byVerdict {
				r.runObjects.WithLabelValues(typ, v).Set(float64(n))
			}
		}
	}
	if rep.PointTotal() > 0 {
		r.runPoints.Reset()
		for o, n := range rep.PointCounts() {
			r.runPoints.WithLabelValues(o).Set(float64(n))
		}
	}
}
