package rtr

import (
	"cmp"
	"slices"
	"sync"

	"github.com/openrpki/validator/pkg/payload"
	"go.uber.org/zap"
)

// response is one pre-encoded answer, shared read-only by every session.
// skipped counts records that no PDU can carry (longer than MaxPDU), left
// out so that a router never receives a PDU it must refuse.
type response struct {
	bytes   []byte
	pdus    int
	skipped int
}

// lazyResponse encodes its response on first use, once. Unlike
// sync.Once, an encoder that panics leaves it unset (the next session
// tries again) instead of sharing an empty response as if it were the
// table.
type lazyResponse struct {
	mu   sync.Mutex
	done bool
	r    response
}

func (l *lazyResponse) get(encode func() response) response {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.done {
		l.r = encode()
		l.done = true
	}
	return l.r
}

// deltaKey names one delta response: from which serial, in which version.
type deltaKey struct {
	from    uint32
	version uint8
}

// encodings holds every response for one (snapshot, serial): the full
// table per version and the delta from each serial in the history, each
// built on first request and then shared. The full table's answer (14 MB
// at 600k VRPs, per version) is held weakly: shared by every session that
// sends it while one is sending it, and left to the collector once none
// is, as reset queries are rare between new serials. The sessions keep it
// alive while they write it (runtime.KeepAlive). A new serial gets a new
// encodings; the old one is dropped when the last session using it is done.
type encodings struct {
	log      *zap.Logger
	state    *payload.State
	sessions [MaxVersion + 1]uint16
	timers   Timers
	full     [MaxVersion + 1]payload.Rebuilt[response]

	mu     sync.Mutex
	deltas map[deltaKey]*lazyResponse
}

func newEncodings(log *zap.Logger, st *payload.State, sessions [MaxVersion + 1]uint16, t Timers) *encodings {
	return &encodings{log: log, state: st, sessions: sessions, timers: t, deltas: map[deltaKey]*lazyResponse{}}
}

// checked logs, once per encoding, records no PDU can carry. NewSnapshot
// already drops oversized ASPAs, so this means a Snapshot built some other
// way: the router still gets every PDU it can accept.
func (e *encodings) checked(kind string, version uint8, r response) response {
	if r.skipped > 0 {
		e.log.Error("records too long for one RTR PDU left out of the response (draft-ietf-sidrops-8210bis-27 §5.1)",
			zap.String("kind", kind), zap.Uint8("version", version), zap.Int("skipped", r.skipped),
			zap.Uint32("serial", e.state.Serial))
	}
	return r
}

// fullResponse returns Cache Response, the whole table, End of Data; the
// caller keeps the pointer alive while it uses the bytes.
func (e *encodings) fullResponse(version uint8) *response {
	return e.full[version].Get(func() *response {
		r := e.checked("reset", version, encodeFull(version, e.sessions[version], e.state, e.timers))
		return &r
	})
}

// deltaResponse returns Cache Response, the delta from serial, End of
// Data; ok is false when the history does not reach back to serial.
func (e *encodings) deltaResponse(version uint8, from uint32) (response, bool) {
	e.mu.Lock()
	l, seen := e.deltas[deltaKey{from, version}]
	if !seen {
		if _, ok := e.state.Delta(from); !ok {
			e.mu.Unlock()
			return response{}, false
		}
		l = &lazyResponse{}
		e.deltas[deltaKey{from, version}] = l
	}
	e.mu.Unlock()
	return l.get(func() response {
		d, _ := e.state.Delta(from)
		return e.checked("serial", version, encodeDelta(version, e.sessions[version], d, e.state.Serial, e.timers))
	}), true
}

// fullSize is the exact encoded size of a full response, so the buffer is
// allocated once.
func fullSize(version uint8, s *payload.Snapshot) int {
	n := lenCacheResp + lenEndOfDataV1
	for _, v := range s.VRPs {
		n += lenIPv4Prefix
		if v.V6 {
			n += lenIPv6Prefix - lenIPv4Prefix
		}
	}
	if version >= 1 {
		for _, k := range s.RouterKeys {
			n += lenRouterKeyMin + len(k.SPKI)
		}
	}
	if version >= 2 {
		for _, a := range s.ASPAs {
			n += lenASPAMin + 4*len(a.Providers)
		}
	}
	return n
}

