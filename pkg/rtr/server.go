package rtr

import (
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/openrpki/validator/pkg/payload"
	"go.uber.org/zap"
)

// Source gives the current payload state; payload.History implements it.
// Load must not block and returns nil until the first validation is done.
type Source interface {
	Load() *payload.State
}

// Options configures a Server. Zero values take the defaults in limits.go.
type Options struct {
	Logger   *zap.Logger
	Observer Observer
	// Now is the clock used for the data age; defaults to time.Now.
	Now func() time.Time
	// Timers are sent in End of Data (v1+).
	Timers Timers
	// MaxSessions caps concurrent sessions over all listeners.
	MaxSessions int
	// MaxSessionsPerSource caps concurrent sessions from one source
	// address (DefaultMaxSessionsPerSource when zero).
	MaxSessionsPerSource int
	// WriteTimeout bounds one write chunk; IdleTimeout bounds the wait for
	// a router's next PDU; FirstQueryTimeout bounds the wait for the first
	// query of a new connection.
	WriteTimeout, IdleTimeout, FirstQueryTimeout time.Duration
	// MaxAge: data confirmed longer ago than this is not served (fail
	// safe); 0 disables the check.
	MaxAge time.Duration
	// Allow lists the source prefixes that may connect; empty allows all.
	Allow []netip.Prefix
}

// Server is an RTR cache server. Create it with NewServer, call Serve for
// each listener and Notify after each payload publication.
type Server struct {
	src      Source
	opts     Options
	log      *zap.Logger
	obs      Observer
	sessions [MaxVersion + 1]uint16

	enc     atomic.Pointer[encodings]
	stale   atomic.Bool
	nsess   atomic.Int64
	serial  atomic.Int64 // last serial reported to the observer, -1 none
	closing atomic.Bool

	mu        sync.Mutex
	conns     map[*session]struct{}
	perSource map[netip.Addr]int // open sessions per source address
	listeners map[net.Listener]struct{}
	wg        sync.WaitGroup
}

// NewServer returns a Server reading src. Session IDs are random at every
// start, one per protocol version (RFC 8210 §5.1: "Session ID ... specific
// to a particular protocol version").
func NewServer(src Source, opts Options) *Server {
	opts = withDefaults(opts)
	s := &Server{src: src, opts: opts, log: opts.Logger.Named("rtr"), obs: opts.Observer,
		conns: map[*session]struct{}{}, perSource: map[netip.Addr]int{}, listeners: map[net.Listener]struct{}{}}
	var b [2 * (MaxVersion + 1)]byte
	rand.Read(b[:])
	for v := range s.sessions {
		s.sessions[v] = binary.BigEndian.Uint16(b[2*v:])
	}
	s.serial.Store(-1)
	return s
}

