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

// The JSON read is rpki-client's `-j` output (what StayRTR and GoRTR
// read too), Routinator's json and jsonext, and what WriteTable writes:
//
//	{"metadata":{...},
//	 "roas":[{"asn":65000,"prefix":"192.0.2.0/24","maxLength":24,"ta":"x"}],
//	 "aspas":[{"customer_asid":64496,"providers":[64497]}],
//	 "bgpsec_keys":[{"asn":64496,"ski":"5D42…","pubkey":"MFkw…"}]}
//
// An AS number may be a number or a string "AS65000" (StayRTR and
// Routinator write those). Routinator names the ASPA customer "customer"
// and lists router keys as "routerKeys" with "SKI" and "routerPublicKey"
// (unpadded URL-safe Base 64, RFC 8416 §3.4.2). The older rpki-client form
// of ASPA, "provider_authorizations":{"ipv4":[…],"ipv6":[…]}, is accepted
// and merged per customer, since current ASPA objects carry no AFI.

// jsonFile holds the small top-level members; "roas" is streamed.
type jsonFile struct {
	ASPAs    []jsonASPA
	Keys     []jsonKey
	KeysName string // "bgpsec_keys" or Routinator's "routerKeys"
	OldASPAs *jsonOldASPAs
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

// jsonASPA is an ASPA record: rpki-client names the customer
// "customer_asid", Routinator "customer".
type jsonASPA struct {
	Customer  *jsonASN  `json:"customer_asid"`
	RCustomer *jsonASN  `json:"customer"`
	Providers []jsonASN `json:"providers"`
	jsonInfo
}

type jsonOldASPAs struct {
	IPv4 []jsonASPA `json:"ipv4"`
	IPv6 []jsonASPA `json:"ipv6"`
}

// jsonKey is a router key: rpki-client's "ski" and "pubkey" (standard
// Base 64), or Routinator's "SKI" (matched without case) and
// "routerPublicKey" (URL-safe Base 64).
type jsonKey struct {
	ASN    jsonASN `json:"asn"`
	SKI    string  `json:"ski"`
	Pubkey string  `json:"pubkey"`
	RPK    string  `json:"routerPublicKey"`
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
		case "bgpsec_keys", "routerKeys":
			if f.KeysName != "" {
				return fmt.Errorf("both %q and %q", f.KeysName, key)
			}
			f.KeysName = key
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
	if err := f.into(t); err != nil {
		return err
	}
	t.Sort() // readers walk a table in its order (Table.Sort)
	return nil
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
		rec, err := a.aspa()
		if err != nil {
			return fmt.Errorf("aspas[%d]: %w", i, err)
		}
		t.ASPAs = append(t.ASPAs, ASPAInfo{ASPA: rec, Info: a.info(t.TAs)})
	}
	for i, k := range f.Keys {
		rk, err := k.routerKey()
		if err != nil {
			return fmt.Errorf("%s[%d]: %w", f.KeysName, i, err)
		}
		t.RouterKeys = append(t.RouterKeys, KeyInfo{RouterKey: rk, Info: k.info(t.TAs)})
	}
	return nil
}

// aspa checks and converts an ASPA record.
func (a jsonASPA) aspa() (ASPA, error) {
	c := a.Customer
	if c == nil {
		c = a.RCustomer
	}
	if c == nil {
		return ASPA{}, errors.New("no customer_asid (or customer)")
	}
	if len(a.Providers) == 0 || len(a.Providers) > MaxProviders {
		return ASPA{}, fmt.Errorf("providers: %d entries, want 1..%d (draft-ietf-sidrops-aspa-profile §3)", len(a.Providers), MaxProviders)
	}
	p := make([]uint32, len(a.Providers))
	for j, x := range a.Providers {
		p[j] = uint32(x)
	}
	return ASPA{Customer: uint32(*c), Providers: p}, nil
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
	spki, err := k.spki()
	if err != nil {
		return RouterKey{}, err
	}
	if len(spki) == 0 || len(spki) > MaxSPKI {
		return RouterKey{}, fmt.Errorf("pubkey: %d bytes, want 1..%d", len(spki), MaxSPKI)
	}
	return RouterKey{SKI: [20]byte(ski), ASN: uint32(k.ASN), SPKI: spki}, nil
}

// spki decodes the key: rpki-client's "pubkey" in standard Base 64, or
// Routinator's "routerPublicKey" in URL-safe Base 64, padded or not.
func (k jsonKey) spki() ([]byte, error) {
	if k.Pubkey != "" || k.RPK == "" {
		b, err := base64.StdEncoding.DecodeString(k.Pubkey)
		if err != nil {
			return nil, fmt.Errorf("pubkey: %w", err)
		}
		return b, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(k.RPK, "="))
	if err != nil {
		return nil, fmt.Errorf("routerPublicKey: %w", err)
	}
	return b, nil
}
