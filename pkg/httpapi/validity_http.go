package httpapi

import (
	"github.com/openrpki/validator/pkg/state"

	"encoding/json"
	"fmt"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// singleAnswer is the body of GET /api/v1/validity/{asn}/{prefix}.
type singleAnswer struct {
	ValidatedRoute ValidatedRoute `json:"validated_route"`
	GeneratedTime  string         `json:"generatedTime"`
}

// bulkAnswer is the body of POST /api/v1/validity.
type bulkAnswer struct {
	ValidatedRoutes []ValidatedRoute `json:"validated_routes"`
	GeneratedTime   string           `json:"generatedTime"`
}

// bulkRoute is one route of a bulk request; asn may be 65000 or "AS65000".
type bulkRoute struct {
	ASN    json.RawMessage `json:"asn"`
	Prefix string          `json:"prefix"`
}

// validityOne answers one route: /api/v1/validity/AS65000/192.0.2.0/24.
func (a *api) validityOne(w http.ResponseWriter, r *http.Request) {
	a.answerValidity(w, r.PathValue("asn"), r.PathValue("prefix"))
}

// validityQuery answers one route given as Routinator's query,
// /validity?asn=AS65000&prefix=192.0.2.0/24; any other parameter, or a
// repeated or missing one, is a 400 that says so.
func (a *api) validityQuery(w http.ResponseWriter, r *http.Request) {
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		writeError(w, http.StatusBadRequest, "httpapi: validity: query: "+err.Error())
		return
	}
	for key, vals := range q {
		switch {
		case key != "asn" && key != "prefix":
			writeError(w, http.StatusBadRequest, fmt.Sprintf("httpapi: validity: unexpected argument %q in query (want asn and prefix)", key))
			return
		case len(vals) > 1:
			writeError(w, http.StatusBadRequest, fmt.Sprintf("httpapi: validity: duplicate %q argument in query", key))
			return
		}
	}
	for _, key := range []string{"asn", "prefix"} {
		if !q.Has(key) {
			writeError(w, http.StatusBadRequest, fmt.Sprintf("httpapi: validity: missing %q argument in query", key))
			return
		}
	}
	a.answerValidity(w, q.Get("asn"), q.Get("prefix"))
}

// answerValidity validates one route given as text.
func (a *api) answerValidity(w http.ResponseWriter, asnText, prefixText string) {
	asn, err := parseASN(asnText)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	p, err := parseRoutePrefix(prefixText)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	st, v := a.current(w)
	if v == nil {
		return
	}
	writeJSON(w, http.StatusOK, singleAnswer{v.vrpIndex(st).validate(asn, p), generated(st)})
}

// validityBulk answers a JSON list of routes, either a bare array or
// Routinator's {"routes": [...]}, in request order. The body is capped at
// MaxBulkBodyBytes and MaxBulkRoutes; the whole request is checked before
// any route is validated.
func (a *api) validityBulk(w http.ResponseWriter, r *http.Request) {
	routes, err := readBulk(w, r)
	if err != nil {
		writeError(w, bodyErrorCode(err), err.Error())
		return
	}
	st, v := a.current(w)
	if v == nil {
		return
	}
	ix := v.vrpIndex(st)
	out := bulkAnswer{ValidatedRoutes: make([]ValidatedRoute, len(routes)), GeneratedTime: generated(st)}
	for i, rt := range routes {
		out.ValidatedRoutes[i] = ix.validate(rt.asn, rt.prefix)
	}
	writeJSON(w, http.StatusOK, out)
}

// routeOf reads the route of a path ending in {asn}/{prefix...}.
func routeOf(r *http.Request) (uint32, netip.Prefix, error) {
	asn, err := parseASN(r.PathValue("asn"))
	if err != nil {
		return 0, netip.Prefix{}, err
	}
	p, err := parseRoutePrefix(r.PathValue("prefix"))
	return asn, p, err
}

type parsedRoute struct {
	asn    uint32
	prefix netip.Prefix
}

// readBulk reads and checks the routes of a bulk request.
func readBulk(w http.ResponseWriter, r *http.Request) ([]parsedRoute, error) {
	body, err := readBody(w, r)
	if err != nil {
		return nil, fmt.Errorf("httpapi: validity: body: %w", err)
	}
	var list []bulkRoute
	if t := strings.TrimSpace(string(body)); strings.HasPrefix(t, "{") {
		var wrapped struct {
			Routes []bulkRoute `json:"routes"`
		}
		err = json.Unmarshal(body, &wrapped)
		list = wrapped.Routes
	} else {
		err = json.Unmarshal(body, &list)
	}
	if err != nil {
		return nil, fmt.Errorf("httpapi: validity: body: want a JSON list of {\"asn\", \"prefix\"}: %v", err)
	}
	if len(list) == 0 || len(list) > MaxBulkRoutes {
		return nil, fmt.Errorf("httpapi: validity: %d routes, want 1..%d", len(list), MaxBulkRoutes)
	}
	out := make([]parsedRoute, len(list))
	for i, br := range list {
		if out[i], err = br.parse(); err != nil {
			return nil, fmt.Errorf("httpapi: validity: routes[%d]: %w", i, err)
		}
	}
	return out, nil
}

func (b bulkRoute) parse() (parsedRoute, error) {
	s := strings.Trim(string(b.ASN), `"`)
	asn, err := parseASN(s)
	if err != nil {
		return parsedRoute{}, err
	}
	p, err := parseRoutePrefix(b.Prefix)
	return parsedRoute{asn, p}, err
}

// parseASN reads "AS65000", "as65000" or "65000" (RFC 6793: 32 bits).
func parseASN(s string) (uint32, error) {
	d := s
	if len(d) > 2 && strings.EqualFold(d[:2], "AS") {
		d = d[2:]
	}
	n, err := strconv.ParseUint(d, 10, 32)
	if err != nil || d == "" || d[0] == '+' {
		return 0, fmt.Errorf("asn %q: want AS<number> with a 32-bit number (RFC 6793)", s)
	}
	return uint32(n), nil
}

// parseRoutePrefix reads a route prefix. Host bits must be zero: BGP
// carries no such prefix, and masking it silently would answer for a
// different route than the one asked about.
func parseRoutePrefix(s string) (netip.Prefix, error) {
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("prefix %q: %v", s, err)
	}
	if p.Masked() != p {
		return netip.Prefix{}, fmt.Errorf("prefix %q: host bits set (want %v)", s, p.Masked())
	}
	return p, nil
}

// generated is the time the served data was last changed, as Routinator
// writes generatedTime.
func generated(st *state.State) string {
	return st.Changed.UTC().Format(time.RFC3339)
}