func withDefaults(o Options) Options {
	if o.Logger == nil {
		o.Logger = zap.NewNop()
	}
	if o.Observer == nil {
		o.Observer = NopObserver{}
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Timers == (Timers{}) {
		o.Timers = Timers{uint32(DefaultRefresh / time.Second), uint32(DefaultRetry / time.Second), uint32(DefaultExpire / time.Second)}
	}
	if o.MaxSessions <= 0 {
		o.MaxSessions = DefaultMaxSessions
	}
	if o.MaxSessionsPerSource <= 0 {
		o.MaxSessionsPerSource = DefaultMaxSessionsPerSource
	}
	if o.FirstQueryTimeout <= 0 {
		o.FirstQueryTimeout = DefaultFirstQueryTimeout
	}
	if o.WriteTimeout <= 0 {
		o.WriteTimeout = DefaultWriteTimeout
	}
	if o.IdleTimeout <= 0 {
		o.IdleTimeout = DefaultIdleTimeout
	}
	return o
}

// ValidateTimers checks the End of Data timers against the ranges of RFC
// 8210 §6.
func ValidateTimers(t Timers) error {
	switch {
	case t.Refresh < 1 || t.Refresh > 86400:
		return fmt.Errorf("rtr: refresh %d outside 1..86400 (RFC 8210 §6)", t.Refresh)
	case t.Retry < 1 || t.Retry > 7200:
		return fmt.Errorf("rtr: retry %d outside 1..7200 (RFC 8210 §6)", t.Retry)
	case t.Expire < 600 || t.Expire > 172800:
		return fmt.Errorf("rtr: expire %d outside 600..172800 (RFC 8210 §6)", t.Expire)
	case t.Expire <= t.Refresh || t.Expire <= t.Retry:
		return fmt.Errorf("rtr: expire %d must exceed refresh %d and retry %d (RFC 8210 §6)", t.Expire, t.Refresh, t.Retry)
	}
	return nil
}

// SessionID returns the Session ID used for a protocol version.
func (s *Server) SessionID(version uint8) uint16 { return s.sessions[version] }

// SessionCount returns the number of open sessions.
func (s *Server) SessionCount() int { return int(s.nsess.Load()) }

// current returns the state to serve and its encodings, or nil when there
// is no data yet or the data is older than MaxAge.
func (s *Server) current() (*payload.State, *encodings) {
	st := s.src.Load()
	if st == nil || s.checkStale(st) {
		return nil, nil
	}
	for {
		e := s.enc.Load()
		if e != nil && e.state.SameSnapshot(st) && e.state.Serial == st.Serial {
			return st, e
		}
		ne := newEncodings(s.log, st, s.sessions, s.opts.Timers)
		if s.enc.CompareAndSwap(e, ne) {
			if old := s.serial.Swap(int64(st.Serial)); old != int64(st.Serial) {
				s.obs.Serial(st.Serial)
			}
			return st, ne
		}
	}
}

// checkStale reports whether st is too old to serve and logs transitions.
func (s *Server) checkStale(st *payload.State) bool {
	if s.opts.MaxAge <= 0 {
		return false
	}
	age := s.opts.Now().Sub(st.Updated)
	stale := age > s.opts.MaxAge
	if s.stale.Swap(stale) != stale {
		s.obs.Stale(stale, age)
		if stale {
			s.log.Error("payload older than max age: answering No Data Available (fail safe)",
				zap.Duration("age", age), zap.Duration("max_age", s.opts.MaxAge), zap.Uint32("serial", st.Serial))
		} else {
			s.log.Info("payload fresh again: serving", zap.Uint32("serial", st.Serial))
		}
	}
	return stale
}

// Notify tells every session that the source may have a new serial. It
// never blocks: each session sends at most one Serial Notify at a time, for
// the serial current when it writes, so repeated notifications to a busy
// session coalesce into one (RFC 8210 §8.2).
func (s *Server) Notify() {
	s.current()
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.conns {
		c.notify()
	}
}

// Serve accepts connections on l until Close (then it returns nil), speaking at most maxVersion
// on them (a maximum version per listener). Wrap l with tls.NewListener for
// RTR over TLS (RFC 6810 §7.2).
func (s *Server) Serve(l net.Listener, maxVersion uint8) error {
	if maxVersion > MaxVersion {
		return fmt.Errorf("rtr: max version %d > %d", maxVersion, MaxVersion)
	}
	if !s.track(l) {
		return l.Close() // already closed: nothing to serve
	}
	defer s.untrack(l)
	var backoff time.Duration
	for {
		c, err := l.Accept()
		if err != nil {
			if s.closing.Load() || errors.Is(err, net.ErrClosed) {
				return nil
			}
			// Accept errors such as EMFILE are transient: back off as
			// net/http does instead of spinning or exiting.
			backoff = min(max(2*backoff, 5*time.Millisecond), time.Second)
			s.log.Warn("accept", zap.Error(err), zap.Duration("retry_in", backoff))
			time.Sleep(backoff)
			continue
		}
		backoff = 0
		s.admit(c, maxVersion)
	}
}

// admit applies the allow-list and the session limits, then starts the
// session's goroutine. A panic here (an Observer's, say) closes this
// connection and leaves the listener running.
func (s *Server) admit(c net.Conn, maxVersion uint8) {
	remote := c.RemoteAddr().String()
	started := false
	defer func() {
		if p := recover(); p != nil {
			s.panicked(s.log.With(zap.String("remote", remote)), remote, "accept", p)
			if !started {
				c.Close()
			}
		}
	}()
	src := sourceAddr(c.RemoteAddr())
	if !s.allowed(src) {
		s.obs.SessionRejected(remote, "not_allowed")
		c.Close()
		return
	}
	sess := newSession(s, c, src, maxVersion)
	switch reason := s.register(sess); reason {
	case "":
	case "closing":
		c.Close()
		return
	default:
		s.obs.SessionRejected(remote, reason)
		c.Close()
		return
	}
	started = true
	go sess.readLoop()
	s.obs.SessionOpened(remote)
	// INFO comes with the version, at the first query (negotiation); a
	// connection that never queries shows at INFO only when it is closed.
	s.log.Debug("RTR connection accepted", sess.peer())
}

// register admits a session under the limits: it returns "" and counts
// the session, or the reason it is refused ("limit" for MaxSessions,
// "source_limit" for MaxSessionsPerSource, "closing").
func (s *Server) register(sess *session) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.closing.Load():
		return "closing"
	case s.nsess.Load() >= int64(s.opts.MaxSessions):
		return "limit"
	case s.perSource[sess.src] >= s.opts.MaxSessionsPerSource:
		return "source_limit"
	}
	s.nsess.Add(1)
	s.perSource[sess.src]++
	s.conns[sess] = struct{}{}
	s.wg.Add(1)
	return ""
}

