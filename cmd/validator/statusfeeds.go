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
// page reads. The server's list (rtr.Server.Sessions returning
// []rtr.SessionInfo{Remote, Negotiated, Version, Synced, Serial, Since,
// LastQuery, BytesSent}) is being added on another branch; until it is
// merged the page shows no session.
func rtrSessions(s *rtr.Server) func() []httpapi.SessionStatus {
	_ = s
	return func() []httpapi.SessionStatus { return nil }
}
