package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"go.uber.org/zap"

	"github.com/openrpki/validator/pkg/fetch"
	"github.com/openrpki/validator/pkg/logging"
	"github.com/openrpki/validator/pkg/output"
	"github.com/openrpki/validator/pkg/payload"
	"github.com/openrpki/validator/pkg/report"
	"github.com/openrpki/validator/pkg/tal"
	"github.com/openrpki/validator/pkg/validate"
)

// stringsFlag is a repeatable string flag.
type stringsFlag []string

func (s *stringsFlag) String() string     { return strings.Join(*s, ",") }
func (s *stringsFlag) Set(v string) error { *s = append(*s, v); return nil }

// validationFlags are the flags of `validator vrps`, which `validator run`
// takes too.
type validationFlags struct {
	talDir            string
	tals              stringsFlag
	cache             string
	caCert            string
	allowDubiousHosts bool
	rsyncOnly         bool
	noRsync           bool
	offline           bool
	fallback          string
	slurm             stringsFlag
	now               string
	reconsidered      bool
	log               logFlags
}

func (v *validationFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&v.talDir, "tal-dir", "", "directory of TAL files (*.tal); default: the five RIRs' TALs built in")
	fs.Var(&v.tals, "tal", "a TAL file (repeatable; instead of --tal-dir)")
	fs.StringVar(&v.cache, "cache", defaultCacheDir(), "cache directory")
	fs.StringVar(&v.caCert, "ca-cert", "", "PEM file of TLS roots for RRDP and TA certificates (replaces the system's)")
	fs.BoolVar(&v.allowDubiousHosts, "allow-dubious-hosts", false, "accept localhost, IP literals and ports in repository URIs (labs)")
	fs.BoolVar(&v.rsyncOnly, "rsync-only", false, "fetch over rsync only, ignoring RRDP")
	fs.BoolVar(&v.noRsync, "no-rsync", false, "never run rsync")
	fs.BoolVar(&v.offline, "offline", false, "fetch nothing: validate the cache alone")
	fs.StringVar(&v.fallback, "rrdp-fallback", string(fetch.FallbackStale), "RRDP to rsync fallback: never, stale or new")
	fs.Var(&v.slurm, "slurm", "SLURM file of local exceptions, RFC 8416 (repeatable)")
	fs.StringVar(&v.now, "now", "", "validation time, RFC 3339 (default: the clock)")
	fs.BoolVar(&v.reconsidered, "reconsidered", false, "RFC 8360 validation reconsidered: an over-claiming CA keeps what its issuer holds (default: strict RFC 6487)")
	v.log.register(fs)
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

// clock returns the validation clock of --now.
func (v *validationFlags) clock() (func() time.Time, error) {
	if v.now == "" {
		return time.Now, nil
	}
	t, err := time.Parse(time.RFC3339, v.now)
	if err != nil {
		return nil, fmt.Errorf("--now: %w", err)
	}
	return func() time.Time { return t }, nil
}

// loadTALs reads the TALs the flags name, or the built-in ones.
func (v *validationFlags) loadTALs() ([]*tal.TAL, error) {
	switch {
	case v.talDir != "" && len(v.tals) > 0:
		return nil, errors.New("--tal-dir and --tal exclude each other")
	case v.talDir != "":
		return tal.LoadDir(v.talDir)
	case len(v.tals) > 0:
		var out []*tal.TAL
		for _, p := range v.tals {
			t, err := tal.LoadFile(p)
			if err != nil {
				return nil, err
			}
			out = append(out, t)
		}
		return out, nil
	}
	return builtinTALs()
}

// source opens the cache and the fetchers the flags describe; obs (may be
// nil) receives every repository fetch.
func (v *validationFlags) source(log *zap.Logger, now func() time.Time, obs fetch.Observer) (*fetch.Source, error) {
	policy, err := fetch.ParsePolicy(v.fallback)
	if err != nil {
		return nil, err
	}
	return fetch.OpenSource(v.cache, fetch.SourceOptions{CACert: v.caCert, RsyncOnly: v.rsyncOnly, Offline: v.offline,
		Options: fetch.Options{Logger: log, Now: now, AllowDubiousHosts: v.allowDubiousHosts, NoRsync: v.noRsync,
			Fallback: policy, Observer: obs}})
}

