package metrics

import (
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// httpMetrics describe the HTTP API (httpapi.RequestObserver).
type httpMetrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	bytes    *prometheus.CounterVec
}

func (h *httpMetrics) init() []prometheus.Collector {
	h.requests = prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace, Subsystem: "http", Name: "requests_total",
		Help: "HTTP requests by route pattern and status code."}, []string{"handler", "code"})
	h.duration = prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: namespace, Subsystem: "http", Name: "request_duration_seconds",
		Help:    "HTTP request duration by route pattern.",
		Buckets: []float64{0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30}}, []string{"handler"})
	h.bytes = prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace, Subsystem: "http", Name: "response_bytes_total",
		Help: "HTTP response body bytes by route pattern."}, []string{"handler"})
	return []prometheus.Collector{h.requests, h.duration, h.bytes}
}

// HTTPRequest implements httpapi.RequestObserver. handler is a route
// pattern, so the label set stays bounded.
func (m *Metrics) HTTPRequest(handler string, code int, d time.Duration, bytes int64) {
	m.http.requests.WithLabelValues(handler, strconv.Itoa(code)).Inc()
	m.http.duration.WithLabelValues(handler).Observe(seconds(d))
	m.http.bytes.WithLabelValues(handler).Add(float64(max(bytes, 0)))
}
