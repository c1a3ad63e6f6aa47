package rtr

import (
	"slices"
	"sync"

	"github.com/openrpki/validator/pkg/payload"
)

// response is one pre-encoded answer, shared read-only by every session.
type response struct {
	bytes []byte
	pdus  int
}

// lazyResponse encodes its response on first use, once.
type lazyResponse struct {
	once sync.Once
	r    response
}

func (l *lazyResponse) get(encode func() response) response {
	l.once.Do(func() { l.r = encode() })
	return l.r
}

// deltaKey names one delta response: from which serial, in which version.
type deltaKey struct {
	from    uint32
	version uint8
}

// encodings holds every response for one (snapshot, serial): the full
// table per version and the delta from each serial in the history, each
// built on first request and then shared. A new serial gets a new
// encodings; the old one is dropped when the last session using it is done.
type encodings struct {
	state    *payload.State
	sessions [MaxVersion + 1]uint16
	timers   Timers
	full     [MaxVersion + 1]lazyResponse

	mu     sync.Mutex
	deltas map[deltaKey]*lazyResponse
}

func newEncodings(st *payload.State, sessions [MaxVersion + 1]uint16, t Timers) *encodings {
	return &encodings{state: st, sessions: sessions, timers: t, deltas: map[deltaKey]*lazyResponse{}}
}

// fullResponse returns Cache Response, the whole table, End of Data.
func (e *encodings) fullResponse(version uint8) response {
	return e.full[version].get(func() response {
		return encodeFull(version, e.sessions[version], e.state, e.timers)
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
		return encodeDelta(version, e.sessions[version], d, e.state.Serial, e.timers)
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

// encodeFull encodes the answer to a Reset Query (RFC 8210 §8.1). Router
// keys go only to v1+ and ASPA only to v2 routers (RFC 8210 §5.10;
// 8210bis §5.12).
func encodeFull(version uint8, session uint16, st *payload.State, t Timers) response {
	s := st.Snapshot
	b := make([]byte, 0, fullSize(version, s))
	b = AppendCacheResponse(b, version, session)
	for _, v := range s.VRPs {
		b = AppendPrefix(b, version, true, v)
	}
	pdus := 2 + len(s.VRPs)
	if version >= 1 {
		for _, k := range s.RouterKeys {
			b = AppendRouterKey(b, version, true, k)
		}
		pdus += len(s.RouterKeys)
	}
	if version >= 2 {
		for _, a := range s.ASPAs {
			b = AppendASPA(b, version, true, a)
		}
		pdus += len(s.ASPAs)
	}
	b = AppendEndOfData(b, version, session, st.Serial, t)
	return response{bytes: b, pdus: pdus}
}

// encodeDelta encodes the answer to a Serial Query that the history can
// serve (RFC 8210 §8.2). Announcements go before withdrawals so that a
// route covered by a VRP that moves is never transiently Invalid at the
// router. For ASPA, a customer whose record changed is sent once, as an
// announcement that replaces the router's record (8210bis §5.12); a
// withdrawal is sent only for customers that have no record any more.
func encodeDelta(version uint8, session uint16, d *payload.Delta, serial uint32, t Timers) response {
	b := AppendCacheResponse(nil, version, session)
	pdus := 2
	for _, v := range d.AnnouncedVRPs {
		b = AppendPrefix(b, version, true, v)
	}
	for _, v := range d.WithdrawnVRPs {
		b = AppendPrefix(b, version, false, v)
	}
	pdus += len(d.AnnouncedVRPs) + len(d.WithdrawnVRPs)
	if version >= 1 {
		for _, k := range d.AnnouncedKeys {
			b = AppendRouterKey(b, version, true, k)
		}
		for _, k := range d.WithdrawnKeys {
			b = AppendRouterKey(b, version, false, k)
		}
		pdus += len(d.AnnouncedKeys) + len(d.WithdrawnKeys)
	}
	if version >= 2 {
		for _, a := range d.AnnouncedASPAs {
			b = AppendASPA(b, version, true, a)
			pdus++
		}
		for _, a := range d.WithdrawnASPAs {
			if replaced(d.AnnouncedASPAs, a.Customer) {
				continue
			}
			b = AppendASPA(b, version, false, a)
			pdus++
		}
	}
	b = AppendEndOfData(b, version, session, serial, t)
	return response{bytes: b, pdus: pdus}
}

// replaced reports whether the sorted announcements hold a record for the
// customer.
func replaced(ann []payload.ASPA, customer uint32) bool {
	_, found := slices.BinarySearchFunc(ann, customer, func(a payload.ASPA, c uint32) int {
		switch {
		case a.Customer < c:
			return -1
		case a.Customer > c:
			return 1
		}
		return 0
	})
	return found
}
