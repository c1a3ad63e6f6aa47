package main

import (
	"compress/gzip"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/openrpki/validator/internal/vrpgen"
	"github.com/openrpki/validator/pkg/payload"
)

type config struct {
	set         string
	data, delta string
	sessions    int
	version     uint
	validator   string
	stayrtr     string
	only        string
	timeout     time.Duration
	connect     string
	hold        time.Duration
}

func main() {
	var c config
	flag.StringVar(&c.set, "set", "full", "generated payload and update (internal/vrpgen): full (600k VRPs, ±1,000) or small (5k, ±50)")
	flag.StringVar(&c.data, "data", "", "payload file instead of the generated set (relative to the module root; .gz allowed)")
	flag.StringVar(&c.delta, "delta", "", "updated payload file for the delta phase, with -data")
	flag.IntVar(&c.sessions, "sessions", 1000, "concurrent RTR sessions")
	flag.UintVar(&c.version, "version", 1, "RTR version the clients speak")
	flag.StringVar(&c.validator, "validator", "", "validator binary (default: go build ./cmd/validator)")
	flag.StringVar(&c.stayrtr, "stayrtr", "stayrtr", "stayrtr binary")
	flag.StringVar(&c.only, "only", "", "run only this server: validator or stayrtr")
	flag.DurationVar(&c.timeout, "timeout", 5*time.Minute, "bound on each phase")
	flag.StringVar(&c.connect, "connect", "", "connect the sessions to this running server instead, and keep them synced (see -hold)")
	flag.DurationVar(&c.hold, "hold", 0, "with -connect: stay connected this long (0: until SIGINT or SIGTERM)")
	flag.Parse()
	run := run
	if c.connect != "" {
		run = connect
	}
	if err := run(c); err != nil {
		fmt.Fprintln(os.Stderr, "rtrbench:", err)
		os.Exit(1)
	}
}

func run(c config) error {
	root, err := moduleRoot()
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "rtrbench")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	first, second := filepath.Join(tmp, "first.json"), filepath.Join(tmp, "second.json")
	expected, err := prepare(root, c, first, second)
	if err != nil {
		return err
	}
	fmt.Printf("data: %d VRPs, %d router keys, %d ASPAs; delta: %d PDUs; %d sessions, RTR v%d\n",
		expected.records, expected.keys, expected.aspas, expected.delta, c.sessions, c.version)
	var results []*result
	if c.only != "stayrtr" {
		bin := c.validator
		if bin == "" {
			bin = filepath.Join(tmp, "validator")
			if out, err := exec.Command("go", "build", "-o", bin, filepath.Join(root, "cmd/validator")).CombinedOutput(); err != nil {
				return fmt.Errorf("go build: %v\n%s", err, out)
			}
		}
		r, err := measure(c, "validator", tmp, first, second, expected, func(src, addr string) *exec.Cmd {
			return exec.Command(bin, "rtr", "--source", src, "--listen", addr, "--interval", "200ms", "--max-sessions", "100000",
				"--write-timeout", "10m") // StayRTR has no write timeout
		})
		if err != nil {
			return fmt.Errorf("validator: %w", err)
		}
		printResult(r)
		results = append(results, r)
	}
	if c.only != "validator" {
		r, err := measure(c, "stayrtr", tmp, first, second, expected, func(src, addr string) *exec.Cmd {
			return exec.Command(c.stayrtr, "-cache", src, "-checktime=false", "-bind", addr, "-refresh", "1",
				"-metrics.addr", "127.0.0.1:0", "-maxconn", "0", "-loglevel", "error")
		})
		if err != nil && r == nil {
			return fmt.Errorf("stayrtr: %w", err)
		}
		printResult(r)
		results = append(results, r)
	}
	report(results)
	return nil
}

// expectation is what every session must receive.
type expectation struct {
	records, keys, aspas int
	pdus                 int // full response PDUs
	delta                int // delta payload PDUs
}

// prepare writes both payloads as plain JSON (StayRTR reads plain JSON)
// and computes the expected PDU counts.
func prepare(root string, c config, first, second string) (expectation, error) {
	a, b, err := payloads(root, c, first, second)
	if err != nil {
		return expectation{}, err
	}
	d := payload.Construct(a, b)
	e := expectation{records: len(a.VRPs), keys: len(a.RouterKeys), aspas: len(a.ASPAs),
		delta: len(d.AnnouncedVRPs) + len(d.WithdrawnVRPs)}
	e.pdus = 2 + e.records
	if c.version >= 1 {
		e.pdus += e.keys
		e.delta += len(d.AnnouncedKeys) + len(d.WithdrawnKeys)
	}
	return e, nil
}

