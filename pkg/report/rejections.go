package report

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"
)

// PointType is the type under which Rejections lists publication points,
// so one ?type= filter selects objects or points.
const PointType = "publication-point"

// Rejections is every rejected object and every publication point whose
// fetched copy was not used in one run: what GET /api/v1/rejected answers
// and `validator vrps --report` writes, in one JSON form (WriteJSON).
type Rejections struct {
	// RunEnd is when the run ended; zero when there was none yet.
	RunEnd time.Time `json:"run_end,omitzero"`
	// Objects and Points are sorted by URI (Run.Sort).
	Objects []Object       `json:"objects"`
	Points  []PointProblem `json:"publication_points"`
}

// PointProblem is a publication point that was cached or failed.
type PointProblem struct {
	Point
	// Served is true when the point's last validated copy is served in
	// place of the fetched one (RFC 9286 §6.6), until Until.
	Served bool `json:"served"`
}

// Filter selects entries of Rejections; an empty field selects all.
type Filter struct {
	// TA is a trust anchor name.
	TA string
	// Type is an object type ("roa", "cer", ...) or PointType.
	Type string
	// Reason is an error class ("signature", "stale", ...), a point
	// outcome ("cached", "failed"), or else a case-insensitive part of
	// the reason text.
	Reason string
}

// Rejections lists what the run rejected that f selects (r may be nil:
// an empty list).
func (r *Run) Rejections(f Filter) Rejections {
	out := Rejections{Objects: []Object{}, Points: []PointProblem{}}
	if r == nil {
		return out
	}
	out.RunEnd = r.End
	for _, o := range r.Rejected {
		if f.selects(o.TA, o.Type, o.Class, o.Reason) {
			out.Objects = append(out.Objects, o)
		}
	}
	for _, p := range r.Points {
		if p.Outcome != Fresh && f.selects(p.TA, PointType, p.Outcome, p.Reason) {
			out.Points = append(out.Points, PointProblem{Point: p, Served: p.Outcome == Cached})
		}
	}
	return out
}

// selects reports whether an entry passes the filter.
func (f Filter) selects(ta, typ, class, reason string) bool {
	switch {
	case f.TA != "" && f.TA != ta:
		return false
	case f.Type != "" && f.Type != typ:
		return false
	case f.Reason == "" || f.Reason == class:
		return true
	}
	return strings.Contains(strings.ToLower(reason), strings.ToLower(f.Reason))
}

// WriteJSON writes the list as indented JSON followed by a newline.
func (l Rejections) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(l)
}

// ReadRejections reads what WriteJSON wrote, at most MaxRejectionsBytes.
func ReadRejections(r io.Reader) (Rejections, error) {
	var l Rejections
	dec := json.NewDecoder(io.LimitReader(r, MaxRejectionsBytes+1))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&l); err != nil {
		return Rejections{}, fmt.Errorf("report: rejections: %w", err)
	}
	if dec.InputOffset() > MaxRejectionsBytes {
		return Rejections{}, fmt.Errorf("report: rejections: more than %d bytes", MaxRejectionsBytes)
	}
	return l, nil
}
