package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.uber.org/zap"

	"github.com/openrpki/validator/pkg/config"
	"github.com/openrpki/validator/pkg/httpapi"
	"github.com/openrpki/validator/pkg/metrics"
	"github.com/openrpki/validator/pkg/output"
	"github.com/openrpki/validator/pkg/payload"
	"github.com/openrpki/validator/pkg/rtr"
	"github.com/openrpki/validator/pkg/slurm"
	"github.com/openrpki/validator/pkg/tal"
	"github.com/openrpki/validator/pkg/validate"
)

// persistedOutput is the file in the cache holding the last published
// table, served at once on the next start (warm start).
const persistedOutput = "last-output.json"

// daemon is `validator run`: one validation engine feeding an RTR server
// (and the HTTP API) through the payload history.
type daemon struct {
	cfg     *config.Config
	cfgPath string
	log     *zap.Logger
	tals    []*tal.TAL
	src     *validate.Source
	engine  *validate.Engine
	hist    *payload.History
	rtr     *rtr.Server
	metrics *metrics.Metrics
	reg     *prometheus.Registry
	repos   *httpapi.Repos
	view    atomic.Pointer[httpapi.View] // what the HTTP API serves
	// confirmed is when a run last confirmed the served data (Unix ns).
	confirmed atomic.Int64
	// vrpsPerTA and aspasPerTA count the served view per trust anchor,
	// for the metrics; written by the validation loop only.
	vrpsPerTA, aspasPerTA map[string]int

	mu     sync.Mutex       // guards last and policy between the loop and reloads
	last   *validate.Result // the latest run, to re-apply SLURM on reload
	policy *slurm.Policy    // the local exceptions in force
}