// encodeFull encodes the answer to a Reset Query (RFC 8210 §8.1), in the
// order of draft-ietf-sidrops-8210bis-27 §11.2 (see order.go). Router keys
// go only to v1+ and ASPA only to v2 routers (RFC 8210 §5.10; 8210bis-27
// §5.12).
func encodeFull(version uint8, session uint16, st *payload.State, t Timers) response {
	s := st.Snapshot()
	b := make([]byte, 0, fullSize(version, s))
	b = AppendCacheResponse(b, version, session)
	v4, v6 := familySplit(s.VRPs)
	b = appendPrefixes(b, version, true, v4)
	b = appendPrefixes(b, version, true, v6)
	r := response{pdus: 2 + len(s.VRPs)}
	if version >= 1 {
		var n, skipped int
		b, n, skipped = appendKeys(b, version, true, s.RouterKeys)
		r.pdus, r.skipped = r.pdus+n, r.skipped+skipped
	}
	if version >= 2 {
		for _, a := range s.ASPAs {
			if ASPALen(true, a) > MaxPDU {
				r.skipped++
				continue
			}
			b = AppendASPA(b, version, true, a)
			r.pdus++
		}
	}
	r.bytes = AppendEndOfData(b, version, session, st.Serial, t)
	return r
}

// encodeDelta encodes the answer to a Serial Query that the history can
// serve (RFC 8210 §8.2), in the order of 8210bis-27 §11.2: per PDU type,
// announcements before withdrawals. For ASPA, a customer whose record
// changed is sent once, as an announcement that replaces the router's
// record (§5.12); a withdrawal is sent only for customers that have no
// record any more, or whose new record cannot be encoded.
func encodeDelta(version uint8, session uint16, d *payload.Delta, serial uint32, t Timers) response {
	b := AppendCacheResponse(nil, version, session)
	r := response{pdus: 2 + len(d.AnnouncedVRPs) + len(d.WithdrawnVRPs)}
	ann4, ann6 := familySplit(d.AnnouncedVRPs)
	wd4, wd6 := familySplit(d.WithdrawnVRPs)
	b = appendPrefixes(b, version, true, ann4)
	b = appendPrefixes(b, version, false, wd4)
	b = appendPrefixes(b, version, true, ann6)
	b = appendPrefixes(b, version, false, wd6)
	if version >= 1 {
		var n1, n2, s1, s2 int
		b, n1, s1 = appendKeys(b, version, true, d.AnnouncedKeys)
		b, n2, s2 = appendKeys(b, version, false, d.WithdrawnKeys)
		r.pdus, r.skipped = r.pdus+n1+n2, r.skipped+s1+s2
	}
	if version >= 2 {
		b = appendASPADelta(b, version, d, &r)
	}
	r.bytes = AppendEndOfData(b, version, session, serial, t)
	return r
}

// appendASPADelta appends a delta's ASPA PDUs: announcements (which
// replace), then withdrawals of customers not announced again.
func appendASPADelta(b []byte, version uint8, d *payload.Delta, r *response) []byte {
	var sent []payload.ASPA // announcements that fit, sorted by customer
	for _, a := range d.AnnouncedASPAs {
		if ASPALen(true, a) > MaxPDU {
			r.skipped++
			continue
		}
		b = AppendASPA(b, version, true, a)
		sent = append(sent, a)
		r.pdus++
	}
	for _, a := range d.WithdrawnASPAs {
		if replaced(sent, a.Customer) {
			continue
		}
		b = AppendASPA(b, version, false, a)
		r.pdus++
	}
	return b
}

// replaced reports whether the sorted announcements hold a record for the
// customer.
func replaced(ann []payload.ASPA, customer uint32) bool {
	_, found := slices.BinarySearchFunc(ann, customer, func(a payload.ASPA, c uint32) int {
		return cmp.Compare(a.Customer, c)
	})
	return found
}
