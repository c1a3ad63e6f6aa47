package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// newFlagSet returns the flag set of `validator NAME`; its usage is the
// synopsis, what the command does, then the flags.
func newFlagSet(name, synopsis, about string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.Usage = func() {
		w := fs.Output()
		fmt.Fprintln(w, strings.TrimSpace("usage: validator "+name+" "+synopsis))
		if about != "" {
			fmt.Fprintf(w, "\n%s\n", about)
		}
		hasFlags := false
		fs.VisitAll(func(*flag.Flag) { hasFlags = true })
		if hasFlags {
			fmt.Fprintln(w, "\nflags:")
			fs.PrintDefaults()
		}
	}
	return fs
}

// parseArgs parses args with fs. Asked for help (-h, --help), it prints
// the usage on stdout and returns done with status 0; a bad flag prints
// one line naming it on stderr (not the whole usage), status 2.
func parseArgs(fs *flag.FlagSet, args []string, stdout, stderr io.Writer) (code int, done bool) {
	var buf bytes.Buffer
	fs.SetOutput(&buf)
	err := fs.Parse(args)
	fs.SetOutput(stderr)
	switch {
	case err == nil:
		return 0, false
	case errors.Is(err, flag.ErrHelp):
		stdout.Write(buf.Bytes())
		return 0, true
	}
	fmt.Fprintf(stderr, "validator %s: %v (validator %s --help lists the flags)\n", fs.Name(), err, fs.Name())
	return 2, true
}

// noArgs parses args that must be flags only.
func noArgs(fs *flag.FlagSet, args []string, stdout, stderr io.Writer) (code int, done bool) {
	if code, done := parseArgs(fs, args, stdout, stderr); done {
		return code, done
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "validator %s: unexpected argument %q\n", fs.Name(), fs.Arg(0))
		return 2, true
	}
	return 0, false
}
