package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/openrpki/validator/configs"
)

// Config is everything `validator run` can be told. The YAML keys are the
// field tags; configs/validator.yaml lists and documents each with its
// default.
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
	// Now fixes the validation clock (RFC 3339), for tests and forensics.
	Now string `yaml:"now"`
	// Reconsidered applies RFC 8360 validation reconsidered to CA
	// certificates instead of strict RFC 6487 containment.
	Reconsidered bool `yaml:"reconsidered"`

	Fetch Fetch `yaml:"fetch"`
	RTR   RTR   `yaml:"rtr"`
	HTTP  HTTP  `yaml:"http"`
	Log   Log   `yaml:"log"`
}

// Fetch configures the repository fetchers.
type Fetch struct {
	CACert            string `yaml:"ca_cert"`
	AllowDubiousHosts bool   `yaml:"allow_dubious_hosts"`
	RsyncOnly         bool   `yaml:"rsync_only"`
	NoRsync           bool   `yaml:"no_rsync"`
	RRDPFallback      string `yaml:"rrdp_fallback"`
}

// RTR configures the RTR server.
type RTR struct {
	Listen      []string      `yaml:"listen"`
	TLSListen   []string      `yaml:"tls_listen"`
	TLSCert     string        `yaml:"tls_cert"`
	TLSKey      string        `yaml:"tls_key"`
	MaxVersion  int           `yaml:"max_version"`
	Refresh     time.Duration `yaml:"refresh"`
	Retry       time.Duration `yaml:"retry"`
	Expire      time.Duration `yaml:"expire"`
	MaxSessions int           `yaml:"max_sessions"`
	Allow       []string      `yaml:"allow"`
	MaxAge      time.Duration `yaml:"max_age"`
	History     int           `yaml:"history"`
}

// HTTP configures the HTTP API, metrics and status page.
type HTTP struct {
	Listen []string `yaml:"listen"`
}

// Log configures logging.
type Log struct {
	Level  string `yaml:"level"`
	Format string `yaml:"format"`
}

// Default returns the defaults: configs/validator.yaml.
func Default() *Config {
	c, err := parse(configs.DefaultConfig, nil)
	if err != nil {
		panic("config: embedded default does not parse: " + err.Error())
	}
	return c
}

// Load reads a configuration file over the defaults.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	c, err := parse(data, Default())
	if err != nil {
		return nil, fmt.Errorf("config: %s: %w", path, err)
	}
	return c, nil
}

// parse decodes YAML over base (or a zero Config), rejecting unknown keys
// and trailing documents.
func parse(data []byte, base *Config) (*Config, error) {
	c := &Config{}
	if base != nil {
		*c = *base
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	// An empty file (io.EOF) changes nothing.
	if err := dec.Decode(c); err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return nil, errors.New("more than one YAML document")
	}
	return c, nil
}

// Validate returns every problem of the configuration, joined.
func (c *Config) Validate() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if c.TALDir != "" && len(c.TALs) > 0 {
		bad("tal_dir and tals exclude each other")
	}
	if c.Refresh < time.Second {
		bad("refresh %v: must be at least 1s", c.Refresh)
	}
	if c.RRDPPoll < 0 {
		bad("rrdp_poll %v: must not be negative", c.RRDPPoll)
	}
	if c.Now != "" {
		if _, err := time.Parse(time.RFC3339, c.Now); err != nil {
			bad("now: %v", err)
		}
	}
	switch c.Fetch.RRDPFallback {
	case "never", "stale", "new":
	default:
		bad("fetch.rrdp_fallback %q: want never, stale or new", c.Fetch.RRDPFallback)
	}
	if c.Fetch.RsyncOnly && c.Fetch.NoRsync {
		bad("fetch.rsync_only and fetch.no_rsync exclude each other")
	}
	c.RTR.validate(bad)
	for _, a := range c.HTTP.Listen {
		if _, _, err := net.SplitHostPort(a); err != nil {
			bad("http.listen %q: %v", a, err)
		}
	}
	switch c.Log.Level {
	case "debug", "info", "warn", "error":
	default:
		bad("log.level %q: want debug, info, warn or error", c.Log.Level)
	}
	if c.Log.Format != "console" && c.Log.Format != "json" {
		bad("log.format %q: want console or json", c.Log.Format)
	}
	return errors.Join(errs...)
}

func (r *RTR) validate(bad func(string, ...any)) {
	for _, a := range append(append([]string{}, r.Listen...), r.TLSListen...) {
		if _, _, err := net.SplitHostPort(a); err != nil {
			bad("rtr listen address %q: %v", a, err)
		}
	}
	if len(r.TLSListen) > 0 && (r.TLSCert == "" || r.TLSKey == "") {
		bad("rtr.tls_listen needs rtr.tls_cert and rtr.tls_key")
	}
	if r.MaxVersion < 0 || r.MaxVersion > 2 {
		bad("rtr.max_version %d: want 0, 1 or 2", r.MaxVersion)
	}
	// RFC 8210 §6: refresh 1..86400, retry 1..7200, expire 600..172800
	// and larger than both.
	if r.Refresh < time.Second || r.Refresh > 86400*time.Second {
		bad("rtr.refresh %v: RFC 8210 §6 allows 1s to 24h", r.Refresh)
	}
	if r.Retry < time.Second || r.Retry > 7200*time.Second {
		bad("rtr.retry %v: RFC 8210 §6 allows 1s to 2h", r.Retry)
	}
	if r.Expire < 600*time.Second || r.Expire > 172800*time.Second || r.Expire <= r.Refresh || r.Expire <= r.Retry {
		bad("rtr.expire %v: RFC 8210 §6 allows 10m to 48h, above refresh and retry", r.Expire)
	}
	if r.MaxSessions < 1 {
		bad("rtr.max_sessions %d: must be positive", r.MaxSessions)
	}
	for _, a := range r.Allow {
		if _, err := netip.ParsePrefix(a); err != nil {
			bad("rtr.allow %q: %v", a, err)
		}
	}
	if r.MaxAge < 0 || r.History < 1 {
		bad("rtr.max_age must not be negative and rtr.history must be positive")
	}
}
