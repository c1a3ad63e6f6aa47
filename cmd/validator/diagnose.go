package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/openrpki/validator/pkg/fetch"
	"github.com/openrpki/validator/pkg/report"
)

// The causes of an empty trust anchor, recognised in the report's texts
// (the report holds strings: it crosses from the engine to every reader).
const (
	keyMismatch = "TA certificate key differs from the TAL's"
)

// emptyTAs explains each trust anchor of the run that produced nothing
// (no VRP, ASPA or router key): one error per trust anchor, naming the
// cause and what would change it. validator vrps exits non-zero on any.
func emptyTAs(rep *report.Run) error {
	if rep == nil {
		return nil
	}
	var errs []error
	for _, ta := range rep.TAs {
		if ta.VRPs+ta.ASPAs+ta.RouterKeys > 0 {
			continue
		}
		errs = append(errs, fmt.Errorf("trust anchor %s produced nothing: %s", ta.Name, taCause(ta, rep.Points)))
	}
	return errors.Join(errs...)
}

// taCause says why a trust anchor produced nothing: its certificate
// (refused, not the TAL's key, not fetched), or its publication points.
func taCause(ta report.TA, points []report.Point) string {
	if ta.Error != "" {
		switch {
		case strings.Contains(ta.Error, fetch.ErrDubious.Error()):
			return "its certificate's URIs were refused as dubious hosts (localhost, an IP literal or an explicit port): " +
				"--allow-dubious-hosts (fetch.allow_dubious_hosts) allows them, for a lab (" + firstLine(ta.Error) + ")"
		case strings.Contains(ta.Error, keyMismatch):
			return "the certificate fetched does not carry the TAL's key (RFC 8630 §3): the TAL is outdated or the server is wrong (" +
				firstLine(ta.Error) + ")"
		case strings.Contains(ta.Error, fetch.ErrOffline.Error()):
			return "--offline, and the cache holds no certificate accepted before"
		}
		return "its certificate could not be fetched: " + strings.ReplaceAll(ta.Error, "\n", "; ")
	}
	var failed int
	var first string
	for _, p := range points {
		if p.TA != ta.Name || p.Outcome != report.Failed {
			continue
		}
		failed++
		if strings.Contains(p.Reason, fetch.ErrDubious.Error()) {
			return "its repositories were refused as dubious hosts (localhost, an IP literal or an explicit port): " +
				"--allow-dubious-hosts (fetch.allow_dubious_hosts) allows them, for a lab (" + firstLine(p.Reason) + ")"
		}
		if first == "" {
			first = p.URI + ": " + firstLine(p.Reason)
		}
	}
	if failed > 0 {
		return fmt.Sprintf("%d of its %d publication points failed (first: %s)", failed, ta.Points, first)
	}
	return fmt.Sprintf("it validated (%d CAs, %d publication points) but publishes no VRP, ASPA or router key", ta.CAs, ta.Points)
}

// firstLine is the first line of a (joined) error text.
func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// writeRejections writes what a run rejected to path, atomically, in the
// form of GET /api/v1/rejected; first seen is the run's end.
func writeRejections(path string, rep *report.Run) error {
	report.NewTracker().Observe(rep, nil)
	return writeAtomically(path, rep.Rejections(report.Filter{}).WriteJSON)
}
