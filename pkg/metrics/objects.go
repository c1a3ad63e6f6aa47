package metrics

import "github.com/prometheus/client_golang/prometheus"

// objectMetrics count the engine's verdicts (validate.Observer).
type objectMetrics struct {
	objects   *prometheus.CounterVec
	rejected  *prometheus.CounterVec
	pubPoints *prometheus.CounterVec
	replays   *prometheus.CounterVec
	panics    *prometheus.CounterVec
}

func (o *objectMetrics) init() []prometheus.Collector {
	o.objects = prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace, Name: "objects_total",
		Help: "Objects validated, by type and verdict (valid or rejected)."}, []string{"type", "verdict"})
	o.rejected = prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace, Name: "objects_rejected_total",
		Help: "Objects rejected, by type and reason (the error class: malformed, profile, signature, resources, stale, ...)."},
		[]string{"type", "reason"})
	o.pubPoints = prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace, Name: "publication_points_total",
		Help: "Publication points processed, by outcome (fresh, cached, failed)."}, []string{"outcome"})
	o.replays = prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace, Name: "ta_replays_total",
		Help: "TA certificates refused because they are older than the one accepted before (a replay), by trust anchor."},
		[]string{"ta"})
	o.panics = prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace, Name: "panics_total",
		Help: "Panics recovered (what was being processed was rejected or ended, the process went on), by component."},
		[]string{"component"})
	return []prometheus.Collector{o.objects, o.rejected, o.pubPoints, o.replays, o.panics}
}

// TAReplayed counts a refused older TA certificate; it implements
// validate.Observer.
func (m *Metrics) TAReplayed(ta string) { m.objects.replays.WithLabelValues(ta).Inc() }

// Panicked counts a recovered panic; it implements validate.Observer.
func (m *Metrics) Panicked(component string) { m.objects.panics.WithLabelValues(component).Inc() }

// ObjectsDone counts n objects; it implements validate.Observer. The
// verdict is "valid" or the class of the rejection, which becomes the
// reason label of rpki_objects_rejected_total (STYLE habit 9).
func (m *Metrics) ObjectsDone(typ, verdict string, n int) {
	if verdict == "valid" {
		m.objects.objects.WithLabelValues(typ, "valid").Add(float64(n))
		return
	}
	m.objects.objects.WithLabelValues(typ, "rejected").Add(float64(n))
	m.objects.rejected.WithLabelValues(typ, verdict).Add(float64(n))
}

// PubPointDone counts one publication point; it implements
// validate.Observer. The URI is not a label: per-repository series come
// from the fetch hook, and publication points are far more numerous.
func (m *Metrics) PubPointDone(uri, outcome string) {
	m.objects.pubPoints.WithLabelValues(outcome).Inc()
}
