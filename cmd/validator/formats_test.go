package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/openrpki/validator/internal/peers"
	"github.com/openrpki/validator/pkg/config"
	"github.com/openrpki/validator/pkg/httpapi"
	"github.com/openrpki/validator/pkg/lab"
	"github.com/openrpki/validator/pkg/output"
	"go.uber.org/zap"
)

// rpkiClientFiles are rpki-client's output files and our formats for them.
var rpkiClientFiles = map[string]string{
	"json":     "rpki-client",
	"csv":      "rpki-client-csv",
	"openbgpd": "rpki-client-openbgpd",
	"bird":     "rpki-client-bird",
	"bird1v4":  "rpki-client-bird1v4",
	"bird1v6":  "rpki-client-bird1v6",
}

// runSpecific are the parts of rpki-client's output that describe the run
// rather than the repository, and so differ by nature: times, and
// counters this validator does not keep (user and system time, cache
// cleanup). ASPA counters differ too: rpki-client 8.2 reads only the
// older ASPA profile and rejects the lab's current ASPA objects ("failed
// parse"), so the ASPA records are left out of the comparison as well.
var runSpecific = regexp.MustCompile(`(?m)^(\t\t"(buildtime|elapsedtime|usertime|systemtime|aspas|failedaspas|invalidaspas|vaps|uniquevaps|cachedir_[a-z_]+)": .*|# Generated on host .*|# Processing time .*|define force_roa_table_update = .*)$`)

// objectCounters are rpki-client's counts of rejected objects: with
// faults injected, the two validators class some rejections differently
// (a ROA whose EE certificate is bad is "failed parse" there, "invalid"
// here) and count differently what they never reach.
var objectCounters = regexp.MustCompile(`(?m)^(\t\t"(roas|failedroas|invalidroas|certificates|invalidcertificates|manifests|failedmanifests|stalemanifests|crls|vrps)": .*|# (Route Origin Authorizations|Certificates|Manifests|Certificate revocation lists|VRP Entries): .*)$`)

// expiry is a payload item's expiry in rpki-client's JSON, CSV and
// OpenBGPD formats. rpki-client 8.2 bounds it by the issuing CA's CRL and
// the notAfter of every certificate up to the TA; later rpki-client
// (x509_find_expires) and this validator by every CRL up to the TA as
// well, as a stale CRL anywhere on the chain drops the item. The lab's
// CAs keep staggered schedules, so the two differ where a parent's CRL
// expires first: ours is compared apart, and is never later than 8.2's.
var expiry = regexp.MustCompile(`(?m)("expires": |,|expires )(\d{9,})( },?)?$`)

// TestRPKIClientFormatsOnLab validates a served lab with our engine and
// with Debian's rpki-client 8.2 (-j -c -o -B), and compares each of its
// files with our format of the same name byte for byte, apart from
// runSpecific and the expiries (see expiry): first a lab without faults,
// then one with every fault injected (the object counters aside).
func TestRPKIClientFormatsOnLab(t *testing.T) {
	t.Run("clean", func(t *testing.T) { compareRPKIClient(t, nil, nil) })
	t.Run("faults", func(t *testing.T) { compareRPKIClient(t, []string{"all"}, objectCounters) })
}

// compareRPKIClient runs both validators on a lab with the given faults.
func compareRPKIClient(t *testing.T, faults []string, alsoSkip *regexp.Regexp) {
	l := launchLab(t, lab.Config{Seed: 41, NoIPInherit: true, Faults: faults})
	out := filepath.Join(t.TempDir(), "rpki-client")
	if err := os.Mkdir(out, 0o777); err != nil {
		t.Fatal(err)
	}
	rc := &peers.RPKIClient{CAFile: l.CAFile(), Out: out}
	if _, err := rc.Run(context.Background(), l.TALFiles(), "-c", "-o", "-B"); err != nil {
		t.Fatal(err)
	}
	cfg := config.Default()
	cfg.TALDir, cfg.Cache, cfg.Fetch.CACert, cfg.Fetch.AllowDubiousHosts = l.TALDir(), t.TempDir(), l.CAFile(), true
	in, err := readInputs(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	table, rep, repos, err := validateOnce(ctx, cfg, in.tals, false, false, zap.NewNop())
	if err != nil {
		t.Fatal(err)
	}
	meta := httpapi.OutputMeta(rep, repos)
	earlier := 0
	meta.TALFiles = talFiles(cfg, in.tals)
	for file, format := range rpkiClientFiles {
		theirs, err := os.ReadFile(filepath.Join(out, file))
		if err != nil {
			t.Fatal(err)
		}
		var ours bytes.Buffer
		if err := output.WriteWith(&ours, format, table, output.Options{Meta: meta, Filter: &output.Filter{NoASPAs: true}}); err != nil {
			t.Fatal(err)
		}
		a, b := runSpecific.ReplaceAllString(ours.String(), "<run>"), runSpecific.ReplaceAllString(string(theirs), "<run>")
		earlier += compareExpiries(t, format, a, b)
		a, b = expiry.ReplaceAllString(a, "$1<expires>$3"), expiry.ReplaceAllString(b, "$1<expires>$3")
		if alsoSkip != nil {
			a, b = alsoSkip.ReplaceAllString(a, "<count>"), alsoSkip.ReplaceAllString(b, "<count>")
		}
		if a != b {
			t.Errorf("%s differs from rpki-client's %s:\n%s", format, file, firstDiff(a, b))
		}
	}
	if earlier == 0 {
		t.Error("no expiry earlier than rpki-client 8.2's: no parent's CRL bounds a chain, the comparison checks nothing")
	}
}

// compareExpiries checks that each expiry of ours, in order, is no later
// than the same item's in theirs (see expiry), and returns how many are
// earlier.
func compareExpiries(t *testing.T, format, ours, theirs string) (earlier int) {
	t.Helper()
	a, b := expiry.FindAllStringSubmatch(ours, -1), expiry.FindAllStringSubmatch(theirs, -1)
	if len(a) != len(b) {
		t.Errorf("%s: %d expiries, rpki-client's %d", format, len(a), len(b))
		return 0
	}
	for i := range a {
		switch {
		case len(a[i][2]) > len(b[i][2]) || (len(a[i][2]) == len(b[i][2]) && a[i][2] > b[i][2]):
			t.Errorf("%s: expiry %s later than rpki-client's %s (%s)", format, a[i][2], b[i][2], a[i][0])
		case a[i][2] != b[i][2]:
			earlier++
		}
	}
	return earlier
}

// firstDiff shows the first differing line of two texts.
func firstDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := range min(len(al), len(bl)) {
		if al[i] != bl[i] {
			return "line " + itoa(uint32(i+1)) + ":\n ours:   " + al[i] + "\n theirs: " + bl[i]
		}
	}
	return "lengths " + itoa(uint32(len(al))) + " and " + itoa(uint32(len(bl))) + " lines"
}
