package rtr

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"go.uber.org/zap"
)

// request is what a PDU from the router asks for: a query to answer or an
// Error Report to send.
type request struct {
	typ     uint8 // TypeResetQuery or TypeSerialQuery; unused if err != nil
	version uint8
	session uint16
	serial  uint32
	err     *ErrorReport
}

// session is one router connection. Its goroutine reads, checks and
// answers PDUs in turn and negotiates the version; a Serial Notify is sent
// by a short-lived goroutine (notifyNow) when the serial moves. Writes and
// the writer-side state are under wmu. One goroutine per session, not a
// reader and a writer: an idle router costs one stack (about 4 KB, 4 MB for
// 1,000 sessions), and a router waits for its answer anyway (RFC 8210 §8).
type session struct {
	srv        *Server
	conn       net.Conn
	remote     string
	src        netip.Addr
	since      time.Time
	maxVersion uint8

	done  chan struct{}
	once  sync.Once
	errMu sync.Mutex
	err   error
	// notifying is set while a Serial Notify goroutine is on its way: it
	// sends the serial current when it writes, so one is enough.
	notifying atomic.Bool

	// Shown by Server.Sessions: written by the session's goroutines,
	// read by anyone without a lock.
	negotiated atomic.Int32 // the protocol version, -1 before the first query
	lastQuery  atomic.Int64 // Unix ns of the last query, 0 before the first
	sentBytes  atomic.Int64 // bytes written
	lastSerial atomic.Int64 // serial of the last End of Data sent, -1 none

	// Writer-side state, under wmu. Responses are written whole (each is
	// one pre-encoded buffer), with no write buffer per session: it saved
	// no system call and cost 4 KB for each of 1,000 sessions.
	wmu            sync.Mutex
	version        uint8
	synced         bool
	notifiedSerial uint32
	servedSerial   uint32
}

func newSession(s *Server, c net.Conn, src netip.Addr, maxVersion uint8) *session {
	remote := c.RemoteAddr().String()
	ss := &session{
		srv: s, conn: c, remote: remote, src: src, since: time.Now(), maxVersion: maxVersion,
		done: make(chan struct{}),
	}
	ss.negotiated.Store(-1)
	ss.lastSerial.Store(-1)
	return ss
}

// peer is the log field naming the router. Sessions log a few lines in
// their life, so none keeps a logger of its own: zap's With holds a 1 KB
// buffer, 1 MB for 1,000 sessions.
func (ss *session) peer() zap.Field { return zap.String("remote", ss.remote) }

// logger is a logger naming the router, for what takes one.
func (ss *session) logger() *zap.Logger { return ss.srv.log.With(ss.peer()) }

// recoverPanic, deferred first thing in the session's goroutines,
// turns a panic into the end of this session alone: the stack is logged
// at ERROR, the Observer counts it, and the daemon and the other sessions
// carry on (issue 6).
func (ss *session) recoverPanic(where string) {
	if p := recover(); p != nil {
		ss.closeWith(fmt.Errorf("rtr: internal error in the session %s: %v", where, p))
		ss.srv.panicked(ss.logger(), ss.remote, where, p)
	}
}

// close ends the session once, recording the first error.
func (ss *session) closeWith(err error) {
	ss.errMu.Lock()
	if ss.err == nil {
		ss.err = err
	}
	ss.errMu.Unlock()
	ss.close()
}

func (ss *session) close() {
	ss.once.Do(func() {
		// Release the slot before the peer can see the close: a router
		// that reconnects at once from the same source must find it free.
		ss.srv.forget(ss)
		close(ss.done)
		ss.conn.Close()
	})
}

// readLoop reads and answers PDUs until EOF, an error or a fatal Error
// Report. The first query fixes the protocol version (RFC 8210 §7).
func (ss *session) readLoop() {
	defer ss.srv.wg.Done()
	defer ss.finish()
	defer ss.recoverPanic("reader")
	r := NewReader(ss.conn, MaxRouterPDU)
	negotiated := false
	var version uint8
	for {
		wait := ss.srv.opts.IdleTimeout
		if !negotiated {
			// A router MUST start with a query (RFC 8210 §7); a peer that
			// connects and stays silent only holds a session slot.
			wait = min(wait, ss.srv.opts.FirstQueryTimeout)
		}
		ss.conn.SetReadDeadline(time.Now().Add(wait))
		h, pdu, err := r.Next()
		if err != nil {
			if !negotiated {
				version = min(h.Version, ss.maxVersion)
			}
			ss.readFailed(err, version, negotiated)
			return
		}
		ss.srv.obs.PDUReceived(ss.remote, h.Version, h.Type)
		req := ss.check(h, pdu, negotiated, version)
		if req.err == nil && (h.Type == TypeResetQuery || h.Type == TypeSerialQuery) {
			ss.lastQuery.Store(time.Now().UnixNano())
		}
		if req.err == nil && !negotiated {
			negotiated, version = true, h.Version
			ss.negotiated.Store(int32(version))
			ss.srv.obs.SessionNegotiated(ss.remote, version)
			ss.srv.log.Info("RTR session opened", ss.peer(), zap.Uint8("version", version))
		}
		if !ss.handle(req) || h.Type == TypeErrorReport {
			return
		}
	}
}

