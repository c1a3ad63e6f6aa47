package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/openrpki/validator/pkg/httpapi"
	"github.com/openrpki/validator/pkg/payload"
	"github.com/openrpki/validator/pkg/rtr"
	"github.com/openrpki/validator/pkg/state"
)

// rtrConfig is the parsed command line of `validator rtr`.
type rtrConfig struct {
	source      string
	listen      []string
	tlsListen   []string
	httpListen  []string
	tlsCert     string
	tlsKey      string
	maxVersion  uint
	interval    time.Duration
	maxAge      time.Duration
	timers      rtr.Timers
	allow       []netip.Prefix
	maxSessions int
	writeTO     time.Duration
	history     int
	debug       bool
}

// rtrRunner holds what tests inject: the HTTP client and a callback
// receiving the bound listener addresses; and the SIGHUP channel.
type rtrRunner struct {
	httpClient *http.Client
	onListen   func([]net.Addr)
	hup        <-chan os.Signal
}

// runRTR implements `validator rtr --source FILE|URL --listen ADDR`: an
// RTR-only server fed by a payload JSON file or URL (rpki-client/StayRTR
// format, optionally gzipped), re-read on change; each change is a new
// serial with a delta.
func runRTR(args []string, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	return (&rtrRunner{hup: hup}).run(ctx, args, stdout, stderr)
}

// rtrAbout is the help text of `validator rtr`.
const rtrAbout = `Serves RTR from a payload file or URL (rpki-client/StayRTR JSON, gzipped or
not), read again when it changes; each change is a new serial with a delta.`

// parseRTRFlags parses the command line; a nil rtrConfig means the
// command is done with the status returned.
func parseRTRFlags(args []string, stdout, stderr io.Writer) (*rtrConfig, int) {
	fs := newFlagSet("rtr", "--source FILE|URL [flags]", rtrAbout)
	c := &rtrConfig{}
	var listen, tlsListen, httpListen, allow string
	var refresh, retry, expire uint
	fs.StringVar(&c.source, "source", "", "payload JSON file or http(s) URL (rpki-client/StayRTR format, .gz allowed)")
	fs.StringVar(&listen, "listen", "127.0.0.1:3323", "comma-separated TCP addresses for plain RTR")
	fs.StringVar(&tlsListen, "tls-listen", "", "comma-separated TCP addresses for RTR over TLS")
	fs.StringVar(&httpListen, "http-listen", "", "comma-separated TCP addresses serving /healthz and /readyz (ready: holds data younger than --max-age)")
	fs.StringVar(&c.tlsCert, "tls-cert", "", "TLS certificate (PEM) for --tls-listen")
	fs.StringVar(&c.tlsKey, "tls-key", "", "TLS key (PEM) for --tls-listen")
	fs.UintVar(&c.maxVersion, "max-version", rtr.MaxVersion, "highest RTR version offered (0, 1 or 2)")
	fs.DurationVar(&c.interval, "interval", 10*time.Second, "how often to check the source for changes")
	fs.DurationVar(&c.maxAge, "max-age", 0, "stop serving data not confirmed for this long (0: never)")
	fs.UintVar(&refresh, "refresh", uint(rtr.DefaultRefresh/time.Second), "End of Data refresh interval, seconds")
	fs.UintVar(&retry, "retry", uint(rtr.DefaultRetry/time.Second), "End of Data retry interval, seconds")
	fs.UintVar(&expire, "expire", uint(rtr.DefaultExpire/time.Second), "End of Data expire interval, seconds")
	fs.StringVar(&allow, "allow", "", "comma-separated source prefixes allowed to connect (default: all)")
	fs.IntVar(&c.maxSessions, "max-sessions", rtr.DefaultMaxSessions, "maximum concurrent RTR sessions")
	fs.DurationVar(&c.writeTO, "write-timeout", rtr.DefaultWriteTimeout, "drop a router that takes longer than this to accept one 256 KiB chunk")
	fs.IntVar(&c.history, "history", payload.DefaultHistory, "number of deltas kept for Serial Query")
	fs.BoolVar(&c.debug, "debug", false, "debug logging")
	if code, done := noArgs(fs, args, stdout, stderr); done {
		return nil, code
	}
	if err := c.finish(listen, tlsListen, httpListen, allow, refresh, retry, expire); err != nil {
		fmt.Fprintln(stderr, "validator", err)
		return nil, 2
	}
	if err := c.checkFiles(); err != nil {
		printError(stderr, "rtr", err)
		return nil, 1
	}
	return c, 0
}