// sourceAddr is the source address of a connection, IPv4-mapped IPv6
// addresses unmapped so that one host counts once.
func sourceAddr(a net.Addr) netip.Addr {
	if ta, ok := a.(*net.TCPAddr); ok {
		ip, _ := netip.AddrFromSlice(ta.IP)
		return ip.Unmap()
	}
	ap, err := netip.ParseAddrPort(a.String())
	if err != nil {
		return netip.Addr{}
	}
	return ap.Addr().Unmap()
}

func (s *Server) allowed(ip netip.Addr) bool {
	if len(s.opts.Allow) == 0 {
		return true
	}
	for _, p := range s.opts.Allow {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// forget releases a session's slots; session.close calls it, once.
func (s *Server) forget(sess *session) {
	s.mu.Lock()
	delete(s.conns, sess)
	if s.perSource[sess.src]--; s.perSource[sess.src] <= 0 {
		delete(s.perSource, sess.src)
	}
	s.mu.Unlock()
	s.nsess.Add(-1)
}

// panicked reports a recovered panic: the stack at ERROR and the
// Observer's SessionPanicked, itself guarded so that a panicking Observer
// cannot turn the recovery into a crash.
func (s *Server) panicked(log *zap.Logger, remote, where string, p any) {
	log.Error("RTR panic recovered: only this session ends", zap.String("in", where),
		zap.Any("panic", p), zap.ByteString("stack", debug.Stack()))
	s.guard(log, func() { s.obs.SessionPanicked(remote) })
}

// guard calls f, logging instead of propagating a panic; it is for
// Observer calls made while a session is already ending.
func (s *Server) guard(log *zap.Logger, f func()) {
	defer func() {
		if p := recover(); p != nil {
			log.Error("RTR observer panicked", zap.Any("panic", p))
		}
	}()
	f()
}

func (s *Server) track(l net.Listener) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closing.Load() {
		return false
	}
	s.listeners[l] = struct{}{}
	return true
}

func (s *Server) untrack(l net.Listener) {
	s.mu.Lock()
	delete(s.listeners, l)
	s.mu.Unlock()
}

// Close stops every listener and session and waits for their goroutines.
func (s *Server) Close() error {
	s.mu.Lock()
	s.closing.Store(true)
	for l := range s.listeners {
		l.Close()
	}
	conns := make([]*session, 0, len(s.conns))
	for c := range s.conns {
		conns = append(conns, c)
	}
	s.mu.Unlock()
	for _, c := range conns {
		c.close() // forgets the session, which takes s.mu
	}
	s.wg.Wait()
	return nil
}
