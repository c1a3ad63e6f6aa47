package httpapi

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// aspaDraft names the procedure revision in every answer.
const aspaDraft = "draft-ietf-sidrops-aspa-verification-17"

// ASPARequest is a path to verify. Path is in BGP order (neighbor first,
// origin last); an element "{AS1 AS2}" is an AS_SET. Direction is
// "upstream" (route from a customer, lateral peer or route server client)
// or "downstream" (route from a provider). Neighbor, if set, must be the
// first AS of the path.
type ASPARequest struct {
	Path      []string `json:"path"`
	Direction string   `json:"direction"`
	Neighbor  string   `json:"neighbor,omitempty"`
}

// ASPAHop is the hop check of two adjacent ASes of the collapsed path, in
// both directions: Up is authorized(customer, provider) for the route
// going up from the origin, Down is authorized(provider, customer).
type ASPAHop struct {
	Customer string `json:"customer"`
	Provider string `json:"provider"`
	Up       string `json:"up"`
	Down     string `json:"down"`
}

// ASPAAnswer is the outcome of a path check.
type ASPAAnswer struct {
	Path      []string  `json:"path"`
	Direction string    `json:"direction"`
	State     string    `json:"state"`
	Reason    string    `json:"reason,omitempty"`
	Hops      []ASPAHop `json:"hops"`
	MaxUpRamp int       `json:"max_up_ramp"`
	MinUpRamp int       `json:"min_up_ramp"`
	// The down-ramps are reported for downstream checks only.
	MaxDownRamp   int    `json:"max_down_ramp,omitempty"`
	MinDownRamp   int    `json:"min_down_ramp,omitempty"`
	Procedure     string `json:"procedure"`
	GeneratedTime string `json:"generatedTime"`
}

// aspaGet answers /api/v1/aspa?path=AS3,AS2,AS1&direction=upstream.
func (a *api) aspaGet(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	req := ASPARequest{Direction: q.Get("direction"), Neighbor: q.Get("neighbor")}
	if p := q.Get("path"); p != "" {
		req.Path = splitPath(p)
	}
	a.aspaAnswer(w, req)
}

// aspaPost answers a JSON ASPARequest.
func (a *api) aspaPost(w http.ResponseWriter, r *http.Request) {
	var req ASPARequest
	body, err := readBody(w, r)
	if err == nil {
		err = json.Unmarshal(body, &req)
	}
	if err != nil {
		writeError(w, bodyErrorCode(err), "httpapi: aspa: body: "+err.Error())
		return
	}
	a.aspaAnswer(w, req)
}

func (a *api) aspaAnswer(w http.ResponseWriter, req ASPARequest) {
	path, hasSet, err := parsePath(req.Path)
	if err == nil && req.Direction != "upstream" && req.Direction != "downstream" {
		err = fmt.Errorf("httpapi: aspa: direction %q: want upstream or downstream", req.Direction)
	}
	var neighbor uint32
	if err == nil && req.Neighbor != "" {
		neighbor, err = parseASN(req.Neighbor)
	}
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	st, v := a.current(w)
	if v == nil {
		return
	}
	ans := v.aspaIndex(st.Table).check(path, hasSet, req.Direction, req.Neighbor != "", neighbor)
	ans.Path, ans.GeneratedTime = req.Path, generated(st)
	writeJSON(w, http.StatusOK, ans)
}

// check runs the procedure on a BGP-order path and explains the outcome.
// The preliminary steps come first: an empty path or an AS_SET is invalid,
// and so is a path not starting with the neighbor when one is given.
func (ix aspaIndex) check(bgp []uint32, hasSet bool, dir string, checkNeighbor bool, neighbor uint32) ASPAAnswer {
	ans := ASPAAnswer{Direction: dir, Procedure: aspaDraft, Hops: []ASPAHop{}}
	switch {
	case len(bgp) == 0 && !hasSet:
		ans.State, ans.Reason = ASPAInvalid, "empty AS_PATH"
		return ans
	case hasSet:
		ans.State, ans.Reason = ASPAInvalid, "AS_PATH contains an AS_SET"
		return ans
	case checkNeighbor && bgp[0] != neighbor:
		ans.State, ans.Reason = ASPAInvalid, fmt.Sprintf("first AS AS%d is not the neighbor AS%d", bgp[0], neighbor)
		return ans
	}
	as := collapse(originFirst(bgp))
	r := ix.computeRamps(as)
	ans.MaxUpRamp, ans.MinUpRamp = r.maxUp, r.minUp
	if dir == "downstream" {
		ans.State = ix.verifyDownstream(as)
		ans.MaxDownRamp, ans.MinDownRamp = r.maxDown, r.minDown
	} else {
		ans.State = ix.verifyUpstream(as)
	}
	for i := 0; i+1 < len(as); i++ {
		ans.Hops = append(ans.Hops, ASPAHop{Customer: asString(as[i]), Provider: asString(as[i+1]),
			Up: ix.hop(as[i], as[i+1]), Down: ix.hop(as[i+1], as[i])})
	}
	return ans
}

// splitPath splits "AS3,AS2,{AS5 AS6},AS1" at the commas outside braces.
func splitPath(s string) []string {
	var out []string
	depth, start := 0, 0
	for i, c := range s {
		switch c {
		case '{':
			depth++
		case '}':
			depth--
		case ',':
			if depth == 0 {
				out = append(out, s[start:i])
				start = i + 1
			}
		}
	}
	return append(out, s[start:])
}

// parsePath reads the elements of a path; it reports an AS_SET ("{...}")
// rather than failing on it, since the procedure answers invalid for it.
func parsePath(elems []string) (path []uint32, hasSet bool, err error) {
	if len(elems) > MaxASPAPathLen {
		return nil, false, fmt.Errorf("httpapi: aspa: path of %d ASes, want at most %d", len(elems), MaxASPAPathLen)
	}
	for i, e := range elems {
		e = strings.TrimSpace(e)
		if strings.HasPrefix(e, "{") && strings.HasSuffix(e, "}") {
			hasSet = true
			continue
		}
		n, err := parseASN(e)
		if err != nil {
			return nil, false, fmt.Errorf("httpapi: aspa: path[%d]: %w", i, err)
		}
		path = append(path, n)
	}
	return path, hasSet, nil
}

func asString(n uint32) string { return "AS" + strconv.FormatUint(uint64(n), 10) }
