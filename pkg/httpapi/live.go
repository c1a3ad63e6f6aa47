package httpapi

import (
	"net/http"
	"net/url"
	"strings"
	"time"
)

// RunProgress is how far the current validation run is (the daemon
// adapts validate.Engine.Progress to it).
type RunProgress struct {
	Running bool      `json:"running"`
	Quick   bool      `json:"quick"`
	Start   time.Time `json:"start,omitzero"`
	// CAs, Points and Objects count the CA certificates, publication
	// points and objects done so far.
	CAs     int64 `json:"cas"`
	Points  int64 `json:"publication_points"`
	Objects int64 `json:"objects"`
	// ObjectsPerSecond is Objects over the time since Start (the API
	// computes it).
	ObjectsPerSecond float64 `json:"objects_per_second"`
}

// SessionStatus is one connected RTR router (the daemon adapts the RTR
// server's session list to it).
type SessionStatus struct {
	// Peer is the router's address and port.
	Peer string `json:"peer"`
	// Negotiated is false until the router's first query fixes Version.
	Negotiated bool  `json:"negotiated"`
	Version    uint8 `json:"version"`
	// Synced is set once a response ended with End of Data carrying
	// Serial.
	Synced         bool      `json:"synced"`
	Serial         uint32    `json:"serial"`
	ConnectedSince time.Time `json:"connected_since"`
	LastQuery      time.Time `json:"last_query,omitzero"`
	BytesSent      int64     `json:"bytes_sent"`
}

// progress returns the current run's progress, or nil when none runs.
func (a *api) progress(now time.Time) *RunProgress {
	if a.o.Progress == nil {
		return nil
	}
	p := a.o.Progress()
	if !p.Running {
		return nil
	}
	if secs := now.Sub(p.Start).Seconds(); secs > 0 {
		p.ObjectsPerSecond = float64(p.Objects) / secs
	}
	return &p
}

// sessions returns the connected RTR sessions, an empty list when none.
func (a *api) sessions() []SessionStatus {
	if a.o.Sessions == nil {
		return []SessionStatus{}
	}
	if s := a.o.Sessions(); s != nil {
		return s
	}
	return []SessionStatus{}
}

// lookup is the target of the status page's form (which has no
// JavaScript to build a path): /lookup?asn=AS65000&prefix=192.0.2.0/24
// &what=explain redirects to /api/v1/explain/AS65000/192.0.2.0/24, and
// what=validity to /api/v1/validity/... The values are checked first, so
// the redirect always names a well-formed route.
func (a *api) lookup(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	err := onlyParams(r, "asn", "prefix", "what")
	what := q.Get("what")
	if err == nil && what != "explain" && what != "validity" {
		err = &paramError{"what", what, "explain or validity"}
	}
	asn := strings.TrimSpace(q.Get("asn"))
	if err == nil {
		_, err = parseASN(asn)
	}
	prefix := strings.TrimSpace(q.Get("prefix"))
	if err == nil {
		_, err = parseRoutePrefix(prefix)
	}
	if err != nil {
		writeError(w, http.StatusBadRequest, "httpapi: lookup: "+err.Error())
		return
	}
	target := "/api/v1/" + what + "/" + url.PathEscape(asn) + "/" + prefix
	http.Redirect(w, r, target, http.StatusSeeOther)
}
