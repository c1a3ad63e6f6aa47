package corpus

import (
	"path"
	"strings"
)

// rule assigns a reason to a difference; the first rule that matches
// wins. The rules are used only by -update to regenerate the Known table:
// a difference that no rule matches is "unclassified" and -update fails.
type rule struct {
	id    string
	match func(k Key, e *Expectation, detail string) bool
}

// base is the file name of a corpus path.
func base(f string) string { return path.Base(f) }

// ourReject and ourAccept read the "..., ours reject: ..." detail.
func ourReject(d string) bool { return strings.Contains(d, "ours reject") }
func ourAccept(d string) bool { return strings.Contains(d, "ours accept") }

var rules = []rule{
	{"tal-name", func(k Key, e *Expectation, d string) bool {
		return k.Kind == KindFields && strings.HasPrefix(d, "name:") && strings.HasSuffix(k.File, ".tal.disabled")
	}},
	{"aspa-profile", func(k Key, e *Expectation, d string) bool {
		b := base(k.File)
		return strings.HasSuffix(b, ".asa") && (strings.Contains(b, "profile-13") && k.Kind == KindRPKIClient ||
			strings.Contains(b, "GOOD-profile-15") && k.Kind == KindRPKIClient && ourAccept(d) ||
			b == "AS204325.asa" && ourAccept(d) || b == "aspa.1.asa")
	}},
	{"not-cms", func(k Key, e *Expectation, d string) bool {
		return base(k.File) == "AS203635.asa" && k.Kind == KindExpected
	}},
	{"ber", func(k Key, e *Expectation, d string) bool {
		return ourReject(d) && strings.Contains(d, "not a DER")
	}},
	{"cn-printable", func(k Key, e *Expectation, d string) bool {
		b := base(k.File)
		return ourReject(d) && strings.Contains(d, "attribute 2.5.4.3 is not a PrintableString") ||
			k.Kind == KindExpected && ourAccept(d) &&
				(b == "badCertSubjectUtf.cer" || b == "badCertIssuerUtf.cer" || b == "badCRLIssuerUTF.crl")
	}},
	{"spl", func(k Key, e *Expectation, d string) bool {
		return strings.HasSuffix(k.File, ".spl") && k.Kind == KindRPKIClient && ourAccept(d)
	}},
	{"roa-ee-as", func(k Key, e *Expectation, d string) bool {
		return e.IsBBN() && k.Kind == KindExpected && ourReject(d) && strings.Contains(d, "AS resources")
	}},
	{"aia-one", func(k Key, e *Expectation, d string) bool {
		return strings.HasPrefix(base(k.File), "goodCertAIA2AccessDesc") && k.Kind == KindExpected
	}},
	{"crldp-one", func(k Key, e *Expectation, d string) bool {
		return base(k.File) == "goodCertCRLDP2DistPt.cer" && k.Kind == KindExpected
	}},
	{"sia-nonuri", func(k Key, e *Expectation, d string) bool {
		return strings.Contains(base(k.File), "HasNonURI") && k.Kind == KindExpected
	}},
	{"aia-not-rsync", func(k Key, e *Expectation, d string) bool {
		return strings.Contains(k.File, "/bandito.ripe.net/") && k.Kind == KindExpected
	}},
	{"unknown-critical", func(k Key, e *Expectation, d string) bool {
		return base(k.File) == "extra_extensions.cer" && ourReject(d) && strings.Contains(d, "critical")
	}},
	{"aki-eq-ski", func(k Key, e *Expectation, d string) bool {
		return base(k.File) == "GOOD-profile-15-rpki-commons-propertytest-sample.asa" && strings.Contains(d, "AKI equals SKI")
	}},
	{"rpki-client-file-mode", func(k Key, e *Expectation, d string) bool {
		return k.Kind == KindRPKIClient && ourAccept(d) && strings.Contains(d, "unable to get local issuer certificate")
	}},
	{"rpki-client-accepts-bad", func(k Key, e *Expectation, d string) bool {
		return k.Kind == KindRPKIClient && e.IsBBN() && e.Want == Reject && ourReject(d)
	}},
	{"rpki-client-sia-http", func(k Key, e *Expectation, d string) bool {
		return k.Kind == KindRPKIClient && ourAccept(d) && strings.Contains(d, "bad location") &&
			strings.HasPrefix(base(k.File), "goodCertSIA")
	}},
	{"rpki-client-no-chain", func(k Key, e *Expectation, d string) bool {
		return k.Kind == KindRPKIClient && base(k.File) == "goodRealGbrNothingIsWrong.gbr" && ourAccept(d)
	}},
}

// classify returns the reason id for one difference, or "" when no rule
// matches.
func classify(k Key, e *Expectation, detail string) string {
	for _, r := range rules {
		if r.match(k, e, detail) {
			return r.id
		}
	}
	return ""
}
