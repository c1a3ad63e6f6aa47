package main

import (
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
)

// command is one subcommand: it gets its arguments (without the command
// name) and the standard streams, and returns the exit status.
type command struct {
	summary string
	run     func(args []string, stdout, stderr io.Writer) int
}

// commands is the table of subcommands. Each lives in its own file.
var commands = map[string]command{
	"version":     {"print the version", runVersion},
	"lab":         {"generate, serve and change an offline RPKI", runLab},
	"vrps":        {"fetch, validate and print VRPs, ASPAs and router keys once", runVRPs},
	"run":         {"validate continuously and serve RTR and HTTP (the default)", runDaemon},
	"config":      {"check a configuration file: config check [--config FILE]", runConfig},
	"inspect":     {"print RPKI objects as JSON", runInspect},
	"rtr":         {"serve RTR from a payload file or URL", runRTR},
	"healthcheck": {"probe the daemon's /healthz (or --url) once: the container HEALTHCHECK", runHealthcheck},
}

func main() {
	os.Exit(dispatch(os.Args[1:], os.Stdout, os.Stderr))
}

// dispatch runs the command args name. No command, or flags first, is
// `run`: `validator --rtr-listen :3323` is `validator run --rtr-listen
// :3323`.
func dispatch(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		return runDaemon(nil, stdout, stderr)
	}
	name := args[0]
	switch {
	case name == "help" && len(args) > 1:
		return dispatch([]string{args[1], "--help"}, stdout, stderr)
	case isHelp(name):
		usage(stdout)
		return 0
	case strings.HasPrefix(name, "-"):
		return runDaemon(args, stdout, stderr)
	}
	cmd, ok := commands[name]
	if !ok {
		fmt.Fprintf(stderr, "validator: unknown command %q\n", name)
		usage(stderr)
		return 2
	}
	return cmd.run(args[1:], stdout, stderr)
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: validator [COMMAND] [flags]\n\n"+
		"With no command, or flags only, validator runs the daemon (validator run).\n"+
		"validator COMMAND --help describes a command.\n\ncommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, commands[n].summary)
	}
}