// payloads writes the generated set and its update, or the -data and
// -delta files, to first and second.
func payloads(root string, c config, first, second string) (a, b *payload.Snapshot, err error) {
	if c.data != "" || c.delta != "" {
		if c.data == "" || c.delta == "" {
			return nil, nil, fmt.Errorf("-data and -delta go together")
		}
		if a, err = copyJSON(filepath.Join(root, c.data), first); err != nil {
			return nil, nil, err
		}
		b, err = copyJSON(filepath.Join(root, c.delta), second)
		return a, b, err
	}
	spec, ok := map[string]vrpgen.Spec{"full": vrpgen.Full, "small": vrpgen.Small}[c.set]
	if !ok {
		return nil, nil, fmt.Errorf("-set %q: want full or small", c.set)
	}
	base, update := spec.JSON()
	if a, err = writeJSON(base, first); err != nil {
		return nil, nil, err
	}
	b, err = writeJSON(update, second)
	return a, b, err
}

func copyJSON(src, dst string) (*payload.Snapshot, error) {
	f, err := os.Open(src)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(src, ".gz") {
		if r, err = gzip.NewReader(f); err != nil {
			return nil, err
		}
	}
	raw, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	return writeJSON(raw, dst)
}

// writeJSON writes raw to dst and parses it.
func writeJSON(raw []byte, dst string) (*payload.Snapshot, error) {
	if err := os.WriteFile(dst, raw, 0o644); err != nil {
		return nil, err
	}
	set, err := payload.ReadJSON(strings.NewReader(string(raw)))
	if err != nil {
		return nil, err
	}
	return payload.NewSnapshot(set), nil
}

func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		if filepath.Dir(dir) == dir {
			return "", fmt.Errorf("go.mod not found above %s", dir)
		}
		dir = filepath.Dir(dir)
	}
}

// result holds one server's figures.
type result struct {
	name             string
	allHave          time.Duration
	perSession       []time.Duration
	bytes            int64
	pdus             int64
	cpu              time.Duration
	baseRSS, peakRSS int64
	deltaPeakRSS     int64
	failed           error // set when a phase did not complete in time
	deltaT0          time.Time
	deltaFromPublish time.Duration // from the server's publication log line
	deltaAll         time.Duration
	deltaPerSession  []time.Duration
	warmup           time.Duration
}

func (r *result) throughput() float64 {
	return float64(r.bytes) / r.allHave.Seconds()
}

func percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[min(len(s)-1, int(p*float64(len(s))))]
}

func report(rs []*result) {
	if len(rs) == 2 {
		printRatios(rs)
	}
}

// printResult prints one server's figures as soon as they are measured.
func printResult(r *result) {
	{
		fmt.Printf("\n== %s\n", r.name)
		if r.failed != nil {
			fmt.Printf("INCOMPLETE: %v\n", r.failed)
		}
		fmt.Printf("first full table (warm-up, 1 session): %v\n", r.warmup.Round(time.Millisecond))
		fmt.Printf("reset query to End of Data, all sessions: %v\n", r.allHave.Round(time.Millisecond))
		fmt.Printf("per session: p50 %v  p99 %v  max %v\n", percentile(r.perSession, .5).Round(time.Millisecond),
			percentile(r.perSession, .99).Round(time.Millisecond), percentile(r.perSession, 1).Round(time.Millisecond))
		fmt.Printf("received: %d PDUs, %.2f GB, throughput %.1f MB/s\n", r.pdus, float64(r.bytes)/1e9, r.throughput()/1e6)
		fmt.Printf("server CPU during the run: %v\n", r.cpu.Round(time.Millisecond))
		n := int64(len(r.perSession))
		fmt.Printf("server RSS: %.1f MB before sessions, peak %.1f MB during the full-table phase, %.1f KB per session\n",
			float64(r.baseRSS)/1e6, float64(r.peakRSS)/1e6, float64(r.peakRSS-r.baseRSS)/float64(max(n, 1))/1e3)
		fmt.Printf("server peak RSS while re-reading the file for the delta: %.1f MB\n", float64(r.deltaPeakRSS)/1e6)
		if r.deltaFromPublish > 0 {
			fmt.Printf("delta from publication (server log) to all sessions at End of Data: %v\n", r.deltaFromPublish.Round(time.Millisecond))
		}
		fmt.Printf("delta after file change, all sessions: %v (p50 %v, p99 %v; includes the source poll interval)\n",
			r.deltaAll.Round(time.Millisecond), percentile(r.deltaPerSession, .5).Round(time.Millisecond),
			percentile(r.deltaPerSession, .99).Round(time.Millisecond))
	}
}

func printRatios(rs []*result) {
	{
		fmt.Printf("\nthroughput ratio validator/stayrtr: %.2fx; stayrtr/validator: server CPU %.2fx (10 ms resolution), peak RSS %.2fx\n",
			rs[0].throughput()/rs[1].throughput(),
			rs[1].cpu.Seconds()/max(rs[0].cpu.Seconds(), 0.01), float64(rs[1].peakRSS)/float64(max(rs[0].peakRSS, 1)))
	}
}

// freeAddr returns a loopback address with a port that was free.
func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}
