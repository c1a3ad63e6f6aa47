package main

import (
	"bytes"
	"os"
	"runtime/metrics"
	"runtime/pprof"
	"time"
)

// startProfiles starts a CPU profile into cpu and a heap profile into mem
// (either may be empty); the returned function ends both. The heap profile
// is the one taken when the live heap was largest (sampled every 100 ms), so
// it shows what peak memory is made of rather than what is left at exit.
func startProfiles(cpu, mem string) (func(), error) {
	var cpuFile *os.File
	if cpu != "" {
		f, err := os.Create(cpu)
		if err != nil {
			return nil, err
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			f.Close()
			return nil, err
		}
		cpuFile = f
	}
	var peak *peakHeap
	if mem != "" {
		peak = watchPeakHeap()
	}
	return func() {
		if cpuFile != nil {
			pprof.StopCPUProfile()
			cpuFile.Close()
		}
		if peak != nil {
			os.WriteFile(mem, peak.stop(), 0o644)
		}
	}, nil
}

// peakHeap keeps the heap profile of the largest live heap seen.
type peakHeap struct {
	quit chan struct{}
	done chan []byte
}

func watchPeakHeap() *peakHeap {
	p := &peakHeap{quit: make(chan struct{}), done: make(chan []byte)}
	go p.watch()
	return p
}

func (p *peakHeap) watch() {
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	var best uint64
	var prof bytes.Buffer
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-p.quit:
			if prof.Len() == 0 {
				pprof.WriteHeapProfile(&prof)
			}
			p.done <- prof.Bytes()
			return
		case <-tick.C:
			metrics.Read(sample)
			if live := sample[0].Value.Uint64(); live > best {
				best = live
				prof.Reset()
				pprof.WriteHeapProfile(&prof)
			}
		}
	}
}

// stop ends the watch and returns the profile.
func (p *peakHeap) stop() []byte {
	close(p.quit)
	return <-p.done
}
