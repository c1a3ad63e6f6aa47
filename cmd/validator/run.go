package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/openrpki/validator/pkg/config"
)

// runDaemon implements `validator run` (and `validator` alone): validate
// continuously and serve the result over RTR and HTTP.
func runDaemon(args []string, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return runDaemonContext(ctx, args, stderr)
}

// runDaemonContext runs the daemon until ctx ends (tests cancel it).
func runDaemonContext(ctx context.Context, args []string, stderr io.Writer) int {
	cfg, cfgPath, code := daemonConfig(args, stderr)
	if cfg == nil {
		return code
	}
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	d, err := newDaemon(cfg, cfgPath, stderr)
	if err != nil {
		fmt.Fprintln(stderr, "validator run:", err)
		return 1
	}
	if err := d.serve(ctx, hup); err != nil {
		fmt.Fprintln(stderr, "validator run:", err)
		return 1
	}
	return 0
}

// daemonConfig reads --config (or the defaults) and lays the flags that
// were given over it, then validates the result.
func daemonConfig(args []string, stderr io.Writer) (*config.Config, string, int) {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var v validationFlags
	v.register(fs)
	cfgPath := fs.String("config", "", "configuration file (YAML; see configs/validator.yaml)")
	rtrListen := fs.String("rtr-listen", "", "RTR listen addresses, comma-separated (default :3323)")
	httpListen := fs.String("http-listen", "", "HTTP listen addresses, comma-separated (default :8323)")
	refresh := fs.Duration("refresh", 0, "interval between full validation runs (default 10m)")
	poll := fs.Duration("rrdp-poll", 0, "interval between RRDP notification checks (default 30s; negative disables)")
	if err := fs.Parse(args); err != nil {
		return nil, "", 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "validator run: unexpected argument %q\n", fs.Arg(0))
		return nil, "", 2
	}
	cfg := config.Default()
	if *cfgPath != "" {
		var err error
		if cfg, err = config.Load(*cfgPath); err != nil {
			fmt.Fprintln(stderr, "validator run:", err)
			return nil, "", 1
		}
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	v.overlay(cfg, set)
	if set["rtr-listen"] {
		cfg.RTR.Listen = splitList(*rtrListen)
	}
	if set["http-listen"] {
		cfg.HTTP.Listen = splitList(*httpListen)
	}
	if set["refresh"] {
		cfg.Refresh = *refresh
	}
	if set["rrdp-poll"] {
		cfg.RRDPPoll = max(*poll, 0)
	}
	if cfg.Cache == "" {
		cfg.Cache = defaultCacheDir()
	}
	if err := cfg.Validate(); err != nil {
		fmt.Fprintln(stderr, "validator run: configuration:", err)
		return nil, "", 1
	}
	return cfg, *cfgPath, 0
}

// overlay copies the validation flags that were set over cfg.
func (v *validationFlags) overlay(cfg *config.Config, set map[string]bool) {
	if set["tal-dir"] {
		cfg.TALDir, cfg.TALs = v.talDir, nil
	}
	if set["tal"] {
		cfg.TALDir, cfg.TALs = "", v.tals
	}
	if set["cache"] {
		cfg.Cache = v.cache
	}
	if set["ca-cert"] {
		cfg.Fetch.CACert = v.caCert
	}
	if set["allow-dubious-hosts"] {
		cfg.Fetch.AllowDubiousHosts = v.allowDubiousHosts
	}
	if set["rsync-only"] {
		cfg.Fetch.RsyncOnly = v.rsyncOnly
	}
	if set["no-rsync"] {
		cfg.Fetch.NoRsync = v.noRsync
	}
	if set["rrdp-fallback"] {
		cfg.Fetch.RRDPFallback = v.fallback
	}
	if set["slurm"] {
		cfg.SLURM = v.slurm
	}
	if set["now"] {
		cfg.Now = v.now
	}
	if set["reconsidered"] {
		cfg.Reconsidered = v.reconsidered
	}
	if set["log-level"] {
		cfg.Log.Level = v.log.level
	}
	if set["log-format"] {
		cfg.Log.Format = v.log.format
	}
}

// flagsOf turns a configuration back into validation flags, so `run` and
// `vrps` share one way to open the TALs and the cache.
func flagsOf(cfg *config.Config) *validationFlags {
	return &validationFlags{talDir: cfg.TALDir, tals: cfg.TALs, cache: cfg.Cache, caCert: cfg.Fetch.CACert,
		allowDubiousHosts: cfg.Fetch.AllowDubiousHosts, rsyncOnly: cfg.Fetch.RsyncOnly,
		noRsync: cfg.Fetch.NoRsync, fallback: cfg.Fetch.RRDPFallback, slurm: cfg.SLURM, now: cfg.Now,
		reconsidered: cfg.Reconsidered,
		log:          logFlags{level: cfg.Log.Level, format: cfg.Log.Format}}
}

// runConfig implements `validator config check [--config FILE]`.
func runConfig(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "check" {
		fmt.Fprintln(stderr, "usage: validator config check [--config FILE] [flags of validator run]")
		return 2
	}
	cfg, _, code := daemonConfig(args[1:], stderr)
	if cfg == nil {
		return code
	}
	fmt.Fprintln(stdout, "configuration OK")
	return 0
}
