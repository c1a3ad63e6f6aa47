package corpus

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// Reference is one row of a REFERENCE-rpki-client*-summary.tsv file:
// rpki-client 8.2's reading of one file.
type Reference struct {
	File       string
	Type       string // rpki-client's JSON type: roa, manifest, crl, ca_cert, ...
	Status     string // parsed, rejected, unsupported, not-run
	Validation string
	Errors     string
	// Fields are the key=value pairs of the summary column (asid, vrps,
	// mftnum, thisUpdate, ski, notBefore, ...), values as printed.
	Fields map[string]string
}

// SummaryParse is rpki-client's parse-only summary in the corpus
// directory (the chain-run summaries were not copied into the module: the
// chain verdicts come from EXPECTED.tsv).
const SummaryParse = "REFERENCE-rpki-client-summary.tsv"

// ReadReference reads one summary file of the corpus directory, keyed by
// file.
func ReadReference(dir, name string) (map[string]*Reference, error) {
	rows, err := readTSV(filepath.Join(dir, name))
	if err != nil {
		return nil, err
	}
	out := make(map[string]*Reference, len(rows))
	for _, r := range rows {
		out[r["file"]] = &Reference{
			File: r["file"], Type: r["type"], Status: r["status"], Validation: r["validation"],
			Errors: r["errors"], Fields: parseSummary(r["summary"]),
		}
	}
	return out, nil
}

// summaryKey finds the start of each key=value pair of a summary. Values
// may hold blanks (dates, URI lists) but never a word directly followed by
// "=" at a word start.
var summaryKey = regexp.MustCompile(`(?:^|[ ;])([A-Za-z]+)=`)

// parseSummary splits "asid=8587; vrps=...; notBefore=Feb  8 10:43:09 2023
// GMT" into its pairs.
func parseSummary(s string) map[string]string {
	out := map[string]string{}
	locs := summaryKey.FindAllStringSubmatchIndex(s, -1)
	for i, l := range locs {
		end := len(s)
		if i+1 < len(locs) {
			end = locs[i+1][0]
		}
		key := s[l[2]:l[3]]
		out[key] = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s[l[1]:end]), ";"))
	}
	return out
}

// ReferenceJSON is rpki-client's full -j output, one JSON line per file.
const ReferenceJSON = "REFERENCE-rpki-client.jsonl"

// AddFullVRPs replaces the VRP lists that the summary cut short ("... (+746
// more)") with the full list from rpki-client's JSON output.
func AddFullVRPs(dir string, refs map[string]*Reference) error {
	f, err := os.Open(filepath.Join(dir, ReferenceJSON))
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		if err := addVRPs(sc.Bytes(), refs); err != nil {
			return err
		}
	}
	return sc.Err()
}

func addVRPs(line []byte, refs map[string]*Reference) error {
	var row struct {
		File string `json:"file"`
		JSON struct {
			VRPs []struct {
				Prefix string `json:"prefix"`
				MaxLen int    `json:"maxlen"`
			} `json:"vrps"`
		} `json:"rpki_client_json"`
	}
	if err := json.Unmarshal(line, &row); err != nil {
		return fmt.Errorf("corpus: %s: %w", ReferenceJSON, err)
	}
	ref := refs[row.File]
	if ref == nil || !strings.Contains(ref.Fields["vrps"], " more)") {
		return nil
	}
	l := make([]string, len(row.JSON.VRPs))
	for i, v := range row.JSON.VRPs {
		l[i] = fmt.Sprintf("%s-%d", v.Prefix, v.MaxLen)
	}
	ref.Fields["vrps"] = strings.Join(l, ",")
	return nil
}
