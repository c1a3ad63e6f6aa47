package lab

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"time"

	"github.com/openrpki/validator/pkg/tal"
)

// Config describes a generated lab; it is saved as lab.json in the lab's
// directory so that `validator lab serve` and `lab publish` can carry on.
type Config struct {
	Preset    string    `json:"preset"`
	Seed      uint64    `json:"seed"`
	Endpoints Endpoints `json:"endpoints"`
	// Time is the lab's clock at generation: validity windows start an hour
	// before it.
	Time time.Time `json:"time"`
	// NoIPInherit leaves IP "inherit" out of CA certificates (rpki-client
	// 8.2 rejects it, so interop runs against it turn it off).
	NoIPInherit bool `json:"no_ip_inherit,omitempty"`
	// Faults lists the injected faults (see FaultNames), each on its own CA.
	Faults []string `json:"faults,omitempty"`
	// Serial counts publications: 1 after generation, +1 per `lab publish`.
	Serial int `json:"serial"`
	// PrimesFile is a shared cache of primes new labs start from (see
	// KeyFactory); empty means a file in the user's cache directory. A lab
	// keeps its own copy in its state directory.
	PrimesFile string `json:"-"`
}

// Directory layout of a lab.
const (
	configFile = "lab.json"
	rsyncDir   = "rsync"    // one folder per rsync module
	talDir     = "tals"     // one TAL per trust anchor
	expectDir  = "expected" // what a relying party must output
	stateDir   = "state"    // what `lab publish` needs to carry on
)

// Lab is a generated lab repository on disk.
type Lab struct {
	Dir    string
	Config Config
	Plan   *Plan
	b      *builder
	// hostile maps a publication server to the RRDP fault it serves.
	hostile map[int]string
	// huge holds the hashes of the snapshots of fault huge-snapshot.
	huge hugeSums
}

// Generate lays out, signs and writes a new lab into dir (which must be
// empty or absent).
func Generate(dir string, cfg Config) (*Lab, error) {
	if entries, err := os.ReadDir(dir); err == nil && len(entries) > 0 {
		return nil, fmt.Errorf("lab: %s is not empty", dir)
	}
	if cfg.Preset == "" {
		cfg.Preset = "small"
	}
	if cfg.Time.IsZero() {
		cfg.Time = time.Now().UTC().Truncate(time.Second)
	}
	cfg.Serial = 1
	l, err := open(dir, cfg)
	if err != nil {
		return nil, err
	}
	sharePrimes(filepath.Join(dir, stateDir, "primes.txt"), cfg.PrimesFile)
	if err := l.writeAll(); err != nil {
		return nil, err
	}
	pending, err := l.publishRRDP(nil)
	if err != nil {
		return nil, err
	}
	if err := l.writeExpected(); err != nil {
		return nil, err
	}
	if err := l.writeFaults(); err != nil {
		return nil, err
	}
	if err := l.saveConfig(); err != nil {
		return nil, err
	}
	return l, pending.announce()
}

// open rebuilds the in-memory state (plan, keys) of a lab.
func open(dir string, cfg Config) (*Lab, error) {
	p, err := LookupPreset(cfg.Preset)
	if err != nil {
		return nil, err
	}
	pl, err := NewPlan(p, cfg.Seed)
	if err != nil {
		return nil, err
	}
	primes := filepath.Join(dir, stateDir, "primes.txt")
	seedPrimes(primes, cfg.PrimesFile)
	keys, err := NewKeyFactory(keysNeeded(pl), primes)
	if err != nil {
		return nil, err
	}
	b, err := newBuilder(pl, cfg.Endpoints, cfg.Time, keys)
	if err != nil {
		return nil, err
	}
	faults, err := parseFaults(cfg.Faults)
	if err != nil {
		return nil, err
	}
	if b.faults, err = faultTargets(pl, faults); err != nil {
		return nil, err
	}
	if b.attacks, err = planAttacks(pl, faults, b.faults); err != nil {
		return nil, err
	}
	for i, f := range b.faults {
		if f.name == "mft-number-backwards" {
			b.gen[i] = 5 // manifest number 6, so that 1 is lower
		}
	}
	hostile, err := repoTargets(pl, faults)
	if err != nil {
		return nil, err
	}
	if !cfg.NoIPInherit {
		b.ipInherit = func(i int) bool { return pl.CAs[i].Parent >= 0 && isChild(pl, i) && i%2 == 0 }
	}
	l := &Lab{Dir: dir, Config: cfg, Plan: pl, b: b, hostile: hostile}
	return l, l.replay()
}

// isChild reports whether CA i is a delegated child of a member CA.
func isChild(pl *Plan, i int) bool {
	p := pl.CAs[i].Parent
	return p >= 0 && pl.CAs[p].Parent >= 0 && pl.CAs[pl.CAs[p].Parent].Parent >= 0
}

