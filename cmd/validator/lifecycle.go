package main

import (
	"context"
	"errors"
	"net"
	"net/http"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/openrpki/validator/pkg/httpapi"
	"github.com/openrpki/validator/pkg/rtr"
)

// The lifecycle of `validator run` and `validator rtr`, shared: each
// long-lived part (the RTR listeners, the HTTP listeners, the loop that
// publishes, the wait for a termination signal) is an actor, a function
// that runs until the part is done and one that makes it return. The
// first actor to return ends the others, and the command returns once all
// have (Prometheus's run.Group; STYLE habit 11). Every listener is bound
// before any is served, so a bad address fails the start at once.

// actors is a group of actors.
type actors struct {
	runs       []func() error
	interrupts []func()
}

// add adds an actor: run returns when the part is done; interrupt makes
// it return.
func (g *actors) add(run func() error, interrupt func()) {
	g.runs, g.interrupts = append(g.runs, run), append(g.interrupts, interrupt)
}

// run runs every actor until the first returns, interrupts them all, and
// returns the first error, once every actor has returned.
func (g *actors) run() error {
	if len(g.runs) == 0 {
		return nil
	}
	errs := make(chan error, len(g.runs))
	for _, run := range g.runs {
		go func() { errs <- run() }()
	}
	first := <-errs
	for _, interrupt := range g.interrupts {
		interrupt()
	}
	for range len(g.runs) - 1 {
		if err := <-errs; first == nil {
			first = err
		}
	}
	return first
}

// untilDone adds the actor that returns when ctx ends (SIGTERM or SIGINT
// through signal.NotifyContext, or a test's cancel).
func (g *actors) untilDone(ctx context.Context) {
	ctx, cancel := context.WithCancel(ctx)
	g.add(func() error { <-ctx.Done(); return nil }, cancel)
}

// loop adds the actor running loop until interrupted.
func (g *actors) loop(ctx context.Context, loop func(context.Context)) {
	ctx, cancel := context.WithCancel(ctx)
	g.add(func() error { loop(ctx); return nil }, cancel)
}

// listeners are a serving command's bound listeners.
type listeners struct {
	rtr, http []net.Listener
}

// bindListeners binds the RTR listeners (plain, and TLS with the key
// pair) and the HTTP ones; on error nothing stays bound.
func bindListeners(rtrPlain, rtrTLS []string, certFile, keyFile string, httpAddrs []string) (*listeners, error) {
	rl, err := bindAll(rtrPlain, rtrTLS, certFile, keyFile)
	if err != nil {
		return nil, errors.Join(errors.New("RTR listen"), err)
	}
	hl, err := bindAll(httpAddrs, nil, "", "")
	if err != nil {
		for _, l := range rl {
			l.Close()
		}
		return nil, errors.Join(errors.New("HTTP listen"), err)
	}
	return &listeners{rtr: rl, http: hl}, nil
}

// rtrAddrs returns the RTR listeners' addresses.
func (ls *listeners) rtrAddrs() []net.Addr {
	var out []net.Addr
	for _, l := range ls.rtr {
		out = append(out, l.Addr())
	}
	return out
}

// serve adds the actors serving RTR and HTTP on the listeners: one actor
// per server, whose listeners are each served until the server closes.
// A kind with no listeners adds no actor (it would end the group at once).
func (ls *listeners) serve(g *actors, log *zap.Logger, srv *rtr.Server, maxVersion uint8, api http.Handler) {
	if len(ls.rtr) > 0 {
		g.add(serveEach(ls.rtr, func(l net.Listener) error {
			log.Info("serving RTR", zap.Stringer("addr", l.Addr()), zap.Uint8("max_version", maxVersion))
			if err := srv.Serve(l, maxVersion); err != nil && !errors.Is(err, net.ErrClosed) {
				log.Error("RTR listener", zap.Stringer("addr", l.Addr()), zap.Error(err))
			}
			return nil
		}), func() { srv.Close() })
	}
	if len(ls.http) == 0 {
		return
	}
	hs := httpapi.NewServer("", api)
	g.add(serveEach(ls.http, func(l net.Listener) error {
		log.Info("serving HTTP", zap.Stringer("addr", l.Addr()))
		if err := hs.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("HTTP listener", zap.Stringer("addr", l.Addr()), zap.Error(err))
		}
		return nil
	}), func() {
		ctx, cancel := context.WithTimeout(context.Background(), httpShutdownTimeout)
		defer cancel()
		hs.Shutdown(ctx)
	})
}

// httpShutdownTimeout bounds how long requests in flight may finish.
const httpShutdownTimeout = 5 * time.Second

// serveEach returns a run function serving every listener and returning
// once all are done.
func serveEach(lns []net.Listener, serve func(net.Listener) error) func() error {
	return func() error {
		var wg sync.WaitGroup
		for _, l := range lns {
			wg.Go(func() { serve(l) })
		}
		wg.Wait()
		return nil
	}
}
