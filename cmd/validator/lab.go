package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/openrpki/validator/pkg/lab"
)

// runLab implements `validator lab generate|serve|publish`: an offline RPKI
// for tests, benchmarks and trying things out.
func runLab(args []string, stdout, stderr io.Writer) int {
	const usage = `usage: validator lab generate|serve|publish ...

An offline RPKI for tests, benchmarks and trying things out:
  generate --out DIR   create a lab (validator lab generate --help)
  serve DIR            serve it over HTTPS (RRDP) and rsync
  publish DIR          make one change and publish it`
	if len(args) > 0 && isHelp(args[0]) {
		fmt.Fprintln(stdout, usage)
		return 0
	}
	if len(args) == 0 {
		fmt.Fprintln(stderr, usage)
		return 2
	}
	switch args[0] {
	case "generate":
		return runLabGenerate(args[1:], stdout, stderr)
	case "serve":
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		return runLabServe(ctx, args[1:], stdout, stderr)
	case "publish":
		return runLabPublish(args[1:], stdout, stderr)
	}
	fmt.Fprintf(stderr, "validator lab: unknown subcommand %q (generate, serve, publish)\n", args[0])
	return 2
}

func runLabGenerate(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("lab generate", "--out DIR [flags]",
		"Creates a lab: CAs, keys, signed objects, TALs and the expected output, in DIR (new or empty).")
	preset := fs.String("preset", "small", "size: small, multi (three trust anchors), medium or global")
	out := fs.String("out", "", "directory to create (required, must be empty)")
	faults := fs.String("faults", "", "comma-separated faults to inject, or a group (all, hostile, attacks): "+strings.Join(lab.FaultNames(), ", "))
	seed := fs.Uint64("seed", 1, "seed of the layout: the same seed gives the same hierarchy")
	httpsAddr := fs.String("https-addr", "127.0.0.1:8443", "address the HTTPS server (RRDP, TA certificates) will listen on")
	rsyncAddr := fs.String("rsync-addr", "127.0.0.1:8873", "address the rsync daemon will listen on")
	noInherit := fs.Bool("no-ip-inherit", false, "leave IP inherit out of CA certificates (for rpki-client 8.2)")
	if code, done := noArgs(fs, args, stdout, stderr); done {
		return code
	}
	if *out == "" {
		fmt.Fprintln(stderr, "validator lab generate: --out DIR is required")
		return 2
	}
	if err := checkNewDir("--out", *out); err != nil {
		fmt.Fprintln(stderr, "validator lab generate:", err)
		return 1
	}
	start := time.Now()
	l, err := lab.Generate(*out, lab.Config{Preset: *preset, Seed: *seed, NoIPInherit: *noInherit,
		Faults:    splitList(*faults),
		Endpoints: lab.Endpoints{HTTPS: "https://" + *httpsAddr, Rsync: "rsync://" + *rsyncAddr}})
	if err != nil {
		fmt.Fprintln(stderr, "validator lab generate:", err)
		return 1
	}
	set, err := l.Expected()
	if err != nil {
		fmt.Fprintln(stderr, "validator lab generate:", err)
		return 1
	}
	fmt.Fprintf(stdout, "generated %s lab in %s: %d CAs, %d VRPs, %d ASPAs, %d router keys expected (%s)\n",
		*preset, time.Since(start).Round(time.Millisecond), len(l.Plan.CAs), len(set.VRPs), len(set.ASPAs),
		len(set.RouterKeys), l.ExpectedFile())
	if len(l.Config.Faults) > 0 {
		fmt.Fprintf(stdout, "faults, their targets and expected effects: %s\n", l.FaultsFile())
	}
	return 0
}

func runLabServe(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	l, code := openLab("serve", args, stdout, stderr)
	if l == nil {
		return code
	}
	srv, err := l.Serve(nil)
	if err != nil {
		fmt.Fprintln(stderr, "validator lab serve:", err)
		return 1
	}
	defer srv.Close()
	fmt.Fprintf(stdout, "serving %s\n  RRDP and TA certificates: %s\n  rsync: %s\n  TLS CA to trust: %s\n  TALs:\n",
		l.Dir, l.Config.Endpoints.HTTPS, l.Config.Endpoints.Rsync, l.CAFile())
	for _, t := range l.TALFiles() {
		fmt.Fprintf(stdout, "    %s\n", t)
	}
	fmt.Fprintf(stdout, "  expected output: %s\n", l.ExpectedFile())
	<-ctx.Done()
	return 0
}

func runLabPublish(args []string, stdout, stderr io.Writer) int {
	l, code := openLab("publish", args, stdout, stderr)
	if l == nil {
		return code
	}
	p, err := l.PublishChange()
	if err != nil {
		fmt.Fprintln(stderr, "validator lab publish:", err)
		return 1
	}
	vrps := "VRPs unchanged"
	if p.VRPsChanged {
		vrps = "VRPs changed"
	}
	fmt.Fprintf(stdout, "published serial %d: %s (%s)\n", l.Config.Serial, p.Change, vrps)
	return 0
}

// openLab opens the lab named by the only argument of a subcommand.
func openLab(name string, args []string, stdout, stderr io.Writer) (*lab.Lab, int) {
	fs := newFlagSet("lab "+name, "DIR", labAbout[name])
	if code, done := parseArgs(fs, args, stdout, stderr); done {
		return nil, code
	}
	if fs.NArg() != 1 {
		fmt.Fprintf(stderr, "usage: validator lab %s DIR\n", name)
		return nil, 2
	}
	dir := filepath.Clean(fs.Arg(0))
	if err := checkDir("lab directory", dir); err != nil {
		fmt.Fprintf(stderr, "validator lab %s: %v\n", name, err)
		return nil, 1
	}
	l, err := lab.Open(dir)
	if err != nil {
		fmt.Fprintf(stderr, "validator lab %s: %v\n", name, notALab(dir, err))
		return nil, 1
	}
	return l, 0
}

// notALab rewords the error of a folder that lacks a lab's configuration
// file: it is not a lab at all.
func notALab(dir string, err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) && errors.Is(err, fs.ErrNotExist) && filepath.Dir(pe.Path) == dir {
		return fmt.Errorf("lab directory %s: no %s in it, want a lab made by validator lab generate", dir, filepath.Base(pe.Path))
	}
	return err
}

// labAbout is the help text of the lab subcommands that take a lab.
var labAbout = map[string]string{
	"serve": "Serves the lab in DIR (made by validator lab generate): RRDP and TA certificates over\n" +
		"HTTPS, the repositories over rsync, until interrupted.",
	"publish": "Makes one change in the lab in DIR (a new ROA, a re-issued manifest, ...) and publishes it.",
}
