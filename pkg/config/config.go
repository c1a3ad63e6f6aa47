package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/openrpki/validator/configs"
)

// Config is everything `validator run` can be told. The YAML keys are the
// field tags; configs/validator.yaml lists and documents each with its
// default. Every value is checked as it is decoded (typed fields with
// UnmarshalText), so code after Load reads values, never strings to parse.
// Paths in a file are relative to the file's folder; Load makes them
// absolute.
type Config struct {
	// TALDir is a directory of TAL files; empty with no TALs means the
	// five RIR TALs built in.
	TALDir string   `yaml:"tal_dir"`
	TALs   []string `yaml:"tals"`
	// Cache is the cache directory; empty means the standard location.
	Cache string `yaml:"cache"`
	// Refresh is the interval between full validation runs.
	Refresh time.Duration `yaml:"refresh"`
	// RRDPPoll is how often RRDP notification files are checked for a new
	// serial between full runs (conditional GET); 0 disables.
	RRDPPoll time.Duration `yaml:"rrdp_poll"`
	// SLURM lists local exception files (RFC 8416).
	SLURM []string `yaml:"slurm"`
	// Now fixes the validation clock, for tests and forensics; zero means
	// the clock.
	Now Instant `yaml:"now"`
	// Reconsidered applies RFC 8360 validation reconsidered to CA
	// certificates instead of strict RFC 6487 containment.
	Reconsidered bool `yaml:"reconsidered"`
	// MemoryLimit is the daemon's soft memory limit (the Go runtime's:
	// the collector works harder near it; never a cap that fails): auto
	// (the default) follows the live heap, a size is fixed, 0 leaves the
	// runtime's own (GOMEMLIMIT, or none).
	MemoryLimit MemoryLimit `yaml:"memory_limit"`

	Fetch Fetch `yaml:"fetch"`
	RTR   RTR   `yaml:"rtr"`
	HTTP  HTTP  `yaml:"http"`
	Log   Log   `yaml:"log"`
}

// Fetch configures the repository fetchers.
type Fetch struct {
	CACert            string   `yaml:"ca_cert"`
	AllowDubiousHosts bool     `yaml:"allow_dubious_hosts"`
	RsyncOnly         bool     `yaml:"rsync_only"`
	NoRsync           bool     `yaml:"no_rsync"`
	RRDPFallback      Fallback `yaml:"rrdp_fallback"`
}

// RTR configures the RTR server.
type RTR struct {
	Listen      []Addr        `yaml:"listen"`
	TLSListen   []Addr        `yaml:"tls_listen"`
	TLSCert     string        `yaml:"tls_cert"`
	TLSKey      string        `yaml:"tls_key"`
	MaxVersion  int           `yaml:"max_version"`
	Refresh     time.Duration `yaml:"refresh"`
	Retry       time.Duration `yaml:"retry"`
	Expire      time.Duration `yaml:"expire"`
	MaxSessions int           `yaml:"max_sessions"`
	// MaxSessionsPerSource caps the sessions of one source address;
	// FirstQueryTimeout drops a connection that sends no query in time.
	MaxSessionsPerSource int            `yaml:"max_sessions_per_source"`
	FirstQueryTimeout    time.Duration  `yaml:"first_query_timeout"`
	Allow                []netip.Prefix `yaml:"allow"`
	MaxAge               time.Duration  `yaml:"max_age"`
	History              int            `yaml:"history"`
}

// HTTP configures the HTTP API, metrics and status page.
type HTTP struct {
	Listen []Addr `yaml:"listen"`
	// Pprof serves Go's profiles at /debug/pprof/ (heap, CPU,
	// goroutines): off by default, for diagnosing memory or CPU.
	Pprof bool `yaml:"pprof"`
}

// Log configures logging.
type Log struct {
	Level  LogLevel  `yaml:"level"`
	Format LogFormat `yaml:"format"`
}

// Default returns the defaults: configs/validator.yaml.
func Default() *Config {
	c, err := parse(configs.DefaultConfig, nil)
	if err != nil {
		panic("config: embedded default does not parse: " + err.Error())
	}
	return c
}

// Load reads a configuration file over the defaults. Relative paths in the
// file are taken from the file's folder and made absolute.
func Load(path string) (*Config, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	data, err := os.ReadFile(abs)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	c, err := parse(data, Default())
	if err != nil {
		return nil, eachProblem("config: "+abs+": ", err)
	}
	c.resolvePaths(filepath.Dir(abs))
	return c, nil
}

// parse decodes YAML over base (or a zero Config), rejecting unknown keys,
// values that do not decode and trailing documents.
func parse(data []byte, base *Config) (*Config, error) {
	c := &Config{}
	if base != nil {
		*c = *base
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var root yaml.Node
	if err := dec.Decode(&root); err != nil {
		if errors.Is(err, io.EOF) {
			return c, nil // an empty file changes nothing
		}
		return nil, err
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return nil, errors.New("more than one YAML document")
	}
	if errs := checkNode(&root, reflect.TypeFor[Config](), ""); len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	if err := root.Decode(c); err != nil {
		return nil, splitTypeError(err)
	}
	return c, nil
}

// eachProblem prefixes each problem of a joined error (each line), so that
// every line names the file.
func eachProblem(prefix string, err error) error {
	joined, ok := err.(interface{ Unwrap() []error })
	if !ok {
		return fmt.Errorf("%s%w", prefix, err)
	}
	errs := joined.Unwrap()
	out := make([]error, len(errs))
	for i, e := range errs {
		out[i] = fmt.Errorf("%s%w", prefix, e)
	}
	return errors.Join(out...)
}

// splitTypeError turns yaml.v3's multi-line error list into one error per
// problem, each starting with its line.
func splitTypeError(err error) error {
	var te *yaml.TypeError
	if !errors.As(err, &te) {
		return err
	}
	errs := make([]error, len(te.Errors))
	for i, e := range te.Errors {
		errs[i] = errors.New(e)
	}
	return errors.Join(errs...)
}
