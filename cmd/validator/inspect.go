package main

import (
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/openrpki/validator/internal/inspect"
	"github.com/openrpki/validator/pkg/x509rpki"
)

// inspectAbout is the help text of inspect.
const inspectAbout = `Prints one JSON object per file: its type, certificate fields, payload and
status ("ok", "stale" or "rejected"). Works offline, without a cache, like
rpki-client -f. The type is taken from the file extension (.cer .crl .mft
.roa .asa .gbr .sig .tak .spl .tal) unless --type is given.

A folder is walked recursively, in sorted order: every file with an RPKI
extension is inspected (by its extension; --type applies to files named on
the command line), others are skipped and counted. A missing or unreadable
file is rejected with the operating system's error (error_class "io").
A summary line goes to standard error.

Exit status: 0 when no file is rejected (stale objects are not rejected),
1 when any file is rejected, 2 on a usage error.`

// inspectFlags are the parsed command-line flags of inspect.
type inspectFlags struct {
	pretty bool
	issuer string
	tal    string
	now    string
	typ    string
}

// runInspect is the inspect command.
func runInspect(args []string, stdout, stderr io.Writer) int {
	fl, files, code := parseInspectFlags(args, stdout, stderr)
	if fl == nil {
		return code
	}
	opts, err := inspectOptions(fl)
	if err != nil {
		fmt.Fprintln(stderr, "validator inspect:", err)
		return 2
	}
	enc := json.NewEncoder(stdout)
	enc.SetEscapeHTML(false)
	if fl.pretty {
		enc.SetIndent("", "  ")
	}
	run := &inspectRun{enc: enc, opts: opts}
	for _, f := range files {
		if err := run.path(f); err != nil {
			fmt.Fprintln(stderr, "validator inspect:", err)
			return 1
		}
	}
	fmt.Fprintln(stderr, run.summary())
	if run.counts[inspect.StatusRejected] > 0 {
		return 1
	}
	return 0
}

// inspectRun prints the reports of one inspect command and counts them.
type inspectRun struct {
	enc     *json.Encoder
	opts    inspect.Options
	counts  map[string]int // by status
	total   int
	skipped int
}

// path inspects a file, or every RPKI file under a folder.
func (r *inspectRun) path(name string) error {
	if fi, err := os.Stat(name); err != nil || !fi.IsDir() {
		return r.emit(inspect.InspectFile(name, r.opts)) // which reports a missing file
	}
	walkOpts := r.opts
	walkOpts.Type = "" // in a folder, each file's own extension
	return filepath.WalkDir(name, func(p string, d fs.DirEntry, err error) error {
		switch {
		case err != nil:
			return r.emit(inspect.Unreadable(p, err)) // and the walk skips that folder
		case d.IsDir():
			return nil
		case !inspect.Known(inspect.TypeOf(p)):
			r.skipped++
			return nil
		}
		return r.emit(inspect.InspectFile(p, walkOpts))
	})
}

// emit prints one report and counts it.
func (r *inspectRun) emit(rep *inspect.Report) error {
	if r.counts == nil {
		r.counts = map[string]int{}
	}
	r.counts[rep.Status]++
	r.total++
	return r.enc.Encode(rep)
}

// summary is the line printed on stderr at the end.
func (r *inspectRun) summary() string {
	files := "files"
	if r.total == 1 {
		files = "file"
	}
	s := fmt.Sprintf("inspected %d %s: %d ok, %d stale, %d rejected", r.total, files,
		r.counts[inspect.StatusOK], r.counts[inspect.StatusStale], r.counts[inspect.StatusRejected])
	if r.skipped > 0 {
		s += fmt.Sprintf("; %d skipped (no RPKI extension)", r.skipped)
	}
	return s
}

// parseInspectFlags parses args; it returns the file names, at least one,
// or nil flags and the exit status.
func parseInspectFlags(args []string, stdout, stderr io.Writer) (*inspectFlags, []string, int) {
	fl := &inspectFlags{}
	fs := newFlagSet("inspect", "[flags] FILE|FOLDER...", inspectAbout)
	fs.BoolVar(&fl.pretty, "pretty", false, "indent the JSON instead of one object per line")
	fs.StringVar(&fl.issuer, "issuer", "", "issuer certificate (.cer) to validate against")
	fs.StringVar(&fl.tal, "tal", "", "TAL (.tal) whose key a trust anchor certificate must match")
	fs.StringVar(&fl.now, "now", "", "validation time, RFC 3339 (default: the current time)")
	fs.StringVar(&fl.typ, "type", "", "object type for every file named, instead of its extension (roa, mft, ...)")
	if code, done := parseArgs(fs, args, stdout, stderr); done {
		return nil, nil, code
	}
	if fs.NArg() == 0 {
		fmt.Fprintln(stderr, "validator inspect: no FILE given")
		fs.Usage()
		return nil, nil, 2
	}
	return fl, fs.Args(), 0
}

// inspectOptions turns the flags into inspect.Options, reading the issuer
// and the TAL.
func inspectOptions(fl *inspectFlags) (inspect.Options, error) {
	opts := inspect.Options{Type: fl.typ}
	if fl.now != "" {
		t, err := time.Parse(time.RFC3339, fl.now)
		if err != nil {
			return opts, fmt.Errorf("--now: want RFC 3339 time: %w", err)
		}
		opts.Now = t
	}
	if fl.issuer != "" {
		if err := checkFile("--issuer", fl.issuer); err != nil {
			return opts, err
		}
		c, err := readIssuer(fl.issuer)
		if err != nil {
			return opts, err
		}
		opts.Issuer = c
	}
	if fl.tal != "" {
		if err := checkFile("--tal", fl.tal); err != nil {
			return opts, err
		}
		key, err := inspect.ReadTALKey(fl.tal)
		if err != nil {
			return opts, fmt.Errorf("--tal %s: %w", fl.tal, err)
		}
		opts.TALKey = key
	}
	return opts, nil
}

// readIssuer reads and parses the --issuer certificate.
func readIssuer(name string) (*x509rpki.Cert, error) {
	der, err := inspect.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("--issuer: %w", err)
	}
	c, err := x509rpki.ParseCert(der)
	if err != nil {
		return nil, fmt.Errorf("--issuer %s: %w", name, err)
	}
	return c, nil
}