func newDaemon(cfg *config.Config, cfgPath string, stderr io.Writer) (*daemon, error) {
	flags := flagsOf(cfg)
	log, err := flags.log.build(stderr)
	if err != nil {
		return nil, err
	}
	tals, err := flags.loadTALs()
	if err != nil {
		return nil, err
	}
	now, err := flags.clock()
	if err != nil {
		return nil, err
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m := metrics.New(reg)
	repos := httpapi.NewRepos(m, nil)
	src, err := flags.source(log, now, repos)
	if err != nil {
		return nil, err
	}
	engine, err := validate.New(validate.Options{Logger: log, Now: now, Source: src, Observer: m,
		Reconsidered: cfg.Reconsidered})
	if err != nil {
		src.Close()
		return nil, err
	}
	policy, err := loadSLURM(cfg.SLURM)
	if err != nil {
		src.Close()
		return nil, err
	}
	hist := payload.NewHistory(cfg.RTR.History)
	d := &daemon{cfg: cfg, cfgPath: cfgPath, log: log, tals: tals, src: src, engine: engine, hist: hist,
		policy: policy, metrics: m, reg: reg, repos: repos}
	d.rtr = rtr.NewServer(hist, rtr.Options{Logger: log, Observer: m, MaxSessions: cfg.RTR.MaxSessions, MaxAge: cfg.RTR.MaxAge,
		Allow: mustPrefixes(cfg.RTR.Allow), Timers: rtr.Timers{Refresh: seconds(cfg.RTR.Refresh),
			Retry: seconds(cfg.RTR.Retry), Expire: seconds(cfg.RTR.Expire)}})
	return d, nil
}

func seconds(d time.Duration) uint32 { return uint32(d / time.Second) }

// mustPrefixes parses prefixes Config.Validate already checked.
func mustPrefixes(list []string) []netip.Prefix {
	var out []netip.Prefix
	for _, s := range list {
		if p, err := netip.ParsePrefix(s); err == nil {
			out = append(out, p)
		}
	}
	return out
}

// serve binds the listeners, publishes the persisted table, then validates
// on the configured intervals until ctx ends.
func (d *daemon) serve(ctx context.Context, hup <-chan os.Signal) error {
	defer d.src.Close()
	defer d.log.Sync()
	listeners, err := bindAll(d.cfg.RTR.Listen, d.cfg.RTR.TLSListen, d.cfg.RTR.TLSCert, d.cfg.RTR.TLSKey)
	if err != nil {
		return fmt.Errorf("RTR listen: %w", err)
	}
	httpLns, err := bindAll(d.cfg.HTTP.Listen, nil, "", "")
	if err != nil {
		for _, l := range listeners {
			l.Close()
		}
		return fmt.Errorf("HTTP listen: %w", err)
	}
	d.warmStart()
	var wg sync.WaitGroup
	httpSrv := httpapi.NewServer("", httpapi.New(httpapi.Options{Logger: d.log, Current: d.view.Load, Repos: d.repos,
		Metrics: promhttp.HandlerFor(d.reg, promhttp.HandlerOpts{}), Observer: d.metrics,
		MaxAge: d.cfg.RTR.MaxAge, Version: buildVersion(),
		Confirmed: func() time.Time { return time.Unix(0, d.confirmed.Load()) }}))
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
	res, err := run(ctx, d.tals)
	if ctx.Err() != nil {
		return
	}
	if res != nil {
		d.metrics.RunDone(res.Start, res.End, res.Objects, httpapi.PubPointCounts(res), err)
	}
	if err != nil {
		d.log.Error("validation", zap.Error(err), zap.Bool("quick", quick))
		return // keep serving the previous table
	}
	d.log.Info("validation done", zap.Bool("quick", quick), zap.Duration("took", res.End.Sub(res.Start)),
		zap.Int("vrps", len(res.VRPs)), zap.Int("aspas", len(res.ASPAs)), zap.Int("router_keys", len(res.RouterKeys)),
		zap.Int("points", len(res.PubPoints)), zap.Int("reused", res.Reused), zap.Int("rejected", len(res.Rejected)))
	d.mu.Lock()
	d.last = res
	policy := d.policy
	d.mu.Unlock()
	if cur := d.view.Load(); res.Unchanged && cur != nil && cur.Result != nil {
		// The engine returned the previous payload itself: the served
		// table stands, without SLURM, snapshot and delta computed again.
		d.confirm(time.Now())
		return
	}
	d.publish(output.FromResult(res), res, policy, time.Now())
}

// publish applies SLURM to a table and makes it the served one; a changed
// table gets a new serial, a Serial Notify and is persisted.
func (d *daemon) publish(t *output.Table, res *validate.Result, policy *slurm.Policy, confirmed time.Time) {
	t = applySLURM(policy, t)
	st, changed := d.hist.Publish(payload.NewSnapshot(t.Set()), confirmed)
	if cur := d.view.Load(); !changed && cur != nil && cur.Result != nil {
		d.confirm(confirmed)
		return
	}
	// A new serial, or the first run confirming a warm-started table
	// (whose view has no run report yet).
	if changed {
		d.rtr.Notify()
	}
	v := &httpapi.View{Table: t, Result: res, Serial: st.Serial, Updated: confirmed}
	d.view.Store(v)
	d.confirmed.Store(confirmed.UnixNano())
	d.vrpsPerTA, d.aspasPerTA = v.PerTA() // walks the table: once per serial
	d.metrics.Published(st.Serial, d.vrpsPerTA, d.aspasPerTA, confirmed)
	if !changed {
		return
	}
	d.log.Info("new serial", zap.Uint32("serial", st.Serial), zap.Int("vrps", len(st.Snapshot.VRPs)))
	if err := writeOutput(filepath.Join(d.cfg.Cache, persistedOutput), "json", t, nil); err != nil {
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
	t, err := output.ReadJSON(f)
	if err != nil {
		d.log.Warn("warm start: unreadable persisted table", zap.Error(err))
		return
	}
	st, _ := d.hist.Publish(payload.NewSnapshot(t.Set()), fi.ModTime())
	d.view.Store(&httpapi.View{Table: t, Serial: st.Serial, Updated: fi.ModTime()})
	d.log.Info("warm start: serving the persisted table", zap.Int("vrps", len(t.VRPs)),
		zap.Duration("age", time.Since(fi.ModTime()).Round(time.Second)))
}

// reload re-reads the configuration file on SIGHUP and applies what can
// change without dropping RTR sessions: the SLURM files (re-applied to the
// latest run at once) and the intervals take effect; listener changes need
// a restart.
func (d *daemon) reload() {
	cfg := config.Default()
	if d.cfgPath != "" {
		var err error
		if cfg, err = config.Load(d.cfgPath); err != nil {
			d.log.Error("reload: keeping the running configuration", zap.Error(err))
			return
		}
	} else {
		cfg.SLURM = d.cfg.SLURM
	}
	if err := cfg.Validate(); err != nil {
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
	last := d.last
	d.mu.Unlock()
	d.log.Info("reloaded", zap.Strings("slurm", cfg.SLURM))
	if last != nil {
		d.publish(output.FromResult(last), last, policy, last.End)
	}
}

// confirm records that a run found the payload unchanged: the data is
// fresh though no new serial is due. The view keeps its encodings; only
// the freshness (API and metrics) moves.
func (d *daemon) confirm(at time.Time) {
	d.confirmed.Store(at.UnixNano())
	if v := d.view.Load(); v != nil {
		d.metrics.Published(v.Serial, d.vrpsPerTA, d.aspasPerTA, at)
	}
}
