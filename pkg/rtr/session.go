package rtr

import (
	"bufio"
	"errors"
	"io"
	"net"
	"sync"
	"time"

	"go.uber.org/zap"
)

// request is what the reader hands to the writer: a query to answer or an
// Error Report to send.
type request struct {
	typ     uint8 // TypeResetQuery or TypeSerialQuery; unused if err != nil
	version uint8
	session uint16
	serial  uint32
	err     *ErrorReport
}

// session is one router connection: a reader goroutine that frames and
// checks PDUs and negotiates the version, and a writer goroutine that
// answers queries and sends Serial Notify. They share nothing but the two
// channels, the connection and done.
type session struct {
	srv        *Server
	conn       net.Conn
	remote     string
	maxVersion uint8
	log        *zap.Logger

	reqs   chan request
	notify chan struct{}
	done   chan struct{}
	once   sync.Once
	errMu  sync.Mutex
	err    error

	// Writer-side state.
	bw             *bufio.Writer
	version        uint8
	synced         bool
	notifiedSerial uint32
	servedSerial   uint32
}

func newSession(s *Server, c net.Conn, maxVersion uint8) *session {
	remote := c.RemoteAddr().String()
	return &session{
		srv: s, conn: c, remote: remote, maxVersion: maxVersion,
		log:  s.log.With(zap.String("remote", remote)),
		reqs: make(chan request, 1), notify: make(chan struct{}, 1), done: make(chan struct{}),
		// A small buffer: large pre-encoded responses bypass it, so the
		// per-session memory stays a few KB (target: 64 KB per session).
		bw: bufio.NewWriterSize(c, 4096),
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
		close(ss.done)
		ss.conn.Close()
	})
}

// readLoop reads PDUs until EOF, an error or a fatal Error Report. The
// first query fixes the protocol version (RFC 8210 §7).
func (ss *session) readLoop() {
	defer ss.srv.wg.Done()
	r := NewReader(ss.conn, MaxRouterPDU)
	negotiated := false
	var version uint8
	for {
		wait := ss.srv.opts.IdleTimeout
		if !negotiated {
			// A router MUST start with a query (RFC 8210 §7); a peer that
			// connects and stays silent only holds a session slot.
			wait = min(wait, FirstQueryTimeout)
		}
		ss.conn.SetReadDeadline(time.Now().Add(wait))
		h, pdu, err := r.Next()
		if err != nil {
			if !negotiated {
				version = min(h.Version, ss.maxVersion)
			}
			ss.readFailed(err, version)
			return
		}
		ss.srv.obs.PDUReceived(ss.remote, h.Version, h.Type)
		req := ss.check(h, pdu, negotiated, version)
		if req.err == nil && !negotiated {
			negotiated, version = true, h.Version
		}
		if !ss.send(req) || (req.err != nil && req.err.Fatal()) || h.Type == TypeErrorReport {
			return
		}
	}
}

// readFailed handles a read error: framing errors get an Error Report in
// the session's version (before negotiation: the header's, capped at the
// listener's maximum), I/O errors just end the session.
func (ss *session) readFailed(err error, version uint8) {
	var er *ErrorReport
	if errors.As(err, &er) {
		ss.send(request{version: version, err: er})
		return
	}
	if errors.Is(err, io.EOF) {
		err = nil
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
		ss.log.Info("router sent error report", zap.Uint16("code", p.ErrorCode), zap.String("text", p.ErrorText))
		ss.closeWith(&ErrorReport{Code: p.ErrorCode, Text: "from router: " + p.ErrorText})
		return request{typ: h.Type, version: version}
	}
	return request{version: version, err: errorf(CodeInvalidRequest, pdu, "PDU type %d is not a query", h.Type)}
}

// send hands a request to the writer; false if the session ended.
func (ss *session) send(r request) bool {
	if r.err == nil && r.typ == TypeErrorReport {
		return false
	}
	select {
	case ss.reqs <- r:
		return true
	case <-ss.done:
		return false
	}
}

// writeLoop answers requests and sends Serial Notify, one response at a
// time, until the session ends.
func (ss *session) writeLoop() {
	defer ss.srv.wg.Done()
	defer ss.finish()
	for {
		select {
		case <-ss.done:
			return
		case r := <-ss.reqs:
			if err := ss.answer(r); err != nil {
				ss.closeWith(err)
				return
			}
			if r.err != nil && r.err.Fatal() {
				ss.closeWith(r.err)
				return
			}
		case <-ss.notify:
			if err := ss.sendNotify(); err != nil {
				ss.closeWith(err)
				return
			}
		}
	}
}

func (ss *session) finish() {
	ss.close()
	ss.srv.forget(ss)
	ss.errMu.Lock()
	err := ss.err
	ss.errMu.Unlock()
	ss.srv.obs.SessionClosed(ss.remote, err)
	if err != nil && !errors.Is(err, net.ErrClosed) {
		// Write timeouts, resets and protocol errors are worth an
		// operator's attention; clean closes are not.
		ss.log.Info("session closed", zap.Error(err))
		return
	}
	ss.log.Debug("session closed")
}

// answer writes the response to one request.
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
		resp = enc.fullResponse(r.version)
	}
	if err := ss.write(kind, r.version, resp.bytes, resp.pdus); err != nil {
		return err
	}
	ss.synced, ss.servedSerial = true, st.Serial
	ss.notifiedSerial = st.Serial
	return nil
}

// sendNotify sends one Serial Notify if the router has synced and the
// serial moved since it last heard of it.
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
	ss.log.Debug("sending error report", zap.Uint16("code", e.Code), zap.String("text", e.Text))
	return ss.write("error", version, AppendErrorReport(nil, version, e), 1)
}

// write sends one response and flushes once. The deadline is renewed per
// WriteChunk, so a router must keep reading at a reasonable pace; one that
// stops reading is cut off after WriteTimeout, holding up no one else.
func (ss *session) write(kind string, version uint8, b []byte, pdus int) error {
	start := time.Now()
	total := len(b)
	for len(b) > 0 {
		n := min(len(b), WriteChunk)
		ss.conn.SetWriteDeadline(time.Now().Add(ss.srv.opts.WriteTimeout))
		if _, err := ss.bw.Write(b[:n]); err != nil {
			return err
		}
		b = b[n:]
	}
	ss.conn.SetWriteDeadline(time.Now().Add(ss.srv.opts.WriteTimeout))
	if err := ss.bw.Flush(); err != nil {
		return err
	}
	ss.srv.obs.ResponseSent(ss.remote, version, kind, pdus, total, time.Since(start))
	return nil
}
