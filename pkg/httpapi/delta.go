package httpapi

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/openrpki/validator/pkg/output"
	"github.com/openrpki/validator/pkg/state"
)

// /json-delta and /json-delta/notify, with Routinator's semantics
// (src/http/delta.rs). The session identifies this process's serial
// history (the time it started, in milliseconds); the serial is the RTR
// serial of the published payload.
//
//   - /json-delta answers the whole payload ("reset": true), or, with
//     ?session=S&serial=N of this session and a serial still in the RTR
//     history, what changed since N ("reset": false, "fromSerial": N);
//     an unknown session, a serial too old or from the future gets a
//     reset.
//   - /json-delta/notify answers {"session", "serial"} of the published
//     payload at once, or, with ?session=&serial= naming the published
//     payload, once it changes (long poll). Unlike Routinator, the wait
//     is bounded (NotifyMaxWait, then the unchanged answer: the client
//     asks again) and so is the number of waiting clients
//     (MaxNotifyWaiters).

// version is the session and serial of a query.
type version struct {
	session uint64
	serial  uint32
}

// parseVersion reads ?session=&serial= (both or neither); any other
// parameter, a repeated one or a bad number is an error, as in
// Routinator.
func parseVersion(rawQuery string) (*version, error) {
	q, err := url.ParseQuery(rawQuery)
	if err != nil {
		return nil, fmt.Errorf("httpapi: query: %v", err)
	}
	var v version
	for key, vals := range q {
		if key != "session" && key != "serial" {
			return nil, fmt.Errorf("httpapi: unexpected argument %q in query (want session and serial)", key)
		}
		if len(vals) > 1 {
			return nil, fmt.Errorf("httpapi: duplicate %q argument in query", key)
		}
		n, err := strconv.ParseUint(vals[0], 10, 64)
		if key == "serial" && n > 1<<32-1 {
			err = strconv.ErrRange
		}
		if err != nil {
			return nil, fmt.Errorf("httpapi: invalid %q argument in query: %q (want a number)", key, vals[0])
		}
		if key == "session" {
			v.session = n
		} else {
			v.serial = uint32(n)
		}
	}
	switch len(q) {
	case 0:
		return nil, nil
	case 1:
		missing := "serial"
		if q.Has("serial") {
			missing = "session"
		}
		return nil, fmt.Errorf("httpapi: missing %q argument in query", missing)
	}
	return &v, nil
}

// jsonDelta answers /json-delta.
func (a *api) jsonDelta(w http.ResponseWriter, r *http.Request) {
	ver, err := parseVersion(r.URL.RawQuery)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	st := a.o.State()
	if st == nil || st.Table == nil || st.RTR == nil {
		noData(w)
		return
	}
	doc := output.DeltaDoc{Session: a.session, Serial: st.RTR.Serial, Generated: st.Changed}
	if ver != nil && ver.session == a.session {
		if d, ok := st.RTR.Delta(ver.serial); ok {
			doc.Delta = d
		}
	}
	if doc.Delta == nil {
		doc.Snapshot = st.RTR.Snapshot()
	}
	gz := acceptsGzip(r.Header.Get("Accept-Encoding"))
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-cache")
	h.Set("Vary", "Accept-Encoding")
	h.Set("Access-Control-Allow-Origin", "*")
	if gz {
		h.Set("Content-Encoding", "gzip")
	}
	if r.Method == http.MethodHead {
		return
	}
	a.stream(w, r, gz, "json-delta", func(out io.Writer) error { return output.WriteDelta(out, doc) })
}

// jsonDeltaNotify answers /json-delta/notify.
func (a *api) jsonDeltaNotify(w http.ResponseWriter, r *http.Request) {
	ver, err := parseVersion(r.URL.RawQuery)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	st := a.o.State()
	if ver != nil && a.isCurrent(st, *ver) {
		if a.waiters.Add(1) > MaxNotifyWaiters {
			a.waiters.Add(-1)
			w.Header().Set("Retry-After", "30")
			writeError(w, http.StatusServiceUnavailable, "httpapi: too many clients waiting for a change; retry later")
			return
		}
		st = a.waitChange(r, *ver)
		a.waiters.Add(-1)
	}
	if st == nil || st.Table == nil {
		noData(w)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("Access-Control-Allow-Origin", "*")
	if r.Method == http.MethodHead {
		return
	}
	// Routinator's JsonBuilder layout: three-space indent, no newline.
	fmt.Fprintf(w, "{\n   \"session\": %d,\n   \"serial\": %d\n}", a.session, st.Serial())
}

// isCurrent reports whether v names the published payload.
func (a *api) isCurrent(st *state.State, v version) bool {
	return st != nil && st.Table != nil && v.session == a.session && v.serial == st.Serial()
}

// waitChange polls the published state until it no longer is v, the
// request ends or NotifyMaxWait passes, and returns the state then.
func (a *api) waitChange(r *http.Request, v version) *state.State {
	poll := time.NewTicker(a.notifyPoll)
	defer poll.Stop()
	deadline := time.NewTimer(NotifyMaxWait)
	defer deadline.Stop()
	for {
		select {
		case <-poll.C:
			if st := a.o.State(); !a.isCurrent(st, v) {
				return st
			}
		case <-r.Context().Done():
			return a.o.State()
		case <-deadline.C:
			return a.o.State()
		}
	}
}
