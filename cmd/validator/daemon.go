package main

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.uber.org/zap"

	"github.com/openrpki/validator/pkg/config"
	"github.com/openrpki/validator/pkg/fetch"
	"github.com/openrpki/validator/pkg/httpapi"
	"github.com/openrpki/validator/pkg/logging"
	"github.com/openrpki/validator/pkg/metrics"
	"github.com/openrpki/validator/pkg/payload"
	"github.com/openrpki/validator/pkg/report"
	"github.com/openrpki/validator/pkg/rtr"
	"github.com/openrpki/validator/pkg/slurm"
	"github.com/openrpki/validator/pkg/state"
	"github.com/openrpki/validator/pkg/tal"
	"github.com/openrpki/validator/pkg/validate"
)

// persistedOutput is the file in the cache holding the last published
// table, served at once on the next start (warm start).
const persistedOutput = "last-output.json"

// daemon is `validator run`: one validation engine whose runs are
// published as one state (state.Publisher) that the RTR server, the HTTP
// API and the metrics read.
type daemon struct {
	cfg     *config.Config
	conf    *configSource // rebuilds the configuration on reload
	log     *zap.Logger
	tals    []*tal.TAL
	src     *fetch.Source
	engine  *validate.Engine
	pub     *state.Publisher
	rtr     *rtr.Server
	metrics *metrics.Metrics
	reg     *prometheus.Registry
	news    *runNews // what the logs say of each run

	level  zap.AtomicLevel    // the log level, which a reload may change
	memory *daemonMemoryLimit // the soft memory limit, which a reload may change

	// The loop's own: reload runs in the loop too, so nothing here is
	// shared between goroutines.
	lastTable *payload.Table // the latest run's table, before SLURM, to re-apply SLURM on reload
	lastRep   *report.Run
	policy    *slurm.Policy // the local exceptions in force
}

func newDaemon(cfg *config.Config, conf *configSource, stderr io.Writer) (*daemon, error) {
	log, level, err := newLogger(cfg.Log, stderr)
	if err != nil {
		return nil, err
	}
	in, err := readInputs(cfg)
	if err = errors.Join(err, checkServing(cfg)); err != nil {
		return nil, err
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m := metrics.New(reg)
	m.SetRefresh(cfg.Refresh)
	src, err := openSource(cfg, false, log, m)
	if err != nil {
		return nil, err
	}
	memory := newDaemonMemoryLimit()
	engine, err := newEngine(cfg, log, src, m, memory)
	if err != nil {
		src.Close()
		return nil, err
	}
	pub := state.NewPublisher(cfg.RTR.History)
	m.Watch(pub.Load)
	d := &daemon{cfg: cfg, conf: conf, log: log, tals: in.tals, src: src, engine: engine, pub: pub,
		policy: in.policy, metrics: m, reg: reg, level: level, news: newRunNews(log), memory: memory}
	d.rtr = rtr.NewServer(state.RTR{P: pub}, rtr.Options{Logger: log, Observer: m, MaxSessions: cfg.RTR.MaxSessions,
		MaxSessionsPerSource: cfg.RTR.MaxSessionsPerSource, FirstQueryTimeout: cfg.RTR.FirstQueryTimeout, MaxAge: cfg.RTR.MaxAge,
		Allow: cfg.RTR.Allow, Timers: rtr.Timers{Refresh: seconds(cfg.RTR.Refresh),
			Retry: seconds(cfg.RTR.Retry), Expire: seconds(cfg.RTR.Expire)}})
	return d, nil
}

func seconds(d time.Duration) uint32 { return uint32(d / time.Second) }

// serve binds the listeners, publishes the persisted table, then serves
// RTR and HTTP and validates on the configured intervals, reloading on
// SIGHUP, until ctx ends.
func (d *daemon) serve(ctx context.Context, hup <-chan os.Signal) error {
	defer d.src.Close()
	defer d.log.Sync()
	defer d.memory.restore()
	d.memory.set(d.cfg.MemoryLimit)
	lns, err := bindListeners(config.AddrStrings(d.cfg.RTR.Listen), config.AddrStrings(d.cfg.RTR.TLSListen),
		d.cfg.RTR.TLSCert, d.cfg.RTR.TLSKey, config.AddrStrings(d.cfg.HTTP.Listen))
	if err != nil {
		return err
	}
	d.warmStart()
	api := httpapi.New(httpapi.Options{Logger: d.log, State: d.pub.Load,
		Metrics: promhttp.HandlerFor(d.reg, promhttp.HandlerOpts{}), Observer: d.metrics, Debug: pprofHandler(d.cfg.HTTP.Pprof),
		MaxAge: d.cfg.RTR.MaxAge, Version: buildVersion(), TALFiles: talFiles(d.cfg, d.tals),
		Progress: runProgress(d.news.progress), Sessions: rtrSessions(d.rtr)})
	var g actors
	g.untilDone(ctx)
	lns.serve(&g, d.log, d.rtr, uint8(d.cfg.RTR.MaxVersion), api)
	g.loop(ctx, func(ctx context.Context) { d.loop(ctx, hup) })
	err = g.run()
	d.log.Info("shut down")
	return err
}

// loop runs a full validation now and every Refresh, a quick RRDP poll
// every RRDPPoll in between, and reloads on SIGHUP (new intervals take
// effect at once).
func (d *daemon) loop(ctx context.Context, hup <-chan os.Signal) {
	full := time.NewTimer(0)
	defer full.Stop()
	poll := newPollTicker(d.cfg.RRDPPoll)
	defer poll.stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-full.C:
			d.validate(ctx, false)
			full.Reset(d.cfg.Refresh)
		case <-poll.c:
			d.validate(ctx, true)
		case <-hup:
			refresh, rrdpPoll := d.cfg.Refresh, d.cfg.RRDPPoll
			d.reload()
			if d.cfg.Refresh != refresh {
				full.Reset(d.cfg.Refresh)
			}
			if d.cfg.RRDPPoll != rrdpPoll {
				poll.stop()
				poll = newPollTicker(d.cfg.RRDPPoll)
			}
		}
	}
}

