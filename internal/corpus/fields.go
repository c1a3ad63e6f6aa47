package corpus

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/openrpki/validator/internal/inspect"
)

// notCompared are summary keys we may not print; none at present.
var notCompared = map[string]bool{}

// CompareFields compares the fields rpki-client's summary printed for a
// file with ours and returns one line per difference, sorted.
func CompareFields(ref *Reference, rep *inspect.Report) []string {
	return compareMaps(normalizeRef(ref), ReportFields(rep))
}

// compareMaps lists the keys of theirs whose value ours lacks or differs.
func compareMaps(theirs, ours map[string]string) []string {
	var diffs []string
	for k, want := range theirs {
		got, ok := ours[k]
		if !ok && notCompared[k] {
			continue
		}
		if !ok {
			diffs = append(diffs, fmt.Sprintf("%s: rpki-client %q, ours missing", k, clipString(want)))
			continue
		}
		if got != want {
			diffs = append(diffs, describe(k, want, got))
		}
	}
	sort.Strings(diffs)
	return diffs
}

// ReportFields reduces a Report to the keys of rpki-client's summary, each
// value in the normalized form normalizeRef gives the reference.
func ReportFields(rep *inspect.Report) map[string]string {
	f := map[string]string{}
	if rep.Type != "" {
		f["type"] = rep.Type
	}
	if c := rep.CertView; c != nil {
		setNonEmpty(f, "ski", c.SKI)
		setNonEmpty(f, "aki", c.AKI)
		setNonEmpty(f, "notBefore", c.NotBefore)
		setNonEmpty(f, "notAfter", c.NotAfter)
		if rep.Type == "ca_cert" || rep.Type == "router_key" {
			f["resources"] = strconv.Itoa(len(c.Resources))
		}
	}
	roaFields(f, rep)
	listFields(f, rep)
	if rep.CustomerASID != nil {
		f["customer"] = strconv.FormatUint(uint64(*rep.CustomerASID), 10)
		f["providers"] = joinASNs(rep.Providers)
	}
	otherFields(f, rep)
	if t := rep.TAL; t != nil {
		f["name"], f["uris"], f["ski"] = t.Name, strings.Join(t.URIs, " "), t.SKI
	}
	return f
}

// otherFields are the TAK key names and the RSC file count.
func otherFields(f map[string]string, rep *inspect.Report) {
	if len(rep.TAKeys) > 0 {
		names := make([]string, len(rep.TAKeys))
		for i, k := range rep.TAKeys {
			names[i] = k.Name
		}
		f["keys"] = strings.Join(names, ",")
	}
	if rep.Type == "rsc" {
		f["files"] = strconv.Itoa(len(rep.RSCFiles))
	}
}

func roaFields(f map[string]string, rep *inspect.Report) {
	if rep.ASID == nil {
		return
	}
	f["asid"] = strconv.FormatUint(uint64(*rep.ASID), 10)
	vrps := make([]string, 0, len(rep.VRPs))
	for _, v := range rep.VRPs {
		vrps = append(vrps, fmt.Sprintf("%s-%d", v.Prefix, v.MaxLen))
	}
	sort.Strings(vrps)
	f["vrps"] = strings.Join(vrps, ",")
}

func listFields(f map[string]string, rep *inspect.Report) {
	setNonEmpty(f, "mftnum", rep.ManifestNumber)
	setNonEmpty(f, "crlnum", rep.CRLNumber)
	setNonEmpty(f, "thisUpdate", rep.ThisUpdate)
	setNonEmpty(f, "nextUpdate", rep.NextUpdate)
	if rep.Entries != nil {
		f["entries"] = strconv.Itoa(*rep.Entries)
	}
	if rep.RevokedCount != nil {
		f["revoked"] = strconv.Itoa(*rep.RevokedCount)
	}
}

func setNonEmpty(f map[string]string, k, v string) {
	if v != "" {
		f[k] = v
	}
}

