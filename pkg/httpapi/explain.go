package httpapi

import (
	"cmp"
	"fmt"
	"net/http"
	"net/netip"
	"slices"
	"time"

	"github.com/openrpki/validator/pkg/payload"
)

// GET /api/v1/explain/{asn}/{prefix}: the route's validity, as
// /api/v1/validity answers it, and for every VRP that matches or covers
// it the chain of signed objects that produced it: the ROA, the manifest
// that listed it, its EE certificate's validity and each CA certificate
// up to the trust anchor with its validity. The ASPA records of the
// origin AS (and, with ?path=, of every AS of the path, checked as
// /api/v1/aspa does) come with theirs.
//
// Everything comes from the served table's provenance (payload.Sources),
// already in memory: a request reads no file and allocates in proportion
// to its answer. The EE certificate is the one the ROA carries, so its
// URI is the ROA's; manifest numbers and hashes would cost a read of the
// point from the cache and are not given.

// ExplainAnswer is the body of /api/v1/explain.
type ExplainAnswer struct {
	ValidatedRoute ValidatedRoute `json:"validated_route"`
	// VRPs are the matching and covering VRPs, each once per trust
	// anchor, in table order.
	VRPs []ExplainedVRP `json:"vrps"`
	// ASPAs are the ASPA records of the origin AS and the path's ASes.
	ASPAs []ExplainedASPA `json:"aspas"`
	// ASPACheck is the path check, when ?path= was given.
	ASPACheck *ASPAAnswer `json:"aspa_check,omitempty"`
	// Note says why sources are missing: a table read back from the
	// cache at start holds no provenance until the first run ends.
	Note          string `json:"note,omitempty"`
	GeneratedTime string `json:"generatedTime"`
}

// ExplainedVRP is a VRP with what it does to the route and its origin.
type ExplainedVRP struct {
	RouteVRP
	// Effect is "matched", "unmatched_as" or "unmatched_length" (the
	// lists of the validity answer).
	Effect string `json:"effect"`
	TA     string `json:"ta"`
	// Expires is the earliest expiry on its chain (notAfter and CRL
	// nextUpdate from the TA down to the ROA).
	Expires time.Time `json:"expires,omitzero"`
	// Source is the ROA and its chain; nil for a local assertion (SLURM)
	// or when the table holds no provenance.
	Source *ObjectChain `json:"source,omitempty"`
	// Local is set for a SLURM assertion.
	Local bool `json:"local_assertion,omitempty"`
}

// ExplainedASPA is an ASPA record with its origin.
type ExplainedASPA struct {
	Customer  string       `json:"customer"`
	Providers []string     `json:"providers"`
	TA        string       `json:"ta"`
	Expires   time.Time    `json:"expires,omitzero"`
	Source    *ObjectChain `json:"source,omitempty"`
	Local     bool         `json:"local_assertion,omitempty"`
}

// ObjectChain is a signed object and the certificates above it.
type ObjectChain struct {
	// URI is the signed object's; its EE certificate is inside it.
	URI string `json:"uri"`
	// Manifest is the manifest of the issuing CA, which listed it.
	Manifest string `json:"manifest"`
	// EE is the validity of the object's EE certificate.
	EE Window `json:"ee"`
	// ChainValidity is when the EE certificate and every CA above it are
	// all valid.
	ChainValidity Window `json:"chain_validity"`
	// Chain is the issuing CA first, the trust anchor last.
	Chain []ChainCert `json:"chain"`
}

// ChainCert is one CA certificate of a chain.
type ChainCert struct {
	// URI is where the certificate was found (for a trust anchor, where
	// it was fetched, or "cache").
	URI        string `json:"uri"`
	Repository string `json:"repository"`
	Manifest   string `json:"manifest"`
	Window
	TrustAnchor bool `json:"trust_anchor,omitempty"`
}

// Window is a validity period.
type Window struct {
	NotBefore time.Time `json:"not_before"`
	NotAfter  time.Time `json:"not_after"`
}

// explain answers /api/v1/explain/{asn}/{prefix}[?path=AS3,AS2,AS1&direction=upstream].
func (a *api) explain(w http.ResponseWriter, r *http.Request) {
	asn, p, err := routeOf(r)
	if err == nil {
		err = onlyParams(r, "path", "direction")
	}
	if err != nil {
		writeError(w, http.StatusBadRequest, "httpapi: explain: "+err.Error())
		return
	}
	path, err := explainPath(r)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	st, v := a.current(w)
	if v == nil {
		return
	}
	ans := ExplainAnswer{ValidatedRoute: v.vrpIndex(st).validate(asn, p), GeneratedTime: generated(st)}
	t := st.Table
	ans.VRPs = explainVRPs(t, coveringInfos(t, p), asn, p)
	ases := []uint32{asn}
	if path != nil {
		check := v.aspaIndex(st.Table).check(path.path, path.hasSet, path.direction, false, 0)
		check.Path, check.GeneratedTime = path.elems, ans.GeneratedTime
		ans.ASPACheck = &check
		ases = append(ases, path.path...)
	}
	ans.ASPAs = explainASPAs(t, ases)
	if t.Sources == nil {
		ans.Note = "the served table was read back from the cache at start and holds no sources: the first validation run fills them"
	}
	writeJSON(w, http.StatusOK, ans)
}

