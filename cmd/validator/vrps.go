package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"go.uber.org/zap"

	"github.com/openrpki/validator/pkg/config"
	"github.com/openrpki/validator/pkg/fetch"
	"github.com/openrpki/validator/pkg/httpapi"
	"github.com/openrpki/validator/pkg/logging"
	"github.com/openrpki/validator/pkg/output"
	"github.com/openrpki/validator/pkg/payload"
	"github.com/openrpki/validator/pkg/report"
	"github.com/openrpki/validator/pkg/tal"
	"github.com/openrpki/validator/pkg/validate"
)

// vrpsAbout is the help text of `validator vrps`.
const vrpsAbout = `Fetches and validates once, prints the VRPs, ASPAs and router keys, and
exits; 1 when a trust anchor produced nothing, with its cause on standard
error (the output then holds the others', if any). --report writes every
rejected object and failed publication point as JSON (the form of GET
/api/v1/rejected). Takes the configuration of validator run (--config and
the same flags) for what it validates.`

// vrpsRun is the parsed command line of `validator vrps` besides the
// configuration.
type vrpsRun struct {
	offline                bool
	format, output         string
	report                 string
	cpuProfile, memProfile string
	memLimit               string
	// selectors are Routinator's --select-asn and --select-prefix, with
	// --more-specifics: a query for output.ParseFilter.
	selectors     url.Values
	moreSpecifics bool
	filter        *output.Filter
}

// runVRPs implements `validator vrps`: fetch, validate, print, exit.
func runVRPs(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("vrps", "[flags]", vrpsAbout)
	src := newConfigSource(fs)
	var r vrpsRun
	fs.BoolVar(&r.offline, "offline", false, "fetch nothing: validate the cache alone")
	fs.StringVar(&r.format, "format", "csv", "output format: "+strings.Join(output.Formats(), ", "))
	r.selectors = url.Values{}
	for _, name := range []string{"select-asn", "select-prefix"} {
		fs.Func(name, "print only what this selects, as Routinator does (repeatable; see README)", func(v string) error {
			r.selectors.Add(name, v)
			return nil
		})
	}
	fs.BoolVar(&r.moreSpecifics, "more-specifics", false, "--select-prefix also selects the VRPs of more specific prefixes")
	fs.StringVar(&r.output, "output", "", "write to this file instead of standard output")
	fs.StringVar(&r.report, "report", "", "write the rejected objects and failed publication points to this `FILE` (JSON)")
	fs.StringVar(&r.cpuProfile, "cpuprofile", "", "write a CPU profile of the run to this file")
	fs.StringVar(&r.memProfile, "memprofile", "", "write a heap profile, taken at the largest live heap, to this file")
	fs.StringVar(&r.memLimit, "memory-limit", defaultOneShotMemoryLimit,
		"soft memory limit of the run (such as 80MiB or 1GiB; 0 for none): the collector works harder near it")
	if code, done := noArgs(fs, args, stdout, stderr); done {
		return code
	}
	restoreLimit, err := applyMemoryLimit(r.memLimit, flagGiven(fs, "memory-limit"))
	if err != nil {
		fmt.Fprintln(stderr, "validator vrps:", err)
		return 2
	}
	defer restoreLimit()
	cfg, in, err := r.prepare(src)
	if err != nil {
		printError(stderr, "vrps", err)
		return 1
	}
	stopProfiles, err := startProfiles(r.cpuProfile, r.memProfile)
	if err != nil {
		fmt.Fprintln(stderr, "validator vrps:", err)
		return 1
	}
	defer stopProfiles()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := r.once(ctx, cfg, in, stdout, stderr); err != nil {
		printError(stderr, "vrps", err)
		return 1
	}
	return 0
}

