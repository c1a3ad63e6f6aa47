package payload

import (
	"bufio"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"time"
)

// The JSON format is rpki-client's `-j` output (and what StayRTR, GoRTR
// and `validator vrps` use):
//
//	{"metadata":{...},
//	 "roas":[{"asn":65000,"prefix":"192.0.2.0/24","maxLength":24,"ta":"x"}],
//	 "aspas":[{"customer_asid":64496,"providers":[64497]}],
//	 "bgpsec_keys":[{"asn":64496,"ski":"5d42…","pubkey":"MFkw…"}]}
//
// "asn" may be a number or a string "AS65000" (StayRTR accepts both). The
// older rpki-client form of ASPA, "provider_authorizations":{"ipv4":[…],
// "ipv6":[…]}, is accepted and merged per customer, since current ASPA
// objects no longer carry an AFI.

// jsonFile holds the small top-level members; "roas" is streamed.
type jsonFile struct {
	ASPAs    []jsonASPA    `json:"aspas,omitempty"`
	Keys     []jsonKey     `json:"bgpsec_keys,omitempty"`
	OldASPAs *jsonOldASPAs `json:"provider_authorizations,omitempty"`
}

type jsonROA struct {
	ASN       jsonASN `json:"asn"`
	Prefix    string  `json:"prefix"`
	MaxLength int     `json:"maxLength"`
	jsonInfo
}

// jsonInfo is the provenance a record may carry: its trust anchor and the
// Unix time it expires (rpki-client's "ta" and "expires").
type jsonInfo struct {
	TA      string `json:"ta,omitempty"`
	Expires int64  `json:"expires,omitempty"`
}

type jsonASPA struct {
	Customer  jsonASN   `json:"customer_asid"`
	Providers []jsonASN `json:"providers"`
	jsonInfo
}

type jsonOldASPAs struct {
	IPv4 []jsonASPA `json:"ipv4"`
	IPv6 []jsonASPA `json:"ipv6"`
}

type jsonKey struct {
	ASN    jsonASN `json:"asn"`
	SKI    string  `json:"ski"`
	Pubkey string  `json:"pubkey"`
	jsonInfo
}

// jsonASN is an AS number written as 65000 or "AS65000".
type jsonASN uint32

// UnmarshalJSON accepts a number, "AS65000", "as65000" or "65000".
func (a *jsonASN) UnmarshalJSON(b []byte) error {
	s := string(b)
	if strings.HasPrefix(s, `"`) {
		if len(s) < 2 || !strings.HasSuffix(s, `"`) || strings.ContainsRune(s, '\\') {
			return fmt.Errorf("AS number %s: not a 32-bit number (RFC 6793)", b)
		}
		s = s[1 : len(s)-1]
		if len(s) > 2 && strings.EqualFold(s[:2], "AS") {
			s = s[2:]
		}
	}
	n, err := strconv.ParseUint(s, 10, 32)
	if err != nil {
		return fmt.Errorf("AS number %s: not a 32-bit number (RFC 6793)", b)
	}
	*a = jsonASN(n)
	return nil
}

// ReadJSON reads a payload file in rpki-client JSON form into a Set (see
// ReadTable).
func ReadJSON(r io.Reader) (Set, error) {
	t, err := ReadTable(r)
	if err != nil {
		return Set{}, err
	}
	return t.Set(), nil
}

// ReadTable reads a payload file in rpki-client JSON form, keeping each
// record's trust anchor and expiry when present (what the daemon's warm
// start needs). The input is capped at MaxJSONBytes. The "roas" array is
// streamed one element at a time, so memory stays near the size of the
// result rather than of the decoded document. Duplicate top-level keys are
// rejected. Errors name the array, the index and the field at fault.
func ReadTable(r io.Reader) (*Table, error) {
	lr := &io.LimitedReader{R: r, N: MaxJSONBytes + 1}
	dec := json.NewDecoder(bufio.NewReaderSize(lr, 1<<16))
	t := &Table{TAs: NewTANames()}
	err := decodeFile(dec, t)
	if lr.N <= 0 {
		return nil, fmt.Errorf("payload: json: input larger than %d bytes", MaxJSONBytes)
	}
	if err != nil {
		return nil, fmt.Errorf("payload: json: %w", err)
	}
	return t, nil
}

// decodeFile walks the top-level object key by key.
func decodeFile(dec *json.Decoder, t *Table) error {
	if err := expectDelim(dec, '{', "top level"); err != nil {
		return err
	}
	var f jsonFile
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		key, _ := tok.(string) // object keys are always strings
		if seen[key] {
			return fmt.Errorf("key %q appears twice", key)
		}
		seen[key] = true
		switch key {
		case "metadata":
			err = decodeMetadata(dec, t)
		case "roas":
			t.VRPs, err = decodeROAs(dec, t.TAs)
		case "aspas":
			err = dec.Decode(&f.ASPAs)
		case "bgpsec_keys":
			err = dec.Decode(&f.Keys)
		case "provider_authorizations":
			err = dec.Decode(&f.OldASPAs)
		default:
			var skip json.RawMessage
			err = dec.Decode(&skip)
		}
		if err != nil {
			return err
		}
	}
	if err := expectDelim(dec, '}', "top level"); err != nil {
		return err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errors.New("trailing data after the top-level object")
	}
	return f.into(t)
}