// pollTicker ticks every RRDP poll interval; 0 never ticks.
type pollTicker struct {
	t *time.Ticker
	c <-chan time.Time
}

func newPollTicker(every time.Duration) pollTicker {
	if every <= 0 {
		return pollTicker{}
	}
	t := time.NewTicker(every)
	return pollTicker{t: t, c: t.C}
}

func (p pollTicker) stop() {
	if p.t != nil {
		p.t.Stop()
	}
}

// validate runs the engine (a full run or a quick poll) and publishes.
func (d *daemon) validate(ctx context.Context, quick bool) {
	run := d.engine.Run
	if quick {
		run = d.engine.Poll
	}
	stopWatch := d.news.watch(d.engine.Progress)
	cpu := processCPU()
	table, rep, err := run(ctx, d.tals)
	rep.CPU = processCPU() - cpu
	stopWatch()
	defer func() { d.memory.runDone(!rep.Unchanged) }()
	if ctx.Err() != nil {
		return
	}
	repos := d.src.Scheduler().Health()
	d.news.runDone(table, rep, repos, err) // logs it; stamps the report before it is published
	d.metrics.RunDone(rep, err)
	if err != nil {
		d.pub.Failed(rep, repos)
		return
	}
	d.lastTable, d.lastRep = table, rep
	policy := d.policy
	if cur := d.pub.Load(); rep.Unchanged && cur != nil && cur.Report != nil && cur.Table != nil {
		// The engine returned the previous table itself: the served
		// table stands, without SLURM, snapshot and delta computed
		// again; the freshness RTR, HTTP and the metrics read moves.
		d.pub.Confirm(rep, repos, time.Now())
		return
	}
	d.publish(policy.ApplyTable(table), rep, repos, time.Now())
}

// publish makes a table (SLURM applied) the served one; a changed table
// gets a new serial, a Serial Notify and is persisted.
func (d *daemon) publish(t *payload.Table, rep *report.Run, repos []report.Repository, at time.Time) {
	st, changed := d.pub.Publish(t, rep, repos, at)
	if !changed {
		return
	}
	d.reportDroppedASPAs(st.RTR.DroppedASPAs())
	d.rtr.Notify()
	// DEBUG: on the global RPKI nearly every poll brings a new serial;
	// the INFO line of each full run carries the counts.
	d.log.Debug("new serial", zap.Uint32("serial", st.Serial()), zap.Int("vrps", len(t.VRPs)))
	if err := writeTable(filepath.Join(d.cfg.Cache, persistedOutput), t); err != nil {
		d.log.Warn("persisting the table", zap.Error(err))
	}
}

// reportDroppedASPAs logs the customers whose merged ASPA the snapshot
// leaves out: more providers than one RTR PDU carries (issue 5). The
// metrics read the count (rpki_aspas_dropped) from the published state.
func (d *daemon) reportDroppedASPAs(dropped []payload.DroppedASPA) {
	for _, a := range dropped {
		d.log.Warn("ASPA dropped: merged provider set too large for one RTR PDU",
			zap.Uint32("customer", a.Customer), zap.Int("providers", a.Providers), zap.Int("max", payload.MaxProviders))
	}
}

