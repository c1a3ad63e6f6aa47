package metrics

import (
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// BenchmarkPDUReceived is the per-PDU hook of the RTR server: counters are
// made in advance, so it must not allocate.
func BenchmarkPDUReceived(b *testing.B) {
	m := New(prometheus.NewRegistry())
	b.ReportAllocs()
	for b.Loop() {
		m.PDUReceived("192.0.2.1:4000", 1, 1)
	}
}

// BenchmarkObjectsDone is the per-count hook of the validation engine.
func BenchmarkObjectsDone(b *testing.B) {
	m := New(prometheus.NewRegistry())
	b.ReportAllocs()
	for b.Loop() {
		m.ObjectsDone("roa", "valid", 1)
	}
}

// BenchmarkHTTPRequest is the per-request hook of the HTTP API.
func BenchmarkHTTPRequest(b *testing.B) {
	m := New(prometheus.NewRegistry())
	b.ReportAllocs()
	for b.Loop() {
		m.HTTPRequest("GET /json", 200, time.Millisecond, 1000)
	}
}
