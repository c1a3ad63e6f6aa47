package metrics

import (
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// freshness are the gauges of the published data.
type freshness struct {
	updated      atomic.Int64 // UnixNano of the last publication, 0 before
	lastUpdate   prometheus.Gauge
	age          prometheus.GaugeFunc
	serial       prometheus.Gauge
	vrpsPerTA    *prometheus.GaugeVec
	aspasPerTA   *prometheus.GaugeVec
	publications prometheus.Counter
}

func (f *freshness) init(m *Metrics) []prometheus.Collector {
	f.lastUpdate = prometheus.NewGauge(prometheus.GaugeOpts{Namespace: namespace, Name: "last_update_timestamp_seconds",
		Help: "Unix time at which validated data was last published (0 before the first run)."})
	f.age = prometheus.NewGaugeFunc(prometheus.GaugeOpts{Namespace: namespace, Name: "data_age_seconds",
		Help: "Age of the published data, computed at scrape time; before the first publication, the time since start."},
		m.dataAge)
	f.serial = prometheus.NewGauge(prometheus.GaugeOpts{Namespace: namespace, Name: "serial",
		Help: "RTR serial of the published data."})
	f.vrpsPerTA = prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: namespace, Name: "vrps",
		Help: "Published VRPs per trust anchor."}, []string{"ta"})
	f.aspasPerTA = prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: namespace, Name: "aspas",
		Help: "Published ASPA records per trust anchor."}, []string{"ta"})
	f.publications = prometheus.NewCounter(prometheus.CounterOpts{Namespace: namespace, Name: "publications_total",
		Help: "Validated data sets published."})
	return []prometheus.Collector{f.lastUpdate, f.age, f.serial, f.vrpsPerTA, f.aspasPerTA, f.publications}
}

// dataAge is the scrape-time age of the data. Before the first
// publication it is the time since start, a lower bound of the age that
// lets an alert on age fire when the first run never finishes.
func (m *Metrics) dataAge() float64 {
	from := m.started
	if u := m.fresh.updated.Load(); u != 0 {
		from = time.Unix(0, u)
	}
	return m.now().Sub(from).Seconds()
}

// Published records a publication: the RTR serial, the VRPs and ASPAs per
// trust anchor as served (TAs absent from the maps disappear from the
// gauges) and the publication time.
func (m *Metrics) Published(serial uint32, vrpsPerTA, aspasPerTA map[string]int, updated time.Time) {
	f := &m.fresh
	f.updated.Store(updated.UnixNano())
	f.lastUpdate.Set(unixSeconds(updated))
	f.serial.Set(float64(serial))
	setPerTA(f.vrpsPerTA, vrpsPerTA)
	setPerTA(f.aspasPerTA, aspasPerTA)
	f.publications.Inc()
}

// setPerTA replaces the values of a per-TA gauge.
func setPerTA(g *prometheus.GaugeVec, perTA map[string]int) {
	g.Reset()
	for ta, n := range perTA {
		g.WithLabelValues(ta).Set(float64(n))
	}
}