// warmStart serves the table persisted by the last run at once, marked
// with its age, until the first validation completes.
func (d *daemon) warmStart() {
	p := filepath.Join(d.cfg.Cache, persistedOutput)
	f, err := os.Open(p)
	if err != nil {
		d.log.Info("cold start: RTR answers No Data Available until the first validation completes")
		return
	}
	defer f.Close()
	fi, _ := f.Stat()
	t, err := payload.ReadTable(f)
	if err != nil {
		d.log.Warn("warm start: unreadable persisted table", zap.Error(err))
		return
	}
	st, _ := d.pub.Publish(t, nil, nil, fi.ModTime())
	d.reportDroppedASPAs(st.RTR.DroppedASPAs())
	d.log.Info("warm start: serving the persisted table", zap.Int("vrps", len(t.VRPs)),
		zap.Duration("age", time.Since(fi.ModTime()).Round(time.Second)))
}

// newEngine builds the validation engine of a configuration.
func newEngine(cfg *config.Config, log *zap.Logger, src *fetch.Source, m *metrics.Metrics, memory *daemonMemoryLimit) (*validate.Engine, error) {
	return validate.New(validate.Options{Logger: logging.Slog(log.Named("validate")), Now: clock(cfg.Now),
		Source: validate.SourceOf[*fetch.Session](src), Observer: m, Reconsidered: cfg.Reconsidered,
		BuildingTable: memory.building})
}

// reload rebuilds the configuration on SIGHUP as at start (defaults, the
// file, the command-line flags, Validate, then every file it names) and
// applies what changes without a restart: the TALs, the SLURM files
// (re-applied to the last run at once), the intervals (the loop resets its
// timers), the log level, and RFC 8360 reconsidered (a new engine: the next
// run validates every point again). The settings that need a restart
// (docs in configs/validator.yaml) keep their running values, with a
// warning naming them; a bad configuration or file changes nothing.
func (d *daemon) reload() {
	cfg, err := d.conf.load()
	if err == nil {
		var in *inputs
		if in, err = readInputs(cfg); err == nil {
			d.apply(cfg, in)
			return
		}
	}
	d.log.Error("reload: keeping the running configuration", zap.Error(err))
}

// apply makes the reloadable settings of cfg the running ones.
func (d *daemon) apply(cfg *config.Config, in *inputs) {
	if fixed := needRestart(d.cfg, cfg); len(fixed) > 0 {
		d.log.Warn("reload: settings that need a restart keep their running values", zap.Strings("settings", fixed))
	}
	if cfg.Reconsidered != d.cfg.Reconsidered {
		engine, err := newEngine(cfg, d.log, d.src, d.metrics, d.memory)
		if err != nil {
			d.log.Error("reload: keeping the running engine", zap.Error(err))
			cfg.Reconsidered = d.cfg.Reconsidered
		} else {
			d.engine = engine
		}
	}
	d.level.SetLevel(zapLevels[cfg.Log.Level])
	d.memory.set(cfg.MemoryLimit)
	d.metrics.SetRefresh(cfg.Refresh)
	d.tals, d.policy = in.tals, in.policy
	d.cfg.TALDir, d.cfg.TALs, d.cfg.SLURM = cfg.TALDir, cfg.TALs, cfg.SLURM
	d.cfg.Refresh, d.cfg.RRDPPoll, d.cfg.Log.Level, d.cfg.Reconsidered = cfg.Refresh, cfg.RRDPPoll, cfg.Log.Level, cfg.Reconsidered
	d.cfg.MemoryLimit = cfg.MemoryLimit
	d.log.Info("reloaded", zap.Int("tals", len(d.tals)), zap.Strings("slurm", cfg.SLURM),
		zap.Duration("refresh", cfg.Refresh), zap.Duration("rrdp_poll", cfg.RRDPPoll), zap.Stringer("log_level", d.level.Level()),
		zap.Stringer("memory_limit", cfg.MemoryLimit))
	if d.lastTable != nil {
		d.publish(d.policy.ApplyTable(d.lastTable), d.lastRep, d.src.Scheduler().Health(), d.lastRep.End)
	}
}

// needRestart names the settings that differ between the running
// configuration and a reloaded one and that only a restart applies: where
// the cache is, how repositories are fetched, what is listened on and how
// RTR sessions are run, the log format and a fixed clock.
func needRestart(running, next *config.Config) []string {
	var out []string
	for _, c := range []struct {
		name string
		a, b any
	}{
		{"cache", running.Cache, next.Cache},
		{"now", running.Now, next.Now},
		{"fetch", running.Fetch, next.Fetch},
		{"rtr", running.RTR, next.RTR},
		{"http", running.HTTP, next.HTTP},
		{"log.format", running.Log.Format, next.Log.Format},
	} {
		if !reflect.DeepEqual(c.a, c.b) {
			out = append(out, c.name)
		}
	}
	return out
}

// processCPU is the CPU time (user and system) the process has used: a
// run's cost, read around it, includes the RTR and HTTP work done
// meanwhile, which on a quiet daemon is next to nothing.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