// finish checks the flags and fills in what they give.
func (c *rtrConfig) finish(listen, tlsListen, httpListen, allow string, refresh, retry, expire uint) error {
	if c.source == "" {
		return errors.New("rtr: --source is required")
	}
	if c.maxVersion > rtr.MaxVersion {
		return fmt.Errorf("rtr: --max-version %d > %d", c.maxVersion, rtr.MaxVersion)
	}
	c.timers = rtr.Timers{Refresh: uint32(refresh), Retry: uint32(retry), Expire: uint32(expire)}
	if err := rtr.ValidateTimers(c.timers); err != nil {
		return err
	}
	c.listen, c.tlsListen, c.httpListen = splitList(listen), splitList(tlsListen), splitList(httpListen)
	if len(c.tlsListen) > 0 && (c.tlsCert == "" || c.tlsKey == "") {
		return errors.New("rtr: --tls-listen needs --tls-cert and --tls-key")
	}
	for _, a := range splitList(allow) {
		p, err := netip.ParsePrefix(a)
		if err != nil {
			return fmt.Errorf("rtr: --allow: %w", err)
		}
		c.allow = append(c.allow, p)
	}
	if c.interval <= 0 {
		return errors.New("rtr: --interval must be positive")
	}
	return nil
}

// checkFiles checks that the files named exist: the source (unless a URL)
// and the TLS certificate and key.
func (c *rtrConfig) checkFiles() error {
	var errs []error
	if !isURL(c.source) {
		errs = append(errs, checkFile("--source", c.source))
	}
	if len(c.tlsListen) > 0 {
		errs = append(errs, checkFile("--tls-cert", c.tlsCert), checkFile("--tls-key", c.tlsKey))
	}
	return errors.Join(errs...)
}

func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// run loads the source, starts the listeners and polls the source until
// ctx ends, on the lifecycle `validator run` has (lifecycle.go); SIGHUP
// reads the source again at once.
func (r *rtrRunner) run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cfg, code := parseRTRFlags(args, stdout, stderr)
	if cfg == nil {
		return code
	}
	log := newRTRLogger(stderr, cfg.debug)
	defer log.Sync()
	src := &payloadSource{location: cfg.source, client: r.httpClient}
	if src.client == nil {
		src.client = &http.Client{Timeout: time.Minute}
	}
	pub := state.NewPublisher(cfg.history)
	srv := rtr.NewServer(state.RTR{P: pub}, rtr.Options{Logger: log, Timers: cfg.timers, MaxSessions: cfg.maxSessions,
		MaxAge: cfg.maxAge, Allow: cfg.allow, WriteTimeout: cfg.writeTO})
	lns, err := bindListeners(cfg.listen, cfg.tlsListen, cfg.tlsCert, cfg.tlsKey, cfg.httpListen)
	if err != nil {
		log.Error("listen", zap.Error(err))
		return 1
	}
	// The replica's HTTP API serves what it holds, the formats included,
	// and /readyz once it holds data young enough to serve over RTR.
	api := httpapi.New(httpapi.Options{Logger: log, State: pub.Load, MaxAge: readyMaxAge(cfg.maxAge), Version: buildVersion()})
	var g actors
	g.untilDone(ctx)
	lns.serve(&g, log, srv, uint8(cfg.maxVersion), api)
	if r.onListen != nil {
		r.onListen(lns.rtrAddrs())
	}
	g.loop(ctx, func(ctx context.Context) { pollSource(ctx, src, pub, srv, cfg.interval, r.hup, log) })
	g.run()
	return 0
}

// readyMaxAge is the data age past which the replica is not ready: its
// --max-age, or, with none (0: serve whatever age), never.
func readyMaxAge(maxAge time.Duration) time.Duration {
	if maxAge <= 0 {
		return 100 * 365 * 24 * time.Hour
	}
	return maxAge
}

// newRTRLogger logs JSON lines to w (stderr).
func newRTRLogger(w io.Writer, debug bool) *zap.Logger {
	level := zapcore.InfoLevel
	if debug {
		level = zapcore.DebugLevel
	}
	enc := zap.NewProductionEncoderConfig()
	enc.EncodeTime = zapcore.RFC3339NanoTimeEncoder
	core := zapcore.NewCore(zapcore.NewJSONEncoder(enc), zapcore.AddSync(w), level)
	return zap.New(core).Named("validator")
}

