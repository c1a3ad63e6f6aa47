package main

import (
	"encoding"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/openrpki/validator/pkg/config"
)

// configSource is where `run`, `vrps` and `config check` get their
// configuration: the defaults, then the file of --config, then the flags
// given, then Validate. Each flag's value is decoded as it is parsed (with
// the same UnmarshalText as the file, so a bad value fails at once and
// names the flag) and laid over the file once it is read. Paths are
// absolute from the start: the file's are taken from its folder (by
// config.Load), the flags' from the working directory (here).
type configSource struct {
	file     string                 // --config, absolute; "" for the defaults alone
	apply    []func(*config.Config) // the flags given, in command-line order
	defaults *config.Config         // shown in --help
	given    map[string]bool        // names of the flags given
}

// newConfigSource registers --config and the flags shared by `run` and
// `vrps` (those that choose what is validated, from where, and how it is
// logged).
func newConfigSource(fs *flag.FlagSet) *configSource {
	s := &configSource{defaults: config.Default(), given: map[string]bool{}}
	fs.Func("config", "configuration `FILE` (YAML; see configs/validator.yaml); flags override it", func(v string) error {
		abs, err := filepath.Abs(v)
		s.file = abs
		return err
	})
	s.path(fs, "tal-dir", "`DIR` of TAL files (*.tal); default: the five RIRs' TALs built in",
		func(c *config.Config, p string) { c.TALDir, c.TALs = p, nil })
	s.paths(fs, "tal", "a TAL `FILE` (repeatable; instead of --tal-dir)",
		func(c *config.Config, ps []string) { c.TALDir, c.TALs = "", ps })
	s.path(fs, "cache", "`DIR` of the cache (default "+defaultCacheDir()+")",
		func(c *config.Config, p string) { c.Cache = p })
	s.path(fs, "ca-cert", "PEM `FILE` of TLS roots for RRDP and TA certificates (replaces the system's)",
		func(c *config.Config, p string) { c.Fetch.CACert = p })
	s.boolean(fs, "allow-dubious-hosts", "accept localhost, IP literals and ports in repository URIs (labs)",
		func(c *config.Config) *bool { return &c.Fetch.AllowDubiousHosts })
	s.boolean(fs, "rsync-only", "fetch over rsync only, ignoring RRDP", func(c *config.Config) *bool { return &c.Fetch.RsyncOnly })
	s.boolean(fs, "no-rsync", "never run rsync", func(c *config.Config) *bool { return &c.Fetch.NoRsync })
	textFlag(s, fs, "rrdp-fallback", "RRDP to rsync fallback `POLICY`: never, stale or new",
		func(c *config.Config) *config.Fallback { return &c.Fetch.RRDPFallback })
	s.paths(fs, "slurm", "SLURM `FILE` of local exceptions, RFC 8416 (repeatable)",
		func(c *config.Config, ps []string) { c.SLURM = ps })
	textFlag(s, fs, "now", "validation `TIME`, RFC 3339 (default: the clock)", func(c *config.Config) *config.Instant { return &c.Now })
	s.boolean(fs, "reconsidered", "RFC 8360 validation reconsidered: an over-claiming CA keeps what its issuer holds (default: strict RFC 6487)",
		func(c *config.Config) *bool { return &c.Reconsidered })
	textFlag(s, fs, "log-level", "log `LEVEL`: debug, info, warn or error", func(c *config.Config) *config.LogLevel { return &c.Log.Level })
	textFlag(s, fs, "log-format", "log `FORMAT`: console or json", func(c *config.Config) *config.LogFormat { return &c.Log.Format })
	return s
}

// load builds the configuration from its layers and validates it.
func (s *configSource) load() (*config.Config, error) {
	if s.given["tal"] && s.given["tal-dir"] {
		return nil, fmt.Errorf("--tal-dir and --tal exclude each other")
	}
	cfg := config.Default()
	if s.file != "" {
		if err := checkFile("configuration file", s.file); err != nil {
			return nil, err
		}
		var err error
		if cfg, err = config.Load(s.file); err != nil {
			return nil, err
		}
	}
	for _, apply := range s.apply {
		apply(cfg)
	}
	if cfg.Cache == "" {
		cfg.Cache = defaultCacheDir()
	}
	if err := cfg.Validate(); err != nil {
		return nil, err // each line names its key
	}
	return cfg, nil
}

// configFlag is one flag that sets configuration fields.
type configFlag struct {
	def    string // the default, for --help
	isBool bool
	set    func(string) (func(*config.Config), error)
	src    *configSource
	name   string
}

