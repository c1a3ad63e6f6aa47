package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/openrpki/validator/pkg/config"
)

// runDaemon implements `validator run` (and `validator` alone, or with
// flags only): validate continuously and serve the result over RTR and
// HTTP.
func runDaemon(args []string, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return runDaemonContext(ctx, args, stdout, stderr)
}

// runDaemonContext runs the daemon until ctx ends (tests cancel it).
func runDaemonContext(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cfg, src, code := daemonConfig("run", args, stdout, stderr)
	if cfg == nil {
		return code
	}
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	d, err := newDaemon(cfg, src, stderr)
	if err != nil {
		printError(stderr, "run", err)
		return 1
	}
	if err := d.serve(ctx, hup); err != nil {
		fmt.Fprintln(stderr, "validator run:", err)
		return 1
	}
	return 0
}

// runAbout is the help text of `validator run`.
const runAbout = `Validates the RPKI continuously and serves the result over RTR and HTTP.
The configuration is the defaults (configs/validator.yaml), then the file of
--config, then the flags given. With no command, or flags only, validator
runs this command.`

// daemonConfig parses the command line of `run` (or `config check`, which
// takes the same flags) and builds the configuration. A nil Config means
// the command is done with the status returned.
func daemonConfig(name string, args []string, stdout, stderr io.Writer) (*config.Config, *configSource, int) {
	about := runAbout
	if name != "run" {
		about = configCheckAbout
	}
	fs := newFlagSet(name, "[flags]", about)
	src := daemonFlags(fs)
	if code, done := noArgs(fs, args, stdout, stderr); done {
		return nil, nil, code
	}
	cfg, err := src.load()
	if err != nil {
		printError(stderr, name, err)
		return nil, nil, 1
	}
	return cfg, src, 0
}

// daemonFlags registers the flags of `validator run`: the shared
// configuration flags and those of serving.
func daemonFlags(fs *flag.FlagSet) *configSource {
	src := newConfigSource(fs)
	src.addrs(fs, "rtr-listen", "RTR listen `ADDRS`, comma-separated", func(c *config.Config) *[]config.Addr { return &c.RTR.Listen })
	src.addrs(fs, "http-listen", "HTTP listen `ADDRS`, comma-separated", func(c *config.Config) *[]config.Addr { return &c.HTTP.Listen })
	src.duration(fs, "refresh", "`INTERVAL` between full validation runs", src.defaults.Refresh,
		func(c *config.Config, d time.Duration) { c.Refresh = d })
	src.duration(fs, "rrdp-poll", "`INTERVAL` between RRDP notification checks (0 or negative disables)", src.defaults.RRDPPoll,
		func(c *config.Config, d time.Duration) { c.RRDPPoll = max(d, 0) })
	textFlag(src, fs, "memory-limit", "soft memory `SIZE` (such as 300MiB): the collector works harder near it; auto follows the live heap; 0 for the runtime's own",
		func(c *config.Config) *config.MemoryLimit { return &c.MemoryLimit })
	return src
}

// printError prints err on stderr, one line per problem, each starting
// with the command's name.
func printError(stderr io.Writer, name string, err error) {
	for _, line := range strings.Split(err.Error(), "\n") {
		fmt.Fprintf(stderr, "validator %s: %s\n", name, line)
	}
}
