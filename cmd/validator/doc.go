// Command validator is an RPKI relying party: it fetches and validates the
// RPKI and serves the result to routers over RTR.
//
// The flow of `validator run`, each arrow one interface:
//
//	TAL (pkg/tal)
//	  → fetch (pkg/fetch: repositories and TA certificates, with deadlines,
//	    caps, backoff and the repositories' health; it implements the
//	    engine's validate.Source)
//	  → cache (pkg/cache: the fetched and the validated copies)
//	  → validate (pkg/validate: Engine.Run → payload.Table with provenance,
//	    and report.Run)
//	  → payload state (pkg/state: one State behind one atomic pointer —
//	    table after SLURM, RTR serial and deltas, report, repository health,
//	    freshness — published by the daemon's loop alone)
//	  → rtr (state.RTR), httpapi (Options.State) and metrics (Watch), which
//	    all read that one State.
//
// Around each run the daemon's runNews (news.go) stamps the report with
// when each problem was first seen (report.Tracker) and logs what changed:
// a WARN line per new problem, an INFO line per full run, a summary while
// trouble lasts, the progress of a long run.
//
// `validator rtr` serves the same State, published from a payload file or
// URL instead of the engine. Both run on one lifecycle (lifecycle.go): the
// listeners, the loop and the wait for a signal are actors of one group.
// This package wires the components together, so it may import any of
// them.
//
// May import: everything below (any package of the module, the module's
// dependencies and the standard library).
package main
