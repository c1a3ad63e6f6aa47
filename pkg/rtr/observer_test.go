package rtr_test

import (
	"sync/atomic"
	"time"

	"github.com/openrpki/validator/pkg/rtr"
)

// staleObserver records a few events for assertions.
type staleObserver struct {
	rtr.NopObserver
	stale    atomic.Bool
	rejected atomic.Int64
	errors   atomic.Int64
	bytes    atomic.Int64
}

func (o *staleObserver) Stale(stale bool, _ time.Duration) { o.stale.Store(stale) }
func (o *staleObserver) SessionRejected(string, string)    { o.rejected.Add(1) }
func (o *staleObserver) ErrorReportSent(string, uint16)    { o.errors.Add(1) }
func (o *staleObserver) ResponseSent(_ string, _ uint8, _ string, _, n int, _ time.Duration) {
	o.bytes.Add(int64(n))
}
