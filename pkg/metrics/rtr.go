package metrics

import (
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// RTR PDU types (RFC 8210 §5, 8210bis §5) for which counters exist in
// advance; other type numbers count as "other".
var rtrPDUNames = [...]string{
	0: "serial_notify", 1: "serial_query", 2: "reset_query", 3: "cache_response",
	4: "ipv4_prefix", 6: "ipv6_prefix", 7: "end_of_data", 8: "cache_reset",
	9: "router_key", 10: "error_report", 11: "aspa",
}

// maxRTRVersion is the highest RTR version counted by number (8210bis: 2).
const maxRTRVersion = 2

// rtrMetrics describe the RTR server (rtr.Observer).
type rtrMetrics struct {
	open      prometheus.Gauge
	byVersion [maxRTRVersion + 1]prometheus.Gauge
	opened    prometheus.Counter
	closed    *prometheus.CounterVec
	rejected  *prometheus.CounterVec
	received  *prometheus.CounterVec
	pdus      [maxRTRVersion + 1][len(rtrPDUNames)]prometheus.Counter
	responses *prometheus.CounterVec
	sentPDUs  *prometheus.CounterVec
	sentBytes *prometheus.CounterVec
	respTime  *prometheus.HistogramVec
	errors    *prometheus.CounterVec
	serial    prometheus.Gauge
	stale     prometheus.Gauge
}

func (r *rtrMetrics) init() []prometheus.Collector {
	r.open = prometheus.NewGauge(prometheus.GaugeOpts{Namespace: namespace, Subsystem: "rtr", Name: "sessions",
		Help: "Open RTR sessions."})
	versions := prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: namespace, Subsystem: "rtr", Name: "sessions_by_version",
		Help: "Open RTR sessions by negotiated protocol version (sessions yet to send a query are not counted)."}, []string{"version"})
	for v := range r.byVersion {
		r.byVersion[v] = versions.WithLabelValues(strconv.Itoa(v))
	}
	r.opened = prometheus.NewCounter(prometheus.CounterOpts{Namespace: namespace, Subsystem: "rtr", Name: "sessions_opened_total",
		Help: "RTR connections accepted."})
	r.closed = prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace, Subsystem: "rtr", Name: "sessions_closed_total",
		Help: "RTR sessions ended, by result (clean or error)."}, []string{"result"})
	r.rejected = prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace, Subsystem: "rtr", Name: "sessions_rejected_total",
		Help: "RTR connections refused, by reason (not_allowed, limit, source_limit)."}, []string{"reason"})
	r.received = prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace, Subsystem: "rtr", Name: "pdus_received_total",
		Help: "RTR PDUs received from routers, by protocol version and PDU type."}, []string{"version", "type"})
	r.responses = prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace, Subsystem: "rtr", Name: "responses_total",
		Help: "RTR responses sent, by protocol version and kind (reset, serial, cache_reset, notify, error)."}, []string{"version", "kind"})
	r.sentPDUs = prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace, Subsystem: "rtr", Name: "pdus_sent_total",
		Help: "RTR PDUs sent to routers, by response kind."}, []string{"kind"})
	r.sentBytes = prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace, Subsystem: "rtr", Name: "sent_bytes_total",
		Help: "Bytes sent to routers, by response kind."}, []string{"kind"})
	r.respTime = prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: namespace, Subsystem: "rtr", Name: "response_duration_seconds",
		Help:    "Time to write an RTR response, by kind.",
		Buckets: []float64{0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 15}}, []string{"kind"})
	r.errors = prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace, Subsystem: "rtr", Name: "error_reports_sent_total",
		Help: "RTR Error Report PDUs sent, by error code (RFC 8210 §12)."}, []string{"code"})
	r.serial = prometheus.NewGauge(prometheus.GaugeOpts{Namespace: namespace, Subsystem: "rtr", Name: "serial",
		Help: "Serial served by the RTR server."})
	r.stale = prometheus.NewGauge(prometheus.GaugeOpts{Namespace: namespace, Subsystem: "rtr", Name: "stale",
		Help: "1 while the RTR server's data is older than its limit (it answers No Data Available), else 0."})
	r.precreate()
	return []prometheus.Collector{r.open, versions, r.opened, r.closed, r.rejected, r.received, r.responses, r.sentPDUs,
		r.sentBytes, r.respTime, r.errors, r.serial, r.stale}
}

