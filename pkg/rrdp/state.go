package rrdp

import (
	"encoding/hex"
	"encoding/json"
	"hash/fnv"
	"time"
)

// State is what the client keeps per repository between fetches, saved
// through Sink.Commit.
type State struct {
	// NotifyURI is the notification URI the state belongs to.
	NotifyURI string `json:"notify_uri"`
	// SessionID and Serial are those of the data held (RFC 8182 §3.4.1).
	SessionID string `json:"session_id"`
	// Serial is the serial of the data held.
	Serial uint64 `json:"serial"`
	// ETag and LastModified make the next notification request conditional.
	ETag string `json:"etag,omitempty"`
	// LastModified is the Last-Modified header of the last notification.
	LastModified string `json:"last_modified,omitempty"`
	// DeltaHashes are the delta hashes of the last notification, by serial,
	// for the desynchronisation check of RFC 9697 §3.
	DeltaHashes map[uint64]string `json:"delta_hashes,omitempty"`
	// LastSnapshot is when the data was last initialised from a snapshot.
	LastSnapshot time.Time `json:"last_snapshot"`
	// LastSuccess is when a fetch last succeeded.
	LastSuccess time.Time `json:"last_success"`
}

// DecodeState reads a saved state; nil or unreadable input gives the zero
// state, which makes the next fetch start from the snapshot.
func DecodeState(b []byte) State {
	var st State
	if len(b) == 0 || json.Unmarshal(b, &st) != nil {
		return State{}
	}
	return st
}

// encode returns the JSON form of the state.
func (st State) encode() []byte {
	b, _ := json.Marshal(st)
	return b
}

// rememberDeltas keeps the hashes of the last MaxDeltas deltas listed.
func (st *State) rememberDeltas(n *Notification) {
	st.DeltaHashes = make(map[uint64]string)
	from := max(0, len(n.Deltas)-MaxDeltas)
	for _, d := range n.Deltas[from:] {
		st.DeltaHashes[d.Serial] = hex.EncodeToString(d.Hash[:])
	}
}

// desynchronised reports whether n lists a delta we saw before with a
// different hash: the server rewrote history, so the held data cannot be
// trusted to match any delta chain (RFC 9697 §3; recovery from the
// snapshot as §4 says).
func (st *State) desynchronised(n *Notification) bool {
	for _, d := range n.Deltas {
		if old, ok := st.DeltaHashes[d.Serial]; ok && d.Serial <= st.Serial && old != hex.EncodeToString(d.Hash[:]) {
			return true
		}
	}
	return false
}

// reinitDue reports whether the data should be re-initialised from the
// snapshot even though deltas are usable, bounding how long an undetected
// desynchronisation can last (RFC 9697 §6 on its risks). The interval is
// spread over [0.75, 1.25) of its value per repository so that a fleet of
// validators does not fetch all snapshots at the same time.
func (st *State) reinitDue(now time.Time, interval time.Duration) bool {
	if interval <= 0 || st.LastSnapshot.IsZero() {
		return false
	}
	h := fnv.New64a()
	h.Write([]byte(st.NotifyURI + st.LastSnapshot.String()))
	spread := 0.75 + 0.5*float64(h.Sum64()%1000)/1000
	return now.Sub(st.LastSnapshot) > time.Duration(float64(interval)*spread)
}