// decodeMetadata reads the build time of the metadata ("generated", Unix
// seconds, or else "buildtime", RFC 3339); other members are skipped.
func decodeMetadata(dec *json.Decoder, t *Table) error {
	var m struct {
		Generated int64  `json:"generated"`
		BuildTime string `json:"buildtime"`
	}
	if err := dec.Decode(&m); err != nil {
		return fmt.Errorf("metadata: %w", err)
	}
	switch {
	case m.Generated != 0:
		t.BuildTime = time.Unix(m.Generated, 0).UTC()
	case m.BuildTime != "":
		if bt, err := time.Parse(time.RFC3339, m.BuildTime); err == nil {
			t.BuildTime = bt
		}
	}
	return nil
}

// info is the provenance of a record read from a file.
func (j jsonInfo) info(tas *TANames) Info {
	return Info{TA: tas.Of(j.TA), Expires: UnixExpiry(j.Expires)}
}

// decodeROAs streams the "roas" array (or null).
func decodeROAs(dec *json.Decoder, tas *TANames) ([]VRPInfo, error) {
	tok, err := dec.Token()
	if err != nil || tok == nil {
		return nil, err
	}
	if d, ok := tok.(json.Delim); !ok || d != '[' {
		return nil, fmt.Errorf("roas: want an array, got %v", tok)
	}
	var out []VRPInfo
	for i := 0; dec.More(); i++ {
		var r jsonROA
		if err := dec.Decode(&r); err != nil {
			return nil, fmt.Errorf("roas[%d]: %w", i, err)
		}
		v, err := r.vrp()
		if err != nil {
			return nil, fmt.Errorf("roas[%d]: %w", i, err)
		}
		out = append(out, VRPInfo{VRP: v, Info: r.info(tas)})
	}
	return out, expectDelim(dec, ']', "roas")
}

func expectDelim(dec *json.Decoder, want json.Delim, where string) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if d, ok := tok.(json.Delim); !ok || d != want {
		return fmt.Errorf("%s: want %v, got %v", where, want, tok)
	}
	return nil
}

// into adds the ASPAs and router keys to t.
func (f *jsonFile) into(t *Table) error {
	aspas := f.ASPAs
	if f.OldASPAs != nil {
		aspas = append(append(aspas, f.OldASPAs.IPv4...), f.OldASPAs.IPv6...)
	}
	for i, a := range aspas {
		if len(a.Providers) == 0 || len(a.Providers) > MaxProviders {
			return fmt.Errorf("aspas[%d]: providers: %d entries, want 1..%d (draft-ietf-sidrops-aspa-profile §3)", i, len(a.Providers), MaxProviders)
		}
		p := make([]uint32, len(a.Providers))
		for j, x := range a.Providers {
			p[j] = uint32(x)
		}
		t.ASPAs = append(t.ASPAs, ASPAInfo{ASPA: ASPA{Customer: uint32(a.Customer), Providers: p}, Info: a.info(t.TAs)})
	}
	for i, k := range f.Keys {
		rk, err := k.routerKey()
		if err != nil {
			return fmt.Errorf("bgpsec_keys[%d]: %w", i, err)
		}
		t.RouterKeys = append(t.RouterKeys, KeyInfo{RouterKey: rk, Info: k.info(t.TAs)})
	}
	return nil
}

func (r jsonROA) vrp() (VRP, error) {
	p, err := netip.ParsePrefix(r.Prefix)
	if err != nil {
		return VRP{}, fmt.Errorf("prefix: %w", err)
	}
	if r.MaxLength < 0 || r.MaxLength > 128 {
		return VRP{}, fmt.Errorf("maxLength %d out of range (RFC 9582 §4.3.2)", r.MaxLength)
	}
	return NewVRP(p, uint8(r.MaxLength), uint32(r.ASN))
}

func (k jsonKey) routerKey() (RouterKey, error) {
	ski, err := hex.DecodeString(k.SKI)
	if err != nil || len(ski) != 20 {
		return RouterKey{}, fmt.Errorf("ski: want 40 hex digits (RFC 6487 §4.8.2), got %q", k.SKI)
	}
	spki, err := base64.StdEncoding.DecodeString(k.Pubkey)
	if err != nil {
		return RouterKey{}, fmt.Errorf("pubkey: %w", err)
	}
	if len(spki) == 0 || len(spki) > MaxSPKI {
		return RouterKey{}, fmt.Errorf("pubkey: %d bytes, want 1..%d", len(spki), MaxSPKI)
	}
	return RouterKey{SKI: [20]byte(ski), ASN: uint32(k.ASN), SPKI: spki}, nil
}

