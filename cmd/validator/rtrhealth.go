package main

import (
	"errors"
	"net"
	"net/http"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/openrpki/validator/pkg/httpapi"
	"github.com/openrpki/validator/pkg/payload"
)

// rtrHealthHandler serves /healthz and /readyz for `validator rtr
// --http-listen`. A replica is ready only once it holds data and, with
// --max-age, while that data is young enough to be served (the RTR server
// answers No Data Available past it), so a load balancer or Kubernetes
// sends routers only to replicas that can answer them.
func rtrHealthHandler(hist *payload.History, maxAge time.Duration, now func() time.Time) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Cache-Control", "no-cache")
		st := hist.Load()
		switch {
		case st == nil:
			w.WriteHeader(http.StatusServiceUnavailable)
			w.Write([]byte("not ready: no data read from the source yet\n"))
		case maxAge > 0 && now().Sub(st.Updated) > maxAge:
			w.WriteHeader(http.StatusServiceUnavailable)
			w.Write([]byte("not ready: data last confirmed " + st.Updated.UTC().Format(time.RFC3339) +
				", older than --max-age " + maxAge.String() + "\n"))
		default:
			w.Write([]byte("ready\n"))
		}
	})
	return mux
}

// serveRTRHealth serves h on the bound listeners until the returned server
// is closed; wg tracks the serving goroutines.
func serveRTRHealth(listeners []net.Listener, h http.Handler, log *zap.Logger, wg *sync.WaitGroup) *http.Server {
	srv := httpapi.NewServer("", h)
	for _, l := range listeners {
		log.Info("serving health checks", zap.Stringer("addr", l.Addr()))
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := srv.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
				log.Error("HTTP listener", zap.Error(err))
			}
		}()
	}
	return srv
}
