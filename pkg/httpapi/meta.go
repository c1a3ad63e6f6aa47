package httpapi

import (
	"github.com/openrpki/validator/pkg/output"
	"github.com/openrpki/validator/pkg/report"
)

// OutputMeta describes a run for the output formats that print it
// (Routinator's summary, rpki-client's metadata): its times, its trust
// anchors with what they yielded, its object counts, and the number of
// repositories fetched. rep
// may be nil (a table read back from a file): the counts are then zero.
// rpki-client counts a trust anchor's certificate location as a
// repository, and so does the count here (transport "https").
// `validator vrps` uses it too.
func OutputMeta(rep *report.Run, repos []report.Repository) output.Meta {
	m := output.Meta{Repositories: len(repos)}
	if rep == nil {
		return m
	}
	m.Start, m.End, m.Objects, m.Points = rep.Start, rep.End, rep.Objects, rep.PointCounts()
	for _, t := range rep.TAs {
		m.TAs = append(m.TAs, output.TAMeta{Name: t.Name, Failed: t.Error != "", VRPs: t.VRPs, ASPAs: t.ASPAs, RouterKeys: t.RouterKeys})
	}
	return m
}