// pollSource publishes the source now, then every interval and on each
// SIGHUP; each change becomes a new serial and a Serial Notify, and an
// unchanged source confirms the data (RTR's max age and /readyz follow).
func pollSource(ctx context.Context, src *payloadSource, pub *state.Publisher, srv *rtr.Server, interval time.Duration,
	hup <-chan os.Signal, log *zap.Logger) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		table, changed, err := src.fetch(ctx)
		switch {
		case err != nil:
			log.Warn("reading payload source; keeping the previous data", zap.String("source", src.location), zap.Error(err))
		case changed:
			st, _ := pub.Publish(table, nil, nil, time.Now())
			log.Info("payload published", zap.Uint32("serial", st.Serial()), zap.Int("vrps", len(table.VRPs)),
				zap.Int("aspas", len(table.ASPAs)), zap.Int("router_keys", len(table.RouterKeys)), zap.Int("deltas", len(st.RTR.Deltas)))
			srv.Notify()
			// Parsing a large file leaves hundreds of MB of garbage;
			// hand it back now rather than hold it as RSS until the
			// next GC cycles decide to.
			debug.FreeOSMemory()
		default:
			pub.Confirm(nil, nil, time.Now()) // confirmed unchanged: fresh
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-hup:
			log.Info("SIGHUP: reading the payload source again")
		}
	}
}

// payloadSource reads the payload file or URL, remembering what it saw so
// that unchanged data is not parsed again: file size and modification time,
// or the HTTP ETag and Last-Modified for a conditional GET (RFC 9110
// §13.1).
type payloadSource struct {
	location string
	client   *http.Client

	modTime      time.Time
	size         int64
	etag, lastMo string
}

func (s *payloadSource) isURL() bool { return isURL(s.location) }

// isURL tells a payload URL from a file name.
func isURL(location string) bool {
	return strings.HasPrefix(location, "http://") || strings.HasPrefix(location, "https://")
}

// fetch returns a new table if the source changed.
func (s *payloadSource) fetch(ctx context.Context) (*payload.Table, bool, error) {
	if s.isURL() {
		return s.fetchURL(ctx)
	}
	fi, err := os.Stat(s.location)
	if err != nil {
		return nil, false, err
	}
	if fi.ModTime().Equal(s.modTime) && fi.Size() == s.size {
		return nil, false, nil
	}
	f, err := os.Open(s.location)
	if err != nil {
		return nil, false, err
	}
	defer f.Close()
	snap, err := readPayload(f)
	if err != nil {
		return nil, false, fmt.Errorf("%s: %w", s.location, err)
	}
	s.modTime, s.size = fi.ModTime(), fi.Size()
	return snap, true, nil
}

func (s *payloadSource) fetchURL(ctx context.Context) (*payload.Table, bool, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.location, nil)
	if err != nil {
		return nil, false, err
	}
	if s.etag != "" {
		req.Header.Set("If-None-Match", s.etag)
	}
	if s.lastMo != "" {
		req.Header.Set("If-Modified-Since", s.lastMo)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return nil, false, err
	}
	defer resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusNotModified:
		return nil, false, nil
	case http.StatusOK:
	default:
		return nil, false, fmt.Errorf("%s: HTTP status %s", s.location, resp.Status)
	}
	snap, err := readPayload(resp.Body)
	if err != nil {
		return nil, false, fmt.Errorf("%s: %w", s.location, err)
	}
	s.etag, s.lastMo = resp.Header.Get("ETag"), resp.Header.Get("Last-Modified")
	return snap, true, nil
}

// readPayload reads JSON, gunzipping it if it starts with the gzip magic,
// into a sorted table (the trust anchors and expiry times it carries kept).
func readPayload(r io.Reader) (*payload.Table, error) {
	br := &peekReader{r: r}
	head, err := br.peek(2)
	if err != nil {
		return nil, err
	}
	var in io.Reader = br
	if bytes.Equal(head, []byte{0x1f, 0x8b}) {
		z, err := gzip.NewReader(br)
		if err != nil {
			return nil, err
		}
		defer z.Close()
		in = io.LimitReader(z, payload.MaxJSONBytes+1)
	}
	t, err := payload.ReadTable(in)
	if err != nil {
		return nil, err
	}
	t.Sort()
	return t, nil
}

// peekReader lets readPayload look at the first bytes without losing them.
type peekReader struct {
	r    io.Reader
	head []byte
}

func (p *peekReader) peek(n int) ([]byte, error) {
	p.head = make([]byte, n)
	m, err := io.ReadFull(p.r, p.head)
	p.head = p.head[:m]
	if err == io.ErrUnexpectedEOF || (err == io.EOF && m == 0) {
		err = nil
	}
	return p.head, err
}

// Read returns the peeked bytes first, then the rest of the stream.
func (p *peekReader) Read(b []byte) (int, error) {
	if len(p.head) > 0 {
		n := copy(b, p.head)
		p.head = p.head[n:]
		return n, nil
	}
	return p.r.Read(b)
}