func joinASNs(asns []uint32) string {
	s := make([]string, len(asns))
	sorted := append([]uint32{}, asns...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i] < sorted[j] })
	for i, a := range sorted {
		s[i] = strconv.FormatUint(uint64(a), 10)
	}
	return strings.Join(s, ",")
}

// normalizeRef turns the reference's printed values into the forms of
// ReportFields: OpenSSL dates and Unix times become RFC 3339 UTC, VRP lists
// are sorted, ASPA providers become a sorted AS list. A CRL number that
// rpki-client could not read ("None") is not compared.
func normalizeRef(ref *Reference) map[string]string {
	out := map[string]string{}
	if ref.Type != "" && ref.Type != "-" {
		out["type"] = ref.Type
	}
	for k, v := range ref.Fields {
		switch k {
		case "notBefore", "notAfter":
			v = opensslTime(v)
		case "thisUpdate", "nextUpdate":
			v = unixTime(v)
		case "vrps":
			l := strings.Split(v, ",")
			sort.Strings(l)
			v = strings.Join(l, ",")
		case "providers":
			v = providerASNs(v)
		case "crlnum":
			if v == "None" {
				continue
			}
		}
		out[k] = v
	}
	return out
}

// opensslTime converts "Feb  8 10:43:09 2023 GMT" to RFC 3339.
func opensslTime(s string) string {
	t, err := time.Parse("Jan _2 15:04:05 2006 MST", s)
	if err != nil {
		return "unparsable " + s
	}
	return t.UTC().Format(time.RFC3339)
}

// unixTime converts "1687913035" to RFC 3339.
func unixTime(s string) string {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return "unparsable " + s
	}
	return time.Unix(n, 0).UTC().Format(time.RFC3339)
}

// providerASNs reads rpki-client 8.2's provider_set JSON and keeps the AS
// numbers (the afi_limit of the old profile has no counterpart now).
func providerASNs(s string) string {
	var ps []struct {
		ASID uint32 `json:"asid"`
	}
	if err := json.Unmarshal([]byte(s), &ps); err != nil {
		return "unparsable " + s
	}
	asns := make([]uint32, len(ps))
	for i, p := range ps {
		asns[i] = p.ASID
	}
	return joinASNs(asns)
}

// describe says how one field differs; list fields (joined with " | " or
// ",") are shown as what only one side has, so that a long list stays
// readable.
func describe(key, want, got string) string {
	sep := ","
	if strings.Contains(want+got, " | ") {
		sep = " | "
	} else if !strings.Contains(want+got, ",") {
		return fmt.Sprintf("%s: rpki-client %q, ours %q", key, clipString(want), clipString(got))
	}
	onlyRef, onlyOurs := listDiff(strings.Split(want, sep), strings.Split(got, sep))
	if len(onlyRef)+len(onlyOurs) == 0 {
		return key + ": same items, different order"
	}
	return fmt.Sprintf("%s: only rpki-client %s; only ours %s", key, clip(onlyRef), clip(onlyOurs))
}

// clipString shortens s to 200 bytes for messages.
func clipString(s string) string {
	if len(s) > 200 {
		return s[:200] + "..."
	}
	return s
}

// listDiff returns the items of a not in b and of b not in a, counting
// duplicates.
func listDiff(a, b []string) (onlyA, onlyB []string) {
	count := map[string]int{}
	for _, x := range a {
		count[x]++
	}
	for _, x := range b {
		count[x]--
	}
	for x, n := range count {
		for ; n > 0; n-- {
			onlyA = append(onlyA, x)
		}
		for ; n < 0; n++ {
			onlyB = append(onlyB, x)
		}
	}
	sort.Strings(onlyA)
	sort.Strings(onlyB)
	return onlyA, onlyB
}

// clip prints at most 5 items of l.
func clip(l []string) string {
	if len(l) > 5 {
		return fmt.Sprintf("%v (+%d more)", l[:5], len(l)-5)
	}
	return fmt.Sprint(l)
}
