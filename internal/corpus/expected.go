package corpus

import (
	"path/filepath"
	"strings"
)

// Verdict is accept or reject.
type Verdict string

// Verdicts. Gray and n/a cases of EXPECTED.tsv have no Verdict ("").
const (
	Accept Verdict = "accept"
	Reject Verdict = "reject"
)

// Expectation is one row of EXPECTED.tsv.
type Expectation struct {
	File     string  // path relative to the corpus directory
	Expected string  // the raw expectation: accept, reject, support, gray..., n/a
	Want     Verdict // Accept or Reject when the expectation is one of them
	Source   string  // where the expectation comes from
	Note     string
	// What rpki-client 8.2 decided: parse-only pass, BBN chain pass and
	// RIPE 2023 chain pass ("accept", "reject (reason)", "not-run", "-").
	RPKIClientParse, RPKIClientChainBBN, RPKIClientChainRIPE string
}

// ReadExpected reads EXPECTED.tsv from the corpus directory.
func ReadExpected(dir string) ([]Expectation, error) {
	rows, err := readTSV(filepath.Join(dir, "EXPECTED.tsv"))
	if err != nil {
		return nil, err
	}
	out := make([]Expectation, 0, len(rows))
	for _, r := range rows {
		e := Expectation{
			File: r["file"], Expected: r["expected"], Source: r["expectation_source"], Note: r["note"],
			RPKIClientParse:     r["rpki_client_parse"],
			RPKIClientChainBBN:  r["rpki_client_chain-bbn"],
			RPKIClientChainRIPE: r["rpki_client_chain-ripe2023"],
		}
		e.Want = wantOf(e.Expected)
		out = append(out, e)
	}
	return out, nil
}

// wantOf maps an EXPECTED.tsv expectation to a Verdict. "reject (RFC 8630)
// / accept (RIPE extended TAL)" is a reject: we read TALs by RFC 8630 only,
// as rpki-client does.
func wantOf(expected string) Verdict {
	switch {
	case expected == "accept":
		return Accept
	case expected == "reject", strings.HasPrefix(expected, "reject (RFC 8630)"):
		return Reject
	}
	return ""
}

// RPKIClient returns rpki-client 8.2's verdict on e, from the pass that
// checked it with its issuer where there was one (BBN and RIPE 2023 chain
// runs), else from the parse-only pass; "" when rpki-client did not run.
func (e *Expectation) RPKIClient() (Verdict, string) {
	for _, s := range []string{e.RPKIClientChainBBN, e.RPKIClientChainRIPE, e.RPKIClientParse} {
		switch {
		case s == "accept":
			return Accept, s
		case strings.HasPrefix(s, "reject"):
			return Reject, s
		}
	}
	return "", ""
}

// IsBBN tells whether the file is part of the BBN conformance suite.
func (e *Expectation) IsBBN() bool {
	return strings.HasPrefix(e.File, BBNDir+"/")
}

// IsRIPE2023 tells whether the file was chain-checked in the RIPE 2023 run.
func (e *Expectation) IsRIPE2023() bool {
	return e.RPKIClientChainRIPE != "" && e.RPKIClientChainRIPE != "-"
}
