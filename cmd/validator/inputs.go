package main

import (
	"crypto/tls"
	"errors"
	"fmt"
	"time"

	"go.uber.org/zap"

	"github.com/openrpki/validator/pkg/config"
	"github.com/openrpki/validator/pkg/fetch"
	"github.com/openrpki/validator/pkg/rrdp"
	"github.com/openrpki/validator/pkg/slurm"
	"github.com/openrpki/validator/pkg/tal"
)

// inputs are the files a configuration names, read.
type inputs struct {
	tals   []*tal.TAL
	policy *slurm.Policy // nil: no SLURM files
}

// readInputs reads and checks what a validation needs from the
// configuration: the TALs, the SLURM files, the CA certificate and the
// cache folder. It reports every problem at once, one line each, before
// anything is fetched; `run`, `vrps` and `config check` share it, so that
// `config check` passes when they can start.
func readInputs(cfg *config.Config) (*inputs, error) {
	in := &inputs{}
	var talErr, slurmErr error
	in.tals, talErr = loadTALs(cfg)
	in.policy, slurmErr = loadSLURM(cfg.SLURM)
	errs := []error{talErr, slurmErr, checkNewDir("cache directory", cfg.Cache)}
	if cfg.Fetch.CACert != "" {
		errs = append(errs, checkCACert(cfg.Fetch.CACert))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return in, nil
}

// checkServing checks what the daemon serves with besides: the RTR TLS
// certificate and key.
func checkServing(cfg *config.Config) error {
	if cfg.RTR.TLSCert == "" && cfg.RTR.TLSKey == "" {
		return nil
	}
	errs := []error{checkFile("rtr.tls_cert", cfg.RTR.TLSCert), checkFile("rtr.tls_key", cfg.RTR.TLSKey)}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	if _, err := tls.LoadX509KeyPair(cfg.RTR.TLSCert, cfg.RTR.TLSKey); err != nil {
		return fmt.Errorf("rtr.tls_cert %s and rtr.tls_key %s: %w", cfg.RTR.TLSCert, cfg.RTR.TLSKey, err)
	}
	return nil
}

func checkCACert(path string) error {
	if err := checkFile("CA certificate file", path); err != nil {
		return err
	}
	_, err := rrdp.LoadRootCAs(path)
	return err
}

// loadTALs reads the TALs the configuration names, or the built-in ones.
// An empty TAL folder is an error: it would validate nothing.
func loadTALs(cfg *config.Config) ([]*tal.TAL, error) {
	switch {
	case cfg.TALDir != "":
		if err := checkDir("TAL directory", cfg.TALDir); err != nil {
			return nil, err
		}
		tals, err := tal.LoadDir(cfg.TALDir)
		if err == nil && len(tals) == 0 {
			err = fmt.Errorf("TAL directory %s: no *%s files in it", cfg.TALDir, tal.Extension)
		}
		return tals, err
	case len(cfg.TALs) > 0:
		var out []*tal.TAL
		var errs []error
		for _, p := range cfg.TALs {
			t, err := loadTAL(p)
			errs = append(errs, err)
			out = append(out, t)
		}
		return out, errors.Join(errs...)
	}
	return builtinTALs()
}

func loadTAL(path string) (*tal.TAL, error) {
	if err := checkFile("TAL file", path); err != nil {
		return nil, err
	}
	return tal.LoadFile(path)
}

// loadSLURM reads the SLURM files all-or-nothing, each checked to be a
// file first; no files give a nil policy, which changes nothing
// (slurm.Policy.ApplyTable).
func loadSLURM(files []string) (*slurm.Policy, error) {
	if len(files) == 0 {
		return nil, nil
	}
	var errs []error
	for _, f := range files {
		errs = append(errs, checkFile("SLURM file", f))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return slurm.Load(files...)
}

// clock is the validation clock: the configured time, or the real one.
func clock(now config.Instant) func() time.Time {
	if now.IsZero() {
		return time.Now
	}
	return func() time.Time { return now.Time }
}

// openSource opens the cache and the fetchers the configuration describes;
// offline fetches nothing; obs (may be nil) receives every repository
// fetch.
func openSource(cfg *config.Config, offline bool, log *zap.Logger, obs fetch.Observer) (*fetch.Source, error) {
	return fetch.OpenSource(cfg.Cache, fetch.SourceOptions{CACert: cfg.Fetch.CACert, RsyncOnly: cfg.Fetch.RsyncOnly,
		Offline: offline, Options: fetch.Options{Logger: log, Now: clock(cfg.Now), AllowDubiousHosts: cfg.Fetch.AllowDubiousHosts,
			NoRsync: cfg.Fetch.NoRsync, Fallback: fetch.Policy(cfg.Fetch.RRDPFallback), Observer: obs}})
}