// explainRoute is a path to check, parsed from ?path= and ?direction=.
type explainRoute struct {
	elems     []string
	path      []uint32
	hasSet    bool
	direction string
}

// explainPath reads the optional path check of an explain request.
func explainPath(r *http.Request) (*explainRoute, error) {
	q := r.URL.Query()
	if q.Get("path") == "" {
		return nil, nil
	}
	er := &explainRoute{elems: splitPath(q.Get("path")), direction: q.Get("direction")}
	if er.direction == "" {
		er.direction = "upstream"
	}
	var err error
	if er.path, er.hasSet, err = parsePath(er.elems); err != nil {
		return nil, err
	}
	if er.direction != "upstream" && er.direction != "downstream" {
		return nil, fmt.Errorf("httpapi: explain: %w", &paramError{"direction", er.direction, "upstream or downstream"})
	}
	return er, nil
}

// coveringInfos returns the table's VRPs (with provenance) whose prefix
// covers p: for each prefix length up to p's, a binary search in the
// table, which is sorted by payload.CompareVRP first.
func coveringInfos(t *payload.Table, p netip.Prefix) []payload.VRPInfo {
	var out []payload.VRPInfo
	for l := 0; l <= p.Bits(); l++ {
		probe, err := payload.NewVRP(netip.PrefixFrom(p.Addr(), l).Masked(), 0, 0)
		if err != nil {
			continue
		}
		i, _ := slices.BinarySearchFunc(t.VRPs, probe, func(v payload.VRPInfo, x payload.VRP) int {
			return payload.CompareVRP(v.VRP, x)
		})
		for ; i < len(t.VRPs) && samePrefix(t.VRPs[i].VRP, probe); i++ {
			out = append(out, t.VRPs[i])
		}
	}
	return out
}

// explainVRPs explains each covering VRP of the route (origin, p).
func explainVRPs(t *payload.Table, infos []payload.VRPInfo, origin uint32, p netip.Prefix) []ExplainedVRP {
	out := make([]ExplainedVRP, 0, len(infos))
	for _, v := range infos {
		e := ExplainedVRP{RouteVRP: routeVRP(v.VRP), Effect: "matched", TA: t.TAName(v.TA)}
		switch {
		case v.ASN != origin || v.ASN == 0:
			e.Effect = "unmatched_as"
		case p.Bits() > int(v.MaxLen):
			e.Effect = "unmatched_length"
		}
		e.Expires, e.Source, e.Local = provenance(t, v.Info)
		out = append(out, e)
	}
	return out
}

// explainASPAs explains the ASPA records of the given customers, each
// customer once.
func explainASPAs(t *payload.Table, customers []uint32) []ExplainedASPA {
	out := []ExplainedASPA{}
	done := map[uint32]bool{}
	for _, c := range customers {
		if done[c] {
			continue
		}
		done[c] = true
		i, _ := slices.BinarySearchFunc(t.ASPAs, c, func(a payload.ASPAInfo, c uint32) int {
			return cmp.Compare(a.Customer, c)
		})
		for ; i < len(t.ASPAs) && t.ASPAs[i].Customer == c; i++ {
			a := t.ASPAs[i]
			e := ExplainedASPA{Customer: asString(a.Customer), Providers: make([]string, len(a.Providers)), TA: t.TAName(a.TA)}
			for k, p := range a.Providers {
				e.Providers[k] = asString(p)
			}
			e.Expires, e.Source, e.Local = provenance(t, a.Info)
			out = append(out, e)
		}
	}
	return out
}

// provenance returns an item's chain expiry and its signed object with
// the chain above it; local is set for an item of no object in a table
// that has sources (a SLURM assertion).
func provenance(t *payload.Table, i payload.Info) (expires time.Time, src *ObjectChain, local bool) {
	if i.Expires != 0 {
		expires = i.Expires.Time().UTC()
	}
	o, ok := t.Sources.Object(i)
	if !ok {
		return expires, nil, t.Sources != nil && i.Object == 0
	}
	chain := t.Sources.Chain(o.CA)
	nb, na := t.Sources.ChainValidity(o)
	src = &ObjectChain{URI: t.Sources.ObjectURI(o), EE: window(o.NotBefore, o.NotAfter),
		ChainValidity: window(nb, na), Chain: make([]ChainCert, len(chain))}
	if len(chain) > 0 {
		src.Manifest = chain[0].Manifest
	}
	for k, c := range chain {
		src.Chain[k] = ChainCert{URI: c.URI, Repository: c.Repository, Manifest: c.Manifest,
			Window: window(c.NotBefore, c.NotAfter), TrustAnchor: c.Parent < 0}
	}
	return expires, src, false
}

func window(nb, na payload.Expiry) Window {
	return Window{NotBefore: nb.Time().UTC(), NotAfter: na.Time().UTC()}
}
