package rtr

import (
	"cmp"
	"slices"
	"time"
)

// SessionInfo describes one connected router, for the status page.
type SessionInfo struct {
	// Remote is the router's address and port.
	Remote string
	// Negotiated is false until the router's first query fixes Version,
	// the protocol version of the session (RFC 8210 §7).
	Negotiated bool
	Version    uint8
	// Synced is true once a response ended with End of Data; Serial is
	// the serial that End of Data carried, the last one sent.
	Synced bool
	Serial uint32
	// Since is when the connection was accepted; LastQuery when the last
	// Reset or Serial Query arrived (zero before the first).
	Since, LastQuery time.Time
	// BytesSent counts the bytes written to the router.
	BytesSent int64
}

// Sessions returns the connected sessions, oldest first. It holds the
// server's lock only to copy the session list; each session's figures are
// atomics its goroutines update, so this never waits for a slow router.
func (s *Server) Sessions() []SessionInfo {
	s.mu.Lock()
	list := make([]*session, 0, len(s.conns))
	for c := range s.conns {
		list = append(list, c)
	}
	s.mu.Unlock()
	out := make([]SessionInfo, len(list))
	for i, c := range list {
		out[i] = c.info()
	}
	slices.SortFunc(out, func(a, b SessionInfo) int {
		if c := a.Since.Compare(b.Since); c != 0 {
			return c
		}
		return cmp.Compare(a.Remote, b.Remote)
	})
	return out
}

func (ss *session) info() SessionInfo {
	in := SessionInfo{Remote: ss.remote, Since: ss.since, BytesSent: ss.sentBytes.Load()}
	if v := ss.negotiated.Load(); v >= 0 {
		in.Negotiated, in.Version = true, uint8(v)
	}
	if s := ss.lastSerial.Load(); s >= 0 {
		in.Synced, in.Serial = true, uint32(s)
	}
	if q := ss.lastQuery.Load(); q != 0 {
		in.LastQuery = time.Unix(0, q)
	}
	return in
}
