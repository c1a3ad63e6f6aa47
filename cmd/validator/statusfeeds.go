package main

import (
	"github.com/openrpki/validator/pkg/httpapi"
	"github.com/openrpki/validator/pkg/rtr"
	"github.com/openrpki/validator/pkg/validate"
)

// runProgress adapts the progress of the validation run (that of the
// engine in use: a reload may replace it) to what the status page reads.
func runProgress(progress func() validate.Progress) func() httpapi.RunProgress {
	return func() httpapi.RunProgress {
		p := progress()
		return httpapi.RunProgress{Running: p.Running, Quick: p.Quick, Start: p.Start, CAs: p.CAs, Points: p.Points, Objects: p.Objects}
	}
}

// rtrSessions adapts the RTR server's session list to what the status
// page reads.
func rtrSessions(s *rtr.Server) func() []httpapi.SessionStatus {
	return func() []httpapi.SessionStatus {
		list := s.Sessions()
		out := make([]httpapi.SessionStatus, len(list))
		for i, x := range list {
			out[i] = httpapi.SessionStatus{Peer: x.Remote, Negotiated: x.Negotiated, Version: x.Version, Synced: x.Synced,
				Serial: x.Serial, ConnectedSince: x.Since, LastQuery: x.LastQuery, BytesSent: x.BytesSent}
		}
		return out
	}
}