// prepare builds the configuration and reads its inputs, and checks the
// files the run will write, so that every problem shows before a
// validation that may take minutes.
func (r *vrpsRun) prepare(src *configSource) (*config.Config, *inputs, error) {
	if output.ContentType(r.format) == "" {
		return nil, nil, fmt.Errorf("--format %q: want one of %v", r.format, output.Formats())
	}
	if r.moreSpecifics {
		r.selectors.Set("include", "more-specifics")
	}
	f, err := output.ParseFilter(r.selectors.Encode())
	if err != nil {
		return nil, nil, fmt.Errorf("--select-asn, --select-prefix: %w", err)
	}
	r.filter = f
	cfg, err := src.load()
	if err != nil {
		return nil, nil, err
	}
	in, err := readInputs(cfg)
	var errs []error
	for _, f := range [][2]string{{"--output", r.output}, {"--report", r.report}, {"--cpuprofile", r.cpuProfile}, {"--memprofile", r.memProfile}} {
		if f[1] != "" && f[1] != "-" {
			errs = append(errs, checkNewFile(f[0], f[1]))
		}
	}
	if err := errors.Join(append([]error{err}, errs...)...); err != nil {
		return nil, nil, err
	}
	return cfg, in, nil
}

// once validates and writes the table, and the report when asked. Its
// error names each trust anchor that produced nothing, with the cause.
func (r *vrpsRun) once(ctx context.Context, cfg *config.Config, in *inputs, stdout, stderr io.Writer) error {
	log, err := buildLogger(cfg.Log, stderr)
	if err != nil {
		return err
	}
	table, rep, repos, err := validateOnce(ctx, cfg, in.tals, r.offline, !output.UsesSources(r.format), log)
	if table == nil {
		return err
	}
	meta := httpapi.OutputMeta(rep, repos)
	meta.TALFiles = talFiles(cfg, in.tals)
	opts := output.Options{Filter: r.filter, Meta: meta}
	werr := writeFile(r.output, stdout, func(w io.Writer) error {
		return output.WriteWith(w, r.format, in.policy.ApplyTable(table), opts)
	})
	if werr != nil {
		return werr
	}
	if r.report != "" {
		if werr := writeRejections(r.report, rep); werr != nil {
			return fmt.Errorf("--report: %w", werr)
		}
	}
	return errors.Join(emptyTAs(rep), err) // err: no trust anchor validated, or the run was cut short
}

// talFiles lists the TAL files of the configuration, as rpki-client's
// formats print them; none for the built-in TALs.
func talFiles(cfg *config.Config, tals []*tal.TAL) []string {
	if cfg.TALDir == "" {
		return cfg.TALs
	}
	files := make([]string, 0, len(tals))
	for _, t := range tals {
		files = append(files, filepath.Join(cfg.TALDir, t.Name+tal.Extension))
	}
	return files
}

// validateOnce runs one validation of the TALs over the configured cache
// and returns the repositories' health after it too. noSources leaves the
// table's sources out, for a format that does not print them.
func validateOnce(ctx context.Context, cfg *config.Config, tals []*tal.TAL, offline, noSources bool, log *zap.Logger) (*payload.Table, *report.Run, []report.Repository, error) {
	src, err := openSource(cfg, offline, log, nil)
	if err != nil {
		return nil, nil, nil, err
	}
	defer src.Close()
	e, err := validate.New(validate.Options{Logger: logging.Slog(log.Named("validate")), Now: clock(cfg.Now),
		Source: validate.SourceOf[*fetch.Session](src), OneShot: true, NoSources: noSources, Reconsidered: cfg.Reconsidered})
	if err != nil {
		return nil, nil, nil, err
	}
	news := newRunNews(log)
	stop := news.watch(e.Progress)
	table, rep, err := e.Run(ctx, tals)
	stop()
	repos := src.Scheduler().Health()
	news.oneShotDone(table, rep, repos, err)
	return table, rep, repos, err
}

// writeTable persists a table in the one JSON form of pkg/payload
// (rpki-client's layout, atomically), for the daemon's warm start.
func writeTable(path string, t *payload.Table) error {
	return writeFile(path, nil, func(w io.Writer) error { return payload.WriteTable(w, t) })
}

// writeFile writes to path (atomically) or, for "" or "-", to stdout.
func writeFile(path string, stdout io.Writer, write func(io.Writer) error) error {
	if path == "" || path == "-" {
		return write(stdout)
	}
	return writeAtomically(path, write)
}

// writeAtomically writes a file through write: into a temporary file
// renamed over path once complete, so a reader never sees half of it.
func writeAtomically(path string, write func(io.Writer) error) error {
	tmp := path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	if err := write(f); err != nil {
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
