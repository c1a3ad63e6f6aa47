package output

import (
	"bytes"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/openrpki/validator/internal/vrpgen"
	"github.com/openrpki/validator/pkg/payload"
)

var (
	bigOnce  sync.Once
	bigTable *payload.Table
)

// big600k reads the generated 600k-VRP payload (internal/vrpgen) into a
// table.
func big600k(b *testing.B) *payload.Table {
	bigOnce.Do(func() {
		raw, _ := vrpgen.Full.JSON()
		var err error
		bigTable, err = payload.ReadTable(bytes.NewReader(raw))
		if err != nil {
			b.Fatal(err)
		}
		bigTable.BuildTime = time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	})
	return bigTable
}

// BenchmarkWrite600k writes every format of a 600k-VRP table to nowhere:
// the CPU and allocations of one document.
//
//	go test -run XXX -bench Write600k -benchtime 3x ./pkg/output/
func BenchmarkWrite600k(b *testing.B) {
	t := big600k(b)
	for _, name := range Formats() {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := Write(io.Discard, name, t); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
