package metrics

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/openrpki/validator/pkg/report"
	"github.com/openrpki/validator/pkg/state"
)

// healthMetrics are what the alerts on trust anchors and runs read: each
// trust anchor's state and last success, read from the published report
// at scrape time, and when a full run last succeeded against the
// interval between full runs.
type healthMetrics struct {
	m               *Metrics
	taUp, taSuccess *prometheus.Desc
	lastFullOK      prometheus.Gauge
	refresh         prometheus.Gauge
}

func (h *healthMetrics) init(m *Metrics) []prometheus.Collector {
	h.m = m
	h.taUp = prometheus.NewDesc(namespace+"_ta_up",
		"1 if the trust anchor validated in the last run, else 0 (its certificate was refused, not fetched and none kept, or invalid).",
		[]string{"ta"}, nil)
	h.taSuccess = prometheus.NewDesc(namespace+"_ta_last_success_timestamp_seconds",
		"Unix time of the last run of this process that validated the trust anchor (absent before any).", []string{"ta"}, nil)
	h.lastFullOK = prometheus.NewGauge(prometheus.GaugeOpts{Namespace: namespace, Name: "last_full_run_success_timestamp_seconds",
		Help: "Unix time at which the last successful full validation run ended (0 before any; polls between full runs do not count)."})
	h.refresh = prometheus.NewGauge(prometheus.GaugeOpts{Namespace: namespace, Name: "refresh_interval_seconds",
		Help: "Configured interval between full validation runs (refresh)."})
	return []prometheus.Collector{h, h.lastFullOK, h.refresh}
}

// SetRefresh records the configured interval between full runs, which the
// "no successful run" alert compares the last success against.
func (m *Metrics) SetRefresh(d time.Duration) { m.health.refresh.Set(seconds(d)) }

// runDone records a successful full run.
func (h *healthMetrics) runDone(rep *report.Run, err error) {
	if err == nil && !rep.Quick {
		h.lastFullOK.Set(unixSeconds(rep.End))
	}
}

// Describe implements prometheus.Collector for the per-TA series.
func (h *healthMetrics) Describe(ch chan<- *prometheus.Desc) {
	ch <- h.taUp
	ch <- h.taSuccess
}

// Collect implements prometheus.Collector: one series per trust anchor of
// the published report.
func (h *healthMetrics) Collect(ch chan<- prometheus.Metric) {
	var st *state.State
	if load := h.m.state.load.Load(); load != nil {
		st = (*load)()
	}
	if st == nil || st.Report == nil {
		return
	}
	for _, ta := range st.Report.TAs {
		up := 1.0
		if ta.Error != "" {
			up = 0
		}
		ch <- prometheus.MustNewConstMetric(h.taUp, prometheus.GaugeValue, up, ta.Name)
		if !ta.LastSuccess.IsZero() {
			ch <- prometheus.MustNewConstMetric(h.taSuccess, prometheus.GaugeValue, unixSeconds(ta.LastSuccess), ta.Name)
		}
	}
}
