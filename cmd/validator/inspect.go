package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/openrpki/validator/internal/inspect"
	"github.com/openrpki/validator/pkg/x509rpki"
)

// inspectUsage is printed for -h and on flag errors.
const inspectUsage = `usage: validator inspect [flags] FILE...

Prints one JSON object per file: its type, certificate fields, payload and
status ("ok", "stale" or "rejected"). Works offline, without a cache, like
rpki-client -f. The type is taken from the file extension (.cer .crl .mft
.roa .asa .gbr .sig .tak .spl .tal) unless --type is given.

Exit status: 0 when no file is rejected (stale objects are not rejected),
1 when any file is rejected, 2 on a usage error.

flags:`

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
	fl, files, err := parseInspectFlags(args, stderr)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		fmt.Fprintln(stderr, "validator inspect:", err)
		return 2
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
	status := 0
	for _, f := range files {
		rep := inspect.InspectFile(f, opts)
		if err := enc.Encode(rep); err != nil {
			fmt.Fprintln(stderr, "validator inspect:", err)
			return 1
		}
		if rep.Status == inspect.StatusRejected {
			status = 1
		}
	}
	return status
}

// parseInspectFlags parses args; it returns the file names, at least one.
func parseInspectFlags(args []string, stderr io.Writer) (*inspectFlags, []string, error) {
	fl := &inspectFlags{}
	fs := flag.NewFlagSet("inspect", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, inspectUsage)
		fs.PrintDefaults()
	}
	fs.BoolVar(&fl.pretty, "pretty", false, "indent the JSON instead of one object per line")
	fs.StringVar(&fl.issuer, "issuer", "", "issuer certificate (.cer) to validate against")
	fs.StringVar(&fl.tal, "tal", "", "TAL (.tal) whose key a trust anchor certificate must match")
	fs.StringVar(&fl.now, "now", "", "validation time, RFC 3339 (default: the current time)")
	fs.StringVar(&fl.typ, "type", "", "object type for every file, instead of its extension (roa, mft, ...)")
	if err := fs.Parse(args); err != nil {
		return nil, nil, err
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return nil, nil, errors.New("no FILE given")
	}
	return fl, fs.Args(), nil
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
		c, err := readIssuer(fl.issuer)
		if err != nil {
			return opts, err
		}
		opts.Issuer = c
	}
	if fl.tal != "" {
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