// runVRPs implements `validator vrps`: fetch, validate, print, exit.
func runVRPs(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("vrps", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var v validationFlags
	v.register(fs)
	format := fs.String("format", "csv", "output format: "+strings.Join(output.Formats(), ", "))
	outPath := fs.String("output", "", "write to this file instead of standard output")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the run to this file")
	memProfile := fs.String("memprofile", "", "write a heap profile, taken at the largest live heap, to this file")
	memLimit := fs.String("memory-limit", defaultOneShotMemoryLimit,
		"soft memory limit of the run (such as 80MiB or 1GiB; 0 for none): the collector works harder near it")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	restoreLimit, err := applyMemoryLimit(*memLimit, flagGiven(fs, "memory-limit"))
	if err != nil {
		fmt.Fprintln(stderr, "validator vrps:", err)
		return 2
	}
	defer restoreLimit()
	stopProfiles, err := startProfiles(*cpuProfile, *memProfile)
	if err != nil {
		fmt.Fprintln(stderr, "validator vrps:", err)
		return 1
	}
	defer stopProfiles()
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "validator vrps: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := vrpsOnce(ctx, &v, *format, *outPath, stdout, stderr); err != nil {
		fmt.Fprintln(stderr, "validator vrps:", err)
		return 1
	}
	return 0
}

func vrpsOnce(ctx context.Context, v *validationFlags, format, outPath string, stdout, stderr io.Writer) error {
	if output.ContentType(format) == "" {
		return fmt.Errorf("--format %q: want one of %v", format, output.Formats())
	}
	log, err := v.log.build(stderr)
	if err != nil {
		return err
	}
	policy, err := loadSLURM(v.slurm)
	if err != nil {
		return err
	}
	table, _, err := validateOnce(ctx, v, log)
	if table == nil {
		return err
	}
	if werr := writeOutput(outPath, format, policy.ApplyTable(table), stdout); werr != nil {
		return werr
	}
	return err // non-nil when no trust anchor validated
}

// validateOnce runs one validation over the flags' TALs and cache.
func validateOnce(ctx context.Context, v *validationFlags, log *zap.Logger) (*payload.Table, *report.Run, error) {
	now, err := v.clock()
	if err != nil {
		return nil, nil, err
	}
	tals, err := v.loadTALs()
	if err != nil {
		return nil, nil, err
	}
	src, err := v.source(log, now, nil)
	if err != nil {
		return nil, nil, err
	}
	defer src.Close()
	e, err := validate.New(validate.Options{Logger: logging.Slog(log.Named("validate")), Now: now, Source: validate.SourceOf[*fetch.Session](src),
		OneShot: true, Reconsidered: v.reconsidered})
	if err != nil {
		return nil, nil, err
	}
	table, rep, err := e.Run(ctx, tals)
	log.Info("validation done", zap.Duration("took", rep.End.Sub(rep.Start)), zap.Int("vrps", len(table.VRPs)),
		zap.Int("aspas", len(table.ASPAs)), zap.Int("router_keys", len(table.RouterKeys)),
		zap.Int("rejected_objects", len(rep.Rejected)))
	return table, rep, err
}

// writeTable persists a table in the one JSON form of pkg/payload
// (atomically), for the daemon's warm start.
func writeTable(path string, t *payload.Table) error { return writeOutput(path, "json", t, nil) }

// writeOutput writes the table to path (atomically) or to stdout.
func writeOutput(path, format string, t *payload.Table, stdout io.Writer) error {
	if path == "" || path == "-" {
		return output.Write(stdout, format, t)
	}
	tmp := path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	if err := output.Write(f, format, t); err != nil {
		f.Close()
		os.Remove(tmp)
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// flagGiven reports whether the named flag was set on the command line.
func flagGiven(fs *flag.FlagSet, name string) bool {
	given := false
	fs.Visit(func(f *flag.Flag) { given = given || f.Name == name })
	return given
}
