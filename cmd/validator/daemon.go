package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
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

	mu        sync.Mutex     // guards the last run and policy between the loop and reloads
	lastTable *payload.Table // the latest run's table, before SLURM, to re-apply SLURM on reload
	lastRep   *report.Run
	policy    *slurm.Policy // the local exceptions in force
}

func newDaemon(cfg *config.Config, conf *configSource, stderr io.Writer) (*daemon, error) {
	log, err := buildLogger(cfg.Log, stderr)
	if err != nil {
		return nil, err
	}
	in, err := readInputs(cfg)
	if err = errors.Join(err, checkServing(cfg)); err != nil {
		return nil, err
	}
	now := clock(cfg.Now)
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m := metrics.New(reg)
	m.SetRefresh(cfg.Refresh)
	src, err := openSource(cfg, false, log, m)
	if err != nil {
		return nil, err
	}
	engine, err := validate.New(validate.Options{Logger: logging.Slog(log.Named("validate")), Now: now,
		Source: validate.SourceOf[*fetch.Session](src), Observer: m, Reconsidered: cfg.Reconsidered})
	if err != nil {
		src.Close()
		return nil, err
	}
	pub := state.NewPublisher(cfg.RTR.History)
	m.Watch(pub.Load)
	d := &daemon{cfg: cfg, conf: conf, log: log, tals: in.tals, src: src, engine: engine, pub: pub,
		policy: in.policy, metrics: m, reg: reg, news: newRunNews(log)}
	d.rtr = rtr.NewServer(state.RTR{P: pub}, rtr.Options{Logger: log, Observer: m, MaxSessions: cfg.RTR.MaxSessions, MaxAge: cfg.RTR.MaxAge,
		Allow: cfg.RTR.Allow, Timers: rtr.Timers{Refresh: seconds(cfg.RTR.Refresh),
			Retry: seconds(cfg.RTR.Retry), Expire: seconds(cfg.RTR.Expire)}})
	return d, nil
}

func seconds(d time.Duration) uint32 { return uint32(d / time.Second) }

// serve binds the listeners, publishes the persisted table, then validates
// on the configured intervals until ctx ends.
func (d *daemon) serve(ctx context.Context, hup <-chan os.Signal) error {
	defer d.src.Close()
	defer d.log.Sync()
	listeners, err := bindAll(config.AddrStrings(d.cfg.RTR.Listen), config.AddrStrings(d.cfg.RTR.TLSListen), d.cfg.RTR.TLSCert, d.cfg.RTR.TLSKey)
	if err != nil {
		return fmt.Errorf("RTR listen: %w", err)
	}
	httpLns, err := bindAll(config.AddrStrings(d.cfg.HTTP.Listen), nil, "", "")
	if err != nil {
		for _, l := range listeners {
			l.Close()
		}
		return fmt.Errorf("HTTP listen: %w", err)
	}
	d.warmStart()
	var wg sync.WaitGroup
	httpSrv := httpapi.NewServer("", httpapi.New(httpapi.Options{Logger: d.log, State: d.pub.Load,
		Metrics: promhttp.HandlerFor(d.reg, promhttp.HandlerOpts{}), Observer: d.metrics,
		MaxAge: d.cfg.RTR.MaxAge, Version: version, Progress: engineProgress(d.engine), Sessions: rtrSessions(d.rtr)}))
	for _, l := range httpLns {
		d.log.Info("serving HTTP", zap.Stringer("addr", l.Addr()))
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := httpSrv.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
				d.log.Error("HTTP listener", zap.Error(err))
			}
		}()
	}
	for _, l := range listeners {
		d.log.Info("serving RTR", zap.Stringer("addr", l.Addr()), zap.Int("max_version", d.cfg.RTR.MaxVersion))
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := d.rtr.Serve(l, uint8(d.cfg.RTR.MaxVersion)); err != nil && !errors.Is(err, net.ErrClosed) {
				d.log.Error("RTR listener", zap.Error(err))
			}
		}()
	}
	d.loop(ctx, hup)
	d.log.Info("shutting down")
	d.rtr.Close()
	shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	httpSrv.Shutdown(shut)
	wg.Wait()
	return nil
}

// loop runs a full validation now and every Refresh, a quick RRDP poll
// every RRDPPoll in between, and reloads on SIGHUP.
func (d *daemon) loop(ctx context.Context, hup <-chan os.Signal) {
	full := time.NewTimer(0)
	defer full.Stop()
	var pollC <-chan time.Time
	if d.cfg.RRDPPoll > 0 {
		poll := time.NewTicker(d.cfg.RRDPPoll)
		defer poll.Stop()
		pollC = poll.C
	}
	for {
		select {
		case <-ctx.Done():
			return
		case <-full.C:
			d.validate(ctx, false)
			full.Reset(d.cfg.Refresh)
		case <-pollC:
			d.validate(ctx, true)
		case <-hup:
			d.reload()
		}
	}
}

// validate runs the engine (a full run or a quick poll) and publishes.
func (d *daemon) validate(ctx context.Context, quick bool) {
	run := d.engine.Run
	if quick {
		run = d.engine.Poll
	}
	stopWatch := d.news.watch(d.engine.Progress)
	table, rep, err := run(ctx, d.tals)
	stopWatch()
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
	d.mu.Lock()
	d.lastTable, d.lastRep = table, rep
	policy := d.policy
	d.mu.Unlock()
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
	d.rtr.Notify()
	// DEBUG: on the global RPKI nearly every poll brings a new serial;
	// the INFO line of each full run carries the counts.
	d.log.Debug("new serial", zap.Uint32("serial", st.Serial()), zap.Int("vrps", len(st.RTR.Snapshot.VRPs)))
	if err := writeTable(filepath.Join(d.cfg.Cache, persistedOutput), t); err != nil {
		d.log.Warn("persisting the table", zap.Error(err))
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
	d.pub.Publish(t, nil, nil, fi.ModTime())
	d.log.Info("warm start: serving the persisted table", zap.Int("vrps", len(t.VRPs)),
		zap.Duration("age", time.Since(fi.ModTime()).Round(time.Second)))
}

// reload rebuilds the configuration (defaults, file, flags) on SIGHUP
// and applies what can change without dropping RTR sessions: the SLURM
// files (re-applied to the latest run at once) and the intervals take
// effect; listener changes need a restart.
func (d *daemon) reload() {
	cfg, err := d.conf.load()
	if err != nil {
		d.log.Error("reload: keeping the running configuration", zap.Error(err))
		return
	}
	policy, err := loadSLURM(cfg.SLURM)
	if err != nil {
		d.log.Error("reload: SLURM; keeping the running exceptions", zap.Error(err))
		return
	}
	d.mu.Lock()
	d.cfg.SLURM, d.policy = cfg.SLURM, policy
	table, rep := d.lastTable, d.lastRep
	d.mu.Unlock()
	d.log.Info("reloaded", zap.Strings("slurm", cfg.SLURM))
	if table != nil {
		d.publish(policy.ApplyTable(table), rep, d.src.Scheduler().Health(), rep.End)
	}
}