// WriteJSON writes snap in rpki-client JSON form, without provenance (see
// WriteTable). The output is read back by ReadJSON into an equal snapshot.
func WriteJSON(w io.Writer, snap *Snapshot, buildTime time.Time) error {
	return WriteTable(w, TableOf(snap, buildTime))
}

// TableOf makes a table of a snapshot, without provenance.
func TableOf(snap *Snapshot, buildTime time.Time) *Table {
	t := &Table{BuildTime: buildTime, TAs: NewTANames(), VRPs: make([]VRPInfo, len(snap.VRPs)),
		ASPAs: make([]ASPAInfo, len(snap.ASPAs)), RouterKeys: make([]KeyInfo, len(snap.RouterKeys))}
	for i, v := range snap.VRPs {
		t.VRPs[i].VRP = v
	}
	for i, a := range snap.ASPAs {
		t.ASPAs[i].ASPA = a
	}
	for i, k := range snap.RouterKeys {
		t.RouterKeys[i].RouterKey = k
	}
	return t
}

// WriteTable writes t in rpki-client's JSON layout: metadata, then
// "roas", "aspas" and "bgpsec_keys", one record per line so that huge
// tables stay diffable, AS numbers as numbers, each record with its trust
// anchor ("ta", when known) and expiry ("expires", Unix seconds, when it
// has one). ReadTable reads it back into an equal table.
func WriteTable(w io.Writer, t *Table) error {
	bw := bufio.NewWriterSize(w, 256<<10)
	host, _ := os.Hostname()
	var b []byte
	b = append(b, `{"metadata":{"buildmachine":`...)
	b = strconv.AppendQuote(b, host)
	b = append(b, `,"buildtime":`...)
	b = strconv.AppendQuote(b, t.BuildTime.UTC().Format("2006-01-02T15:04:05Z"))
	b = append(b, `,"generated":`...)
	b = strconv.AppendInt(b, t.BuildTime.Unix(), 10)
	b = append(b, `,"vrps":`...)
	b = strconv.AppendInt(b, int64(len(t.VRPs)), 10)
	b = append(b, `,"aspas":`...)
	b = strconv.AppendInt(b, int64(len(t.ASPAs)), 10)
	b = append(b, `,"bgpsec_pubkeys":`...)
	b = strconv.AppendInt(b, int64(len(t.RouterKeys)), 10)
	b = append(b, "},\n\"roas\":["...)
	bw.Write(b)
	for i, v := range t.VRPs {
		b = sep(b[:0], i)
		b = append(b, `{"asn":`...)
		b = strconv.AppendUint(b, uint64(v.ASN), 10)
		b = append(b, `,"prefix":"`...)
		b = v.Prefix().AppendTo(b)
		b = append(b, `","maxLength":`...)
		b = strconv.AppendUint(b, uint64(v.MaxLen), 10)
		b = appendInfo(b, t, v.Info)
		bw.Write(b)
	}
	bw.WriteString("\n],\n\"aspas\":[")
	for i, a := range t.ASPAs {
		b = sep(b[:0], i)
		b = append(b, `{"customer_asid":`...)
		b = strconv.AppendUint(b, uint64(a.Customer), 10)
		b = append(b, `,"providers":[`...)
		for j, p := range a.Providers {
			if j > 0 {
				b = append(b, ',')
			}
			b = strconv.AppendUint(b, uint64(p), 10)
		}
		b = append(b, ']')
		b = appendInfo(b, t, a.Info)
		bw.Write(b)
	}
	bw.WriteString("\n],\n\"bgpsec_keys\":[")
	for i, k := range t.RouterKeys {
		b = sep(b[:0], i)
		b = append(b, `{"asn":`...)
		b = strconv.AppendUint(b, uint64(k.ASN), 10)
		b = append(b, `,"ski":"`...)
		b = hex.AppendEncode(b, k.SKI[:])
		b = append(b, `","pubkey":"`...)
		b = base64.StdEncoding.AppendEncode(b, k.SPKI)
		b = append(b, '"')
		b = appendInfo(b, t, k.Info)
		bw.Write(b)
	}
	bw.WriteString("\n]\n}\n")
	return bw.Flush()
}

// sep starts the i-th record of a list.
func sep(b []byte, i int) []byte {
	if i > 0 {
		b = append(b, ',')
	}
	return append(b, '\n')
}

// appendInfo ends a record with its trust anchor and expiry, each when
// known (a SLURM assertion has no expiry).
func appendInfo(b []byte, t *Table, i Info) []byte {
	if name := t.TAName(i.TA); name != "" {
		b = append(b, `,"ta":`...)
		b = strconv.AppendQuote(b, name)
	}
	if i.Expires != 0 {
		b = append(b, `,"expires":`...)
		b = strconv.AppendUint(b, uint64(i.Expires), 10)
	}
	return append(b, '}')
}