// seedPrimes starts a lab's own prime file (which makes its keys, so the
// lab stays self-contained) from a shared cache of primes, so that new labs
// need not generate them again; shared empty means the user's cache.
func seedPrimes(own, shared string) {
	if _, err := os.Stat(own); err == nil {
		return
	}
	if shared == "" {
		shared = defaultPrimesFile()
	}
	if data, err := os.ReadFile(shared); err == nil {
		writeFile(own, data)
	}
}

// sharePrimes adds a lab's primes to the shared cache when it has more.
func sharePrimes(own, shared string) {
	if shared == "" {
		shared = defaultPrimesFile()
	}
	mine, err := os.ReadFile(own)
	if err != nil {
		return
	}
	if theirs, err := os.ReadFile(shared); err == nil && len(theirs) >= len(mine) {
		return
	}
	writeFile(shared, mine)
}

func defaultPrimesFile() string {
	dir, err := os.UserCacheDir()
	if err != nil {
		dir = os.TempDir()
	}
	return filepath.Join(dir, "validator", "lab-primes.txt")
}

// writeAll writes the TA certificates, TALs and every publication point.
func (l *Lab) writeAll() error {
	for _, root := range l.Plan.TARoots {
		if err := l.writeTA(root); err != nil {
			return err
		}
	}
	return l.parallel(len(l.Plan.CAs), func(i int) error {
		files, err := l.b.pubPoint(i)
		if err != nil {
			return fmt.Errorf("lab: CA %s: %w", l.Plan.CAs[i].Name, err)
		}
		return writeFiles(filepath.Join(l.Dir, rsyncDir, l.Plan.ppDir(i)), files)
	})
}

// writeTA writes a trust anchor's certificate and its TAL (HTTPS URI
// first, as RFC 8630 §2.2 lets the relying party choose).
func (l *Lab) writeTA(i int) error {
	der, err := l.b.taCert(i)
	if err != nil {
		return err
	}
	path := l.Plan.certPath(i)
	if err := writeFile(filepath.Join(l.Dir, rsyncDir, path), der); err != nil {
		return err
	}
	t := &tal.TAL{Name: l.Plan.CAs[i].Name,
		Comments: []string{"lab trust anchor " + l.Plan.CAs[i].Name},
		URIs:     l.taURIs(i, path),
		SPKI:     l.b.caKey(i).SPKI()}
	return writeFile(filepath.Join(l.Dir, talDir, l.Plan.CAs[i].Name+".tal"), t.Marshal())
}

// parallel runs fn(0..n-1) on every core and returns the first error.
func (l *Lab) parallel(n int, fn func(i int) error) error {
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
		next = make(chan int)
	)
	for w := 0; w < runtime.GOMAXPROCS(0); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if err := fn(i); err != nil {
					mu.Lock()
					errs = append(errs, err)
					mu.Unlock()
				}
			}
		}()
	}
	for i := 0; i < n; i++ {
		next <- i
	}
	close(next)
	wg.Wait()
	return errors.Join(errs...)
}

func (l *Lab) saveConfig() error {
	data, err := json.MarshalIndent(l.Config, "", "  ")
	if err != nil {
		return err
	}
	return writeFile(filepath.Join(l.Dir, configFile), append(data, '\n'))
}

// writeFiles replaces the contents of a publication point directory.
func writeFiles(dir string, files []file) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	keep := map[string]bool{}
	for _, f := range files {
		keep[f.Name] = true
		if err := writeFile(filepath.Join(dir, f.Name), f.DER); err != nil {
			return err
		}
	}
	old, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range old {
		if !e.IsDir() && !keep[e.Name()] {
			if err := os.Remove(filepath.Join(dir, e.Name())); err != nil {
				return err
			}
		}
	}
	return nil
}

// writeFile writes through a temporary file and a rename, so a reader (the
// rsync daemon, the HTTPS server) never sees half a file.
func writeFile(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// jsonUnmarshalStrict decodes JSON and rejects unknown fields.
func jsonUnmarshalStrict(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

// TALFiles lists the lab's TAL files.
func (l *Lab) TALFiles() []string {
	var out []string
	for _, root := range l.Plan.TARoots {
		out = append(out, filepath.Join(l.Dir, talDir, l.Plan.CAs[root].Name+".tal"))
	}
	return out
}

// TALDir is the directory holding the lab's TAL files.
func (l *Lab) TALDir() string { return filepath.Join(l.Dir, talDir) }

// ExpectedFile is the expected output, in the JSON format of `validator vrps`.
func (l *Lab) ExpectedFile() string { return filepath.Join(l.Dir, expectDir, "output.json") }

// FaultsFile is expected/faults.txt: each injected fault, its target and
// its expected effect (written only for a lab with faults).
func (l *Lab) FaultsFile() string { return filepath.Join(l.Dir, expectDir, faultsFile) }