// readFailed handles a read error: framing errors get an Error Report in
// the session's version (before negotiation: the header's, capped at the
// listener's maximum), I/O errors just end the session; a read deadline
// says which one passed, for the log.
func (ss *session) readFailed(err error, version uint8, negotiated bool) {
	var er *ErrorReport
	var ne net.Error
	switch {
	case errors.As(err, &er):
		ss.handle(request{version: version, err: er})
		err = er
	case errors.Is(err, io.EOF):
		err = nil
	case errors.As(err, &ne) && ne.Timeout() && !negotiated:
		err = fmt.Errorf("rtr: no query within %v of connecting (RFC 8210 §7)", ss.srv.opts.FirstQueryTimeout)
	case errors.As(err, &ne) && ne.Timeout():
		err = fmt.Errorf("rtr: no PDU for %v", ss.srv.opts.IdleTimeout)
	}
	ss.closeWith(err)
}

// check validates one PDU from the router and turns it into a request.
func (ss *session) check(h Header, pdu []byte, negotiated bool, version uint8) request {
	if !negotiated {
		version = min(h.Version, ss.maxVersion)
		if h.Version > ss.maxVersion {
			// RFC 8210 §7 / 8210bis §7: answer a too-new version with
			// Error Report "Unsupported Protocol Version" in the highest
			// version we speak; the router may retry with that version.
			return request{version: ss.maxVersion, err: errorf(CodeUnsupportedVersion, pdu,
				"protocol version %d not supported, max %d", h.Version, ss.maxVersion)}
		}
	} else if h.Version != version {
		code := CodeUnexpectedVersion
		if version == 0 {
			code = CodeUnsupportedVersion // RFC 6810 has no code 8
		}
		return request{version: version, err: errorf(code, pdu, "PDU version %d in a version %d session (RFC 8210 §7)", h.Version, version)}
	}
	p, err := Decode(h, pdu)
	if err != nil {
		return request{version: version, err: err.(*ErrorReport)}
	}
	switch h.Type {
	case TypeResetQuery, TypeSerialQuery:
		return request{typ: h.Type, version: version, session: p.Session, serial: p.Serial}
	case TypeErrorReport:
		// An Error Report from the router ends the session; never answer
		// one with another (RFC 8210 §5.11).
		ss.srv.log.Info("router sent error report", ss.peer(), zap.Uint16("code", p.ErrorCode), zap.String("text", p.ErrorText))
		ss.closeWith(&ErrorReport{Code: p.ErrorCode, Text: "from router: " + p.ErrorText})
		return request{typ: h.Type, version: version}
	}
	return request{version: version, err: errorf(CodeInvalidRequest, pdu, "PDU type %d is not a query", h.Type)}
}

// handle answers one request; false when the session is over (an Error
// Report from the router, a write that failed, a fatal error sent).
func (ss *session) handle(r request) bool {
	if r.err == nil && r.typ == TypeErrorReport {
		return false
	}
	err := ss.writing(func() error { return ss.answer(r) })
	if err == nil && r.err != nil && r.err.Fatal() {
		err = r.err
	}
	if err != nil {
		ss.closeWith(err)
		return false
	}
	return true
}

// notify has a Serial Notify sent unless one is on its way. Server.Notify
// calls it with the session registered, so its goroutine is counted in the
// server's WaitGroup before Close can stop waiting.
func (ss *session) notify() {
	if !ss.notifying.CompareAndSwap(false, true) {
		return
	}
	ss.srv.wg.Add(1)
	go ss.notifyNow()
}

// notifyNow sends one Serial Notify for the current serial, after any
// response being written.
func (ss *session) notifyNow() {
	defer ss.srv.wg.Done()
	defer ss.recoverPanic("notify")
	err := ss.writing(func() error {
		// Cleared once it holds the lock, before it reads the serial: a
		// later serial then either is read here or starts another.
		ss.notifying.Store(false)
		select {
		case <-ss.done:
			return nil
		default:
			return ss.sendNotify()
		}
	})
	if err != nil {
		ss.closeWith(err)
	}
}

