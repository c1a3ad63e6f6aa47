package output

import (
	"compress/gzip"
	"io"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/openrpki/validator/internal/testshared"
	"github.com/openrpki/validator/pkg/payload"
)

var (
	bigOnce  sync.Once
	bigTable *payload.Table
)

// big600k reads the 600k-VRP payload of ../shared/rtr-data into a table.
func big600k(b *testing.B) *payload.Table {
	bigOnce.Do(func() {
		f, err := os.Open(testshared.Path(b, "rtr-data", "vrps.json.gz"))
		if err != nil {
			b.Fatal(err)
		}
		defer f.Close()
		zr, err := gzip.NewReader(f)
		if err != nil {
			b.Fatal(err)
		}
		bigTable, err = payload.ReadTable(zr)
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
