package corpus

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/openrpki/validator/internal/inspect"
)

// ReadJSONFields reads rpki-client's -j output (REFERENCE-rpki-client.jsonl)
// and returns, per file, the fields the summary does not print, normalized
// as JSONFields normalizes ours: certificate serial, AIA, SIA, CA
// repository, manifest and notify URIs, resources, manifest and RSC entries
// with hashes, revoked serials with dates, router key, TAK keys, vCard and TAL
// URIs in order.
func ReadJSONFields(dir string) (map[string]map[string]string, error) {
	f, err := os.Open(filepath.Join(dir, ReferenceJSON))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	out := map[string]map[string]string{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		var row struct {
			File string                     `json:"file"`
			JSON map[string]json.RawMessage `json:"rpki_client_json"`
		}
		if err := json.Unmarshal(sc.Bytes(), &row); err != nil {
			return nil, fmt.Errorf("corpus: %s: %w", ReferenceJSON, err)
		}
		if fields := refJSONFields(row.JSON); len(fields) > 0 {
			out[row.File] = fields
		}
	}
	return out, sc.Err()
}

// refJSONFields normalizes the compared keys of one rpki-client JSON object.
func refJSONFields(j map[string]json.RawMessage) map[string]string {
	f := map[string]string{}
	for _, k := range []string{"cert_serial", "aia", "manifest", "carepository", "notify_url", "router_key", "vcard"} {
		var s string
		if json.Unmarshal(j[k], &s) == nil && s != "" {
			f[k] = s
		}
	}
	var s string
	if json.Unmarshal(j["sia"], &s) == nil && s != "" {
		f["sia"] = s
	}
	setList(f, "resources", j["subordinate_resources"], resourceString)
	setList(f, "resources", j["signed_with_resources"], resourceString)
	setList(f, "filesandhashes", j["filesandhashes"], fileString)
	setList(f, "filenamesandhashes", j["filenamesandhashes"], checklistString)
	setList(f, "revoked_certs", j["revoked_certs"], revokedString)
	setList(f, "takeys", j["takeys"], takeyString)
	var uris []string
	if json.Unmarshal(j["trust_anchor_locations"], &uris) == nil && len(uris) > 0 {
		f["trust_anchor_locations"] = strings.Join(uris, " ")
	}
	return f
}

// setList decodes a JSON array and joins its items, each rendered by item,
// with " | ".
func setList(f map[string]string, key string, raw json.RawMessage, item func(json.RawMessage) string) {
	var l []json.RawMessage
	if len(raw) == 0 || json.Unmarshal(raw, &l) != nil || len(l) == 0 {
		return
	}
	s := make([]string, len(l))
	for i, x := range l {
		s[i] = item(x)
	}
	f[key] = strings.Join(s, " | ")
}

// resourceString renders {"asid": 1}, {"asrange": {...}}, {"ip_prefix": ...}
// {"ip_range": {...}}, {"asid_inherit": "true"} or {"ip_inherit": "true"}
// as "asid 1", "asrange 0-9", "ip_prefix 10.0.0.0/8", "ip_range a-b",
// "inherit as", "inherit ip".
func resourceString(raw json.RawMessage) string {
	var r struct {
		ASID      *uint32 `json:"asid"`
		ASRange   *struct{ Min, Max uint32 }
		Prefix    string                     `json:"ip_prefix"`
		IPRange   *struct{ Min, Max string } `json:"ip_range"`
		ASInherit string                     `json:"asid_inherit"`
		IPInherit string                     `json:"ip_inherit"`
	}
	if err := json.Unmarshal(raw, &r); err != nil {
		return "unparsable " + string(raw)
	}
	switch {
	case r.ASID != nil:
		return fmt.Sprintf("asid %d", *r.ASID)
	case r.ASRange != nil:
		return fmt.Sprintf("asrange %d-%d", r.ASRange.Min, r.ASRange.Max)
	case r.Prefix != "":
		return "ip_prefix " + r.Prefix
	case r.IPRange != nil:
		return fmt.Sprintf("ip_range %s-%s", r.IPRange.Min, r.IPRange.Max)
	case r.ASInherit == "true":
		return "inherit as"
	case r.IPInherit == "true":
		return "inherit ip" // rpki-client does not say which family
	}
	return "unknown " + string(raw)
}