// writing runs f holding wmu, which a panic in f releases too: a Serial
// Notify waiting for it must not wait for ever.
func (ss *session) writing(f func() error) error {
	ss.wmu.Lock()
	defer ss.wmu.Unlock()
	return f()
}

// finish reports the end of the session: an INFO line with the peer, the
// version, the reason and the bytes sent, and the Observer (guarded: the
// session is over whatever it does).
func (ss *session) finish() {
	ss.close() // releases the slot, then closes (unless already closed)
	ss.errMu.Lock()
	err := ss.err
	ss.errMu.Unlock()
	version := int(ss.negotiated.Load())
	ss.srv.guard(ss.logger(), func() { ss.srv.obs.SessionClosed(ss.remote, version, err) })
	reason := "closed by the router"
	if err != nil {
		reason = err.Error()
	}
	ss.srv.log.Info("RTR session closed", ss.peer(), zap.Int("version", version), zap.String("reason", reason),
		zap.Int64("bytes_sent", ss.sentBytes.Load()), zap.Duration("duration", time.Since(ss.since).Round(time.Millisecond)))
}

// answer writes the response to one request; the caller holds wmu.
func (ss *session) answer(r request) error {
	ss.version = r.version
	if r.err != nil {
		return ss.writeError(r.version, r.err)
	}
	st, enc := ss.srv.current()
	if st == nil {
		// Before the first validation run, or with stale data (fail safe):
		// No Data Available, non-fatal (RFC 8210 §12).
		return ss.writeError(r.version, errorf(CodeNoDataAvailable, nil, "no current RPKI data"))
	}
	var resp response
	var held *response // a full response, held weakly by the encodings: alive until written
	kind := "reset"
	if r.typ == TypeSerialQuery {
		kind = "serial"
		ok := r.session == ss.srv.sessions[r.version]
		if ok {
			resp, ok = enc.deltaResponse(r.version, r.serial)
		}
		if !ok {
			// Unknown session or a serial older than the history: Cache
			// Reset, and the router follows with a Reset Query (RFC 8210
			// §8.4).
			return ss.write("cache_reset", r.version, AppendCacheReset(nil, r.version), 1)
		}
	} else {
		held = enc.fullResponse(r.version)
		resp = *held
	}
	err := ss.write(kind, r.version, resp.bytes, resp.pdus)
	runtime.KeepAlive(held)
	if err != nil {
		return err
	}
	ss.synced, ss.servedSerial = true, st.Serial
	ss.notifiedSerial = st.Serial
	ss.lastSerial.Store(int64(st.Serial))
	return nil
}

// sendNotify sends one Serial Notify if the router has synced and the
// serial moved since it last heard of it; the caller holds wmu.
func (ss *session) sendNotify() error {
	if !ss.synced {
		return nil
	}
	st, _ := ss.srv.current()
	if st == nil || st.Serial == ss.notifiedSerial {
		return nil
	}
	ss.notifiedSerial = st.Serial
	b := AppendSerialNotify(nil, ss.version, ss.srv.sessions[ss.version], st.Serial)
	return ss.write("notify", ss.version, b, 1)
}

func (ss *session) writeError(version uint8, e *ErrorReport) error {
	ss.srv.obs.ErrorReportSent(ss.remote, e.Code)
	ss.srv.log.Debug("sending error report", ss.peer(), zap.Uint16("code", e.Code), zap.String("text", e.Text))
	return ss.write("error", version, AppendErrorReport(nil, version, e), 1)
}

// write sends one response, in writes of WriteChunk at most. The deadline
// is renewed per chunk, so a router must keep reading at a reasonable
// pace; one that stops reading is cut off after WriteTimeout, holding up
// no one else.
func (ss *session) write(kind string, version uint8, b []byte, pdus int) error {
	start := time.Now()
	total := len(b)
	for len(b) > 0 {
		n := min(len(b), WriteChunk)
		ss.conn.SetWriteDeadline(time.Now().Add(ss.srv.opts.WriteTimeout))
		written, err := ss.conn.Write(b[:n])
		ss.sentBytes.Add(int64(written))
		if err != nil {
			return err
		}
		b = b[n:]
	}
	ss.srv.obs.ResponseSent(ss.remote, version, kind, pdus, total, time.Since(start))
	return nil
}