// precreate makes the per-PDU counters once, so that PDUReceived, called
// for every PDU, does no label lookup and allocates nothing.
func (r *rtrMetrics) precreate() {
	for v := range r.pdus {
		for t, name := range rtrPDUNames {
			if name != "" {
				r.pdus[v][t] = r.received.WithLabelValues(strconv.Itoa(v), name)
			}
		}
	}
	for _, res := range []string{"clean", "error"} {
		r.closed.WithLabelValues(res)
	}
}

// SessionOpened implements rtr.Observer.
func (m *Metrics) SessionOpened(remote string) {
	m.rtr.open.Inc()
	m.rtr.opened.Inc()
}

// SessionNegotiated implements rtr.Observer.
func (m *Metrics) SessionNegotiated(remote string, version uint8) {
	if int(version) <= maxRTRVersion {
		m.rtr.byVersion[version].Inc()
	}
}

// SessionClosed implements rtr.Observer.
func (m *Metrics) SessionClosed(remote string, version int, err error) {
	m.rtr.open.Dec()
	if version >= 0 && version <= maxRTRVersion {
		m.rtr.byVersion[version].Dec()
	}
	if err != nil {
		m.rtr.closed.WithLabelValues("error").Inc()
		return
	}
	m.rtr.closed.WithLabelValues("clean").Inc()
}

// SessionPanicked implements rtr.Observer: the panic ended one session
// and counts in rpki_panics_total{component="rtr"}.
func (m *Metrics) SessionPanicked(remote string) { m.Panicked("rtr") }

// SessionRejected implements rtr.Observer.
func (m *Metrics) SessionRejected(remote, reason string) {
	m.rtr.rejected.WithLabelValues(reason).Inc()
}

// PDUReceived implements rtr.Observer.
func (m *Metrics) PDUReceived(remote string, version, pduType uint8) {
	if int(version) <= maxRTRVersion && int(pduType) < len(rtrPDUNames) {
		if c := m.rtr.pdus[version][pduType]; c != nil {
			c.Inc()
			return
		}
	}
	m.rtr.received.WithLabelValues("other", "other").Inc()
}

// ResponseSent implements rtr.Observer.
func (m *Metrics) ResponseSent(remote string, version uint8, kind string, pdus, bytes int, took time.Duration) {
	r := &m.rtr
	r.responses.WithLabelValues(versionLabel(version), kind).Inc()
	r.sentPDUs.WithLabelValues(kind).Add(float64(pdus))
	r.sentBytes.WithLabelValues(kind).Add(float64(bytes))
	r.respTime.WithLabelValues(kind).Observe(seconds(took))
}

// ErrorReportSent implements rtr.Observer.
func (m *Metrics) ErrorReportSent(remote string, code uint16) {
	m.rtr.errors.WithLabelValues(strconv.Itoa(int(code))).Inc()
}

// Serial implements rtr.Observer.
func (m *Metrics) Serial(serial uint32) { m.rtr.serial.Set(float64(serial)) }

// Stale implements rtr.Observer.
func (m *Metrics) Stale(stale bool, age time.Duration) {
	if stale {
		m.rtr.stale.Set(1)
		return
	}
	m.rtr.stale.Set(0)
}

// versionLabel bounds the version label to the known versions.
func versionLabel(v uint8) string {
	if int(v) > maxRTRVersion {
		return "other"
	}
	return strconv.Itoa(int(v))
}
