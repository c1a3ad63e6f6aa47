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
	TA        string  `json:"ta,omitempty"`
}

type jsonASPA struct {
	Customer  jsonASN   `json:"customer_asid"`
	Providers []jsonASN `json:"providers"`
}

type jsonOldASPAs struct {
	IPv4 []jsonASPA `json:"ipv4"`
	IPv6 []jsonASPA `json:"ipv6"`
}

type jsonKey struct {
	ASN    jsonASN `json:"asn"`
	SKI    string  `json:"ski"`
	Pubkey string  `json:"pubkey"`
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

// ReadJSON reads a payload file in rpki-client JSON form into a Set. The
// input is capped at MaxJSONBytes. The "roas" array is streamed one element
// at a time, so memory stays near the size of the result rather than of the
// decoded document. Duplicate top-level keys are rejected. Errors name the
// array, the index and the field at fault.
func ReadJSON(r io.Reader) (Set, error) {
	lr := &io.LimitedReader{R: r, N: MaxJSONBytes + 1}
	dec := json.NewDecoder(bufio.NewReaderSize(lr, 1<<16))
	set, err := decodeFile(dec)
	if lr.N <= 0 {
		return Set{}, fmt.Errorf("payload: json: input larger than %d bytes", MaxJSONBytes)
	}
	if err != nil {
		return Set{}, fmt.Errorf("payload: json: %w", err)
	}
	return set, nil
}

// decodeFile walks the top-level object key by key.
func decodeFile(dec *json.Decoder) (Set, error) {
	if err := expectDelim(dec, '{', "top level"); err != nil {
		return Set{}, err
	}
	var f jsonFile
	var vrps []VRP
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return Set{}, err
		}
		key, _ := tok.(string) // object keys are always strings
		if seen[key] {
			return Set{}, fmt.Errorf("key %q appears twice", key)
		}
		seen[key] = true
		switch key {
		case "roas":
			vrps, err = decodeROAs(dec)
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
			return Set{}, err
		}
	}
	if err := expectDelim(dec, '}', "top level"); err != nil {
		return Set{}, err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return Set{}, errors.New("trailing data after the top-level object")
	}
	s, err := f.toSet()
	s.VRPs = vrps
	return s, err
}

// decodeROAs streams the "roas" array (or null).
func decodeROAs(dec *json.Decoder) ([]VRP, error) {
	tok, err := dec.Token()
	if err != nil || tok == nil {
		return nil, err
	}
	if d, ok := tok.(json.Delim); !ok || d != '[' {
		return nil, fmt.Errorf("roas: want an array, got %v", tok)
	}
	var out []VRP
	for i := 0; dec.More(); i++ {
		var r jsonROA
		if err := dec.Decode(&r); err != nil {
			return nil, fmt.Errorf("roas[%d]: %w", i, err)
		}
		v, err := r.vrp()
		if err != nil {
			return nil, fmt.Errorf("roas[%d]: %w", i, err)
		}
		out = append(out, v)
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

func (f *jsonFile) toSet() (Set, error) {
	var s Set
	aspas := f.ASPAs
	if f.OldASPAs != nil {
		aspas = append(append(aspas, f.OldASPAs.IPv4...), f.OldASPAs.IPv6...)
	}
	for i, a := range aspas {
		if len(a.Providers) == 0 || len(a.Providers) > MaxProviders {
			return Set{}, fmt.Errorf("aspas[%d]: providers: %d entries, want 1..%d (draft-ietf-sidrops-aspa-profile §3)", i, len(a.Providers), MaxProviders)
		}
		p := make([]uint32, len(a.Providers))
		for j, x := range a.Providers {
			p[j] = uint32(x)
		}
		s.ASPAs = append(s.ASPAs, ASPA{Customer: uint32(a.Customer), Providers: p})
	}
	for i, k := range f.Keys {
		rk, err := k.routerKey()
		if err != nil {
			return Set{}, fmt.Errorf("bgpsec_keys[%d]: %w", i, err)
		}
		s.RouterKeys = append(s.RouterKeys, rk)
	}
	return s, nil
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

// WriteJSON writes snap in rpki-client JSON form, with AS numbers as
// numbers and a metadata object holding the build time and counts. The
// output is read back by ReadJSON into an equal snapshot.
func WriteJSON(w io.Writer, snap *Snapshot, buildTime time.Time) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	fmt.Fprintf(bw, "{\n\t\"metadata\": {\"buildtime\": %q, \"vrps\": %d, \"aspas\": %d, \"bgpsec_pubkeys\": %d},\n\t\"roas\": [",
		buildTime.UTC().Format(time.RFC3339), len(snap.VRPs), len(snap.ASPAs), len(snap.RouterKeys))
	var num []byte
	for i, v := range snap.VRPs {
		sep(bw, i)
		num = strconv.AppendUint(num[:0], uint64(v.ASN), 10)
		fmt.Fprintf(bw, "{\"asn\": %s, \"prefix\": %q, \"maxLength\": %d}", num, v.Prefix().String(), v.MaxLen)
	}
	bw.WriteString("\n\t],\n\t\"aspas\": [")
	for i, a := range snap.ASPAs {
		sep(bw, i)
		fmt.Fprintf(bw, "{\"customer_asid\": %d, \"providers\": [", a.Customer)
		for j, p := range a.Providers {
			if j > 0 {
				bw.WriteString(", ")
			}
			bw.WriteString(strconv.FormatUint(uint64(p), 10))
		}
		bw.WriteString("]}")
	}
	bw.WriteString("\n\t],\n\t\"bgpsec_keys\": [")
	for i, k := range snap.RouterKeys {
		sep(bw, i)
		fmt.Fprintf(bw, "{\"asn\": %d, \"ski\": %q, \"pubkey\": %q}", k.ASN, hex.EncodeToString(k.SKI[:]), base64.StdEncoding.EncodeToString(k.SPKI))
	}
	bw.WriteString("\n\t]\n}\n")
	return bw.Flush()
}

func sep(w *bufio.Writer, i int) {
	if i > 0 {
		w.WriteString(",")
	}
	w.WriteString("\n\t\t")
}
