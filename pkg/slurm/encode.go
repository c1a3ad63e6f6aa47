package slurm

import (
	"encoding/json"
)

// The JSON form written by MarshalJSON: member names and layout of RFC 8416
// §3.2 (version 1) or draft-ietf-sidrops-aspa-slurm-03 §2 (version 2).
type (
	jsonFile struct {
		Version    int            `json:"slurmVersion"`
		Filters    jsonFilters    `json:"validationOutputFilters"`
		Assertions jsonAssertions `json:"locallyAddedAssertions"`
	}
	jsonFilters struct {
		Prefix []jsonPrefixFilter `json:"prefixFilters"`
		BGPsec []jsonBGPsecFilter `json:"bgpsecFilters"`
		ASPA   *[]jsonASPAFilter  `json:"aspaFilters,omitempty"`
	}
	jsonAssertions struct {
		Prefix []jsonPrefixAssertion `json:"prefixAssertions"`
		BGPsec []jsonBGPsecAssertion `json:"bgpsecAssertions"`
		ASPA   *[]jsonASPAAssertion  `json:"aspaAssertions,omitempty"`
	}
	jsonPrefixFilter struct {
		Prefix  string  `json:"prefix,omitempty"`
		ASN     *uint32 `json:"asn,omitempty"`
		Comment string  `json:"comment,omitempty"`
	}
	jsonBGPsecFilter struct {
		ASN     *uint32 `json:"asn,omitempty"`
		SKI     string  `json:"SKI,omitempty"`
		Comment string  `json:"comment,omitempty"`
	}
	jsonASPAFilter struct {
		Customer uint32 `json:"customerAsn"`
		Comment  string `json:"comment,omitempty"`
	}
	jsonPrefixAssertion struct {
		Prefix  string `json:"prefix"`
		ASN     uint32 `json:"asn"`
		MaxLen  uint8  `json:"maxPrefixLength"`
		Comment string `json:"comment,omitempty"`
	}
	jsonBGPsecAssertion struct {
		ASN     uint32 `json:"asn"`
		SKI     string `json:"SKI"`
		Key     string `json:"routerPublicKey"`
		Comment string `json:"comment,omitempty"`
	}
	jsonASPAAssertion struct {
		Customer  uint32   `json:"customerAsn"`
		Providers []uint32 `json:"providerAsns"`
		Comment   string   `json:"comment,omitempty"`
	}
)

// MarshalJSON writes f as a SLURM file that Parse reads back to an equal
// File (maxPrefixLength is always written). It is meant for tools that
// generate or normalise SLURM files, and for round-trip tests.
func (f *File) MarshalJSON() ([]byte, error) {
	out := jsonFile{Version: f.Version}
	out.Filters.Prefix = make([]jsonPrefixFilter, 0, len(f.PrefixFilters))
	for _, pf := range f.PrefixFilters {
		j := jsonPrefixFilter{Comment: pf.Comment}
		if pf.Prefix.IsValid() {
			j.Prefix = pf.Prefix.String()
		}
		if pf.HasASN {
			j.ASN = &pf.ASN
		}
		out.Filters.Prefix = append(out.Filters.Prefix, j)
	}
	out.Filters.BGPsec = make([]jsonBGPsecFilter, 0, len(f.BGPsecFilters))
	for _, bf := range f.BGPsecFilters {
		j := jsonBGPsecFilter{Comment: bf.Comment}
		if bf.HasASN {
			j.ASN = &bf.ASN
		}
		if bf.HasSKI {
			j.SKI = slurmBase64.EncodeToString(bf.SKI[:])
		}
		out.Filters.BGPsec = append(out.Filters.BGPsec, j)
	}
	out.Assertions.Prefix = make([]jsonPrefixAssertion, 0, len(f.PrefixAssertions))
	for _, pa := range f.PrefixAssertions {
		out.Assertions.Prefix = append(out.Assertions.Prefix, jsonPrefixAssertion{
			Prefix: pa.VRP.Prefix().String(), ASN: pa.VRP.ASN, MaxLen: pa.VRP.MaxLen, Comment: pa.Comment})
	}
	out.Assertions.BGPsec = make([]jsonBGPsecAssertion, 0, len(f.BGPsecAssertions))
	for _, ba := range f.BGPsecAssertions {
		out.Assertions.BGPsec = append(out.Assertions.BGPsec, jsonBGPsecAssertion{
			ASN: ba.Key.ASN, SKI: slurmBase64.EncodeToString(ba.Key.SKI[:]),
			Key: slurmBase64.EncodeToString(ba.Key.SPKI), Comment: ba.Comment})
	}
	if f.Version == 2 {
		marshalASPA(f, &out)
	}
	return json.MarshalIndent(out, "", "  ")
}

// marshalASPA fills in the version-2 members.
func marshalASPA(f *File, out *jsonFile) {
	af := make([]jsonASPAFilter, 0, len(f.ASPAFilters))
	for _, a := range f.ASPAFilters {
		af = append(af, jsonASPAFilter{Customer: a.Customer, Comment: a.Comment})
	}
	aa := make([]jsonASPAAssertion, 0, len(f.ASPAAssertions))
	for _, a := range f.ASPAAssertions {
		aa = append(aa, jsonASPAAssertion{Customer: a.ASPA.Customer, Providers: a.ASPA.Providers, Comment: a.Comment})
	}
	out.Filters.ASPA = &af
	out.Assertions.ASPA = &aa
}