func fileString(raw json.RawMessage) string {
	var e struct{ Filename, Hash string }
	if err := json.Unmarshal(raw, &e); err != nil {
		return "unparsable " + string(raw)
	}
	return e.Filename + " " + e.Hash
}

// checklistString renders one RSC entry (RFC 9323 §4.4); the name may be
// empty.
func checklistString(raw json.RawMessage) string {
	var e struct {
		Filename string
		Hash     string `json:"hash_digest"`
	}
	if err := json.Unmarshal(raw, &e); err != nil {
		return "unparsable " + string(raw)
	}
	return e.Filename + " " + e.Hash
}

func revokedString(raw json.RawMessage) string {
	var e struct{ Serial, Date string }
	if err := json.Unmarshal(raw, &e); err != nil {
		return "unparsable " + string(raw)
	}
	t, err := time.Parse("Jan _2 15:04:05 2006 MST", e.Date)
	if err != nil {
		return e.Serial + " unparsable " + e.Date
	}
	return e.Serial + " " + t.UTC().Format(time.RFC3339)
}

func takeyString(raw json.RawMessage) string {
	var k struct {
		Name     string
		Comments []string
		URIs     []string
		SPKI     string
	}
	if err := json.Unmarshal(raw, &k); err != nil {
		return "unparsable " + string(raw)
	}
	return fmt.Sprintf("%s %q %v %s", k.Name, k.Comments, k.URIs, k.SPKI)
}

// JSONFields renders our report in the forms of ReadJSONFields.
func JSONFields(rep *inspect.Report) map[string]string {
	f := map[string]string{}
	if c := rep.CertView; c != nil {
		for k, v := range map[string]string{
			"cert_serial": c.CertSerial, "aia": c.AIA, "sia": c.SIA, "manifest": c.Manifest,
			"carepository": c.CARepository, "notify_url": c.NotifyURL,
		} {
			setNonEmpty(f, k, v)
		}
	}
	setNonEmpty(f, "router_key", rep.RouterKey)
	setNonEmpty(f, "vcard", rep.VCard)
	ourLists(f, rep)
	if rep.TAL != nil {
		f["trust_anchor_locations"] = strings.Join(rep.TAL.URIs, " ")
	}
	return f
}

// ourLists renders the list fields of a report.
func ourLists(f map[string]string, rep *inspect.Report) {
	res := rep.RSCResources
	if rep.Type == "ca_cert" || rep.Type == "router_key" {
		res = rep.Resources
	}
	joinInto(f, "resources", len(res), func(i int) string { return ourResource(res[i]) })
	joinInto(f, "filesandhashes", len(rep.Files), func(i int) string { return rep.Files[i].Name + " " + rep.Files[i].Hash })
	joinInto(f, "filenamesandhashes", len(rep.RSCFiles), func(i int) string { return rep.RSCFiles[i].Name + " " + rep.RSCFiles[i].Hash })
	joinInto(f, "revoked_certs", len(rep.Revoked), func(i int) string { return rep.Revoked[i].Serial + " " + rep.Revoked[i].Date })
	joinInto(f, "takeys", len(rep.TAKeys), func(i int) string {
		k := rep.TAKeys[i]
		return fmt.Sprintf("%s %q %v %s", k.Name, k.Comments, k.URIs, k.SPKI)
	})
}

func joinInto(f map[string]string, key string, n int, item func(int) string) {
	if n == 0 {
		return
	}
	s := make([]string, n)
	for i := range s {
		s[i] = item(i)
	}
	f[key] = strings.Join(s, " | ")
}

func ourResource(r inspect.ResourceView) string {
	switch {
	case r.ASID != nil:
		return fmt.Sprintf("asid %d", *r.ASID)
	case r.ASRange != nil:
		return fmt.Sprintf("asrange %v-%v", r.ASRange.Min, r.ASRange.Max)
	case r.Prefix != "":
		return "ip_prefix " + r.Prefix
	case r.IPRange != nil:
		return fmt.Sprintf("ip_range %v-%v", r.IPRange.Min, r.IPRange.Max)
	}
	if r.Inherit == "as" {
		return "inherit as"
	}
	return "inherit ip"
}

// CompareJSONFields compares rpki-client's JSON fields of a file with ours
// and returns one line per difference, sorted.
func CompareJSONFields(ref map[string]string, rep *inspect.Report) []string {
	return compareMaps(ref, JSONFields(rep))
}