func (f *configFlag) String() string   { return f.def }
func (f *configFlag) IsBoolFlag() bool { return f.isBool }

// Set decodes the value now and queues its change for load.
func (f *configFlag) Set(v string) error {
	change, err := f.set(v)
	if err != nil {
		return err
	}
	f.src.given[f.name] = true
	if change != nil {
		f.src.apply = append(f.src.apply, change)
	}
	return nil
}

// add registers a flag; set turns its text into a change of the
// configuration (nil for none).
func (s *configSource) add(fs *flag.FlagSet, name, usage, def string, isBool bool, set func(string) (func(*config.Config), error)) {
	fs.Var(&configFlag{def: def, isBool: isBool, set: set, src: s, name: name}, name, usage)
}

// textFlag registers a flag for a field whose type decodes itself from
// text (config.Addr, config.Fallback, config.Instant, ...).
func textFlag[T any, P interface {
	*T
	encoding.TextUnmarshaler
}](s *configSource, fs *flag.FlagSet, name, usage string, field func(*config.Config) *T) {
	s.add(fs, name, usage, fmt.Sprint(*field(s.defaults)), false, func(v string) (func(*config.Config), error) {
		var val T
		if err := P(&val).UnmarshalText([]byte(v)); err != nil {
			return nil, err
		}
		return func(c *config.Config) { *field(c) = val }, nil
	})
}

func (s *configSource) boolean(fs *flag.FlagSet, name, usage string, field func(*config.Config) *bool) {
	def := ""
	if *field(s.defaults) {
		def = "true"
	}
	s.add(fs, name, usage, def, true, func(v string) (func(*config.Config), error) {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return nil, fmt.Errorf("%q is not a boolean", v)
		}
		return func(c *config.Config) { *field(c) = b }, nil
	})
}

func (s *configSource) duration(fs *flag.FlagSet, name, usage string, def time.Duration, set func(*config.Config, time.Duration)) {
	s.add(fs, name, usage, def.String(), false, func(v string) (func(*config.Config), error) {
		d, err := time.ParseDuration(v)
		if err != nil {
			return nil, fmt.Errorf("%q is not a duration (such as 30s or 10m)", v)
		}
		return func(c *config.Config) { set(c, d) }, nil
	})
}

// addrs registers a flag of comma-separated listen addresses.
func (s *configSource) addrs(fs *flag.FlagSet, name, usage string, field func(*config.Config) *[]config.Addr) {
	def := strings.Join(config.AddrStrings(*field(s.defaults)), ",")
	s.add(fs, name, usage, def, false, func(v string) (func(*config.Config), error) {
		var list []config.Addr
		for _, a := range splitList(v) {
			var addr config.Addr
			if err := addr.UnmarshalText([]byte(a)); err != nil {
				return nil, err
			}
			list = append(list, addr)
		}
		return func(c *config.Config) { *field(c) = list }, nil
	})
}

// path registers a flag naming a file or folder, made absolute against
// the working directory.
func (s *configSource) path(fs *flag.FlagSet, name, usage string, set func(*config.Config, string)) {
	s.add(fs, name, usage, "", false, func(v string) (func(*config.Config), error) {
		abs, err := absPath(v)
		if err != nil {
			return nil, err
		}
		return func(c *config.Config) { set(c, abs) }, nil
	})
}

// paths registers a repeatable path flag: the values given, together,
// replace the configuration's list.
func (s *configSource) paths(fs *flag.FlagSet, name, usage string, set func(*config.Config, []string)) {
	var list []string
	s.add(fs, name, usage, "", false, func(v string) (func(*config.Config), error) {
		abs, err := absPath(v)
		if err != nil {
			return nil, err
		}
		list = append(list, abs)
		if len(list) > 1 {
			return nil, nil // the first one's change sets the whole list
		}
		return func(c *config.Config) { set(c, list) }, nil
	})
}

// absPath makes a path from the command line absolute; empty stays empty
// (it resets the setting).
func absPath(p string) (string, error) {
	if p == "" {
		return "", nil
	}
	return filepath.Abs(p)
}

// defaultCacheDir is the standard cache location: /var/cache/validator for
// root, else the user's cache directory.
func defaultCacheDir() string {
	if os.Geteuid() == 0 {
		return "/var/cache/validator"
	}
	if d, err := os.UserCacheDir(); err == nil {
		return filepath.Join(d, "validator")
	}
	return filepath.Join(os.TempDir(), "validator-cache")
}
