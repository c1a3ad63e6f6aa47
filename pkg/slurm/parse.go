package slurm

import (
	"fmt"
	"io"
)

// JSON paths of the arrays of a SLURM file.
const (
	pathFilters          = "$.validationOutputFilters"
	pathAssertions       = "$.locallyAddedAssertions"
	pathPrefixFilters    = pathFilters + ".prefixFilters"
	pathBGPsecFilters    = pathFilters + ".bgpsecFilters"
	pathASPAFilters      = pathFilters + ".aspaFilters"
	pathPrefixAssertions = pathAssertions + ".prefixAssertions"
	pathBGPsecAssertions = pathAssertions + ".bgpsecAssertions"
	pathASPAAssertions   = pathAssertions + ".aspaAssertions"
)

// Parse reads one SLURM file (RFC 8416 §3; ASPA members per
// draft-ietf-sidrops-aspa-slurm-03) of at most MaxFileBytes. Errors are
// *Error values with an empty File; Load fills it in.
func Parse(r io.Reader) (*File, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxFileBytes+1))
	if err != nil {
		return nil, &Error{Path: "$", Msg: "read: " + err.Error(), Err: err}
	}
	if len(data) > MaxFileBytes {
		return nil, &Error{Path: "$", Section: secJSON, Err: ErrTooLarge,
			Msg: fmt.Sprintf("file larger than %d bytes", MaxFileBytes)}
	}
	return ParseBytes(data)
}

// ParseBytes is Parse on a byte slice. It does not keep data.
func ParseBytes(data []byte) (*File, error) {
	if len(data) > MaxFileBytes {
		return nil, &Error{Path: "$", Section: secJSON, Err: ErrTooLarge,
			Msg: fmt.Sprintf("file larger than %d bytes", MaxFileBytes)}
	}
	root, err := decodeTree(data)
	if err != nil {
		return nil, err
	}
	f, err := parseRoot(root)
	if err != nil {
		return nil, err
	}
	if n := f.entries(); n > MaxEntries {
		return nil, &Error{Path: "$", Section: secFile, Err: ErrTooLarge,
			Msg: fmt.Sprintf("%d filters and assertions, more than %d", n, MaxEntries)}
	}
	return f, nil
}

// parseRoot reads the top-level object (RFC 8416 §3.2; draft §2). The
// version decides which members the two inner objects must have.
func parseRoot(root *value) (*File, error) {
	o, err := asObject(root, "$", secFile)
	if err != nil {
		return nil, err
	}
	f := &File{}
	if f.Version, err = parseVersion(o); err != nil {
		return nil, err
	}
	fv, err := o.need("validationOutputFilters")
	if err != nil {
		return nil, err
	}
	av, err := o.need("locallyAddedAssertions")
	if err != nil {
		return nil, err
	}
	if err := o.done(); err != nil {
		return nil, err
	}
	if err := parseFilters(f, fv); err != nil {
		return nil, err
	}
	return f, parseAssertions(f, av)
}

// parseVersion reads slurmVersion: 1 per RFC 8416 §3.2, 2 per the draft §2.
func parseVersion(o *object) (int, error) {
	v, err := o.need("slurmVersion")
	if err != nil {
		return 0, err
	}
	if v.kind != kindNumber || (v.text != "1" && v.text != "2") {
		return 0, errorf("$.slurmVersion", secFile, "slurmVersion must be the number 1, or 2 for %s, have %s %s",
			"draft-ietf-sidrops-aspa-slurm-03", v.kind, v.text)
	}
	return int(v.text[0] - '0'), nil
}

// sectionFor picks the section that defines the members of an inner object
// of a version-v file.
func sectionFor(v int, rfc string) string {
	if v == 2 {
		return secASPAFile
	}
	return rfc
}

// parseFilters reads validationOutputFilters: exactly prefixFilters and
// bgpsecFilters in version 1 (RFC 8416 §3.2), plus aspaFilters in
// version 2 (draft §2). All members are required.
func parseFilters(f *File, v *value) error {
	o, err := asObject(v, pathFilters, sectionFor(f.Version, secFile))
	if err != nil {
		return err
	}
	if err := eachEntry(o, "prefixFilters", func(e *object, i int) error {
		pf, err := parsePrefixFilter(e)
		f.PrefixFilters = append(f.PrefixFilters, pf)
		return err
	}); err != nil {
		return err
	}
	if err := eachEntry(o, "bgpsecFilters", func(e *object, i int) error {
		bf, err := parseBGPsecFilter(e)
		f.BGPsecFilters = append(f.BGPsecFilters, bf)
		return err
	}); err != nil {
		return err
	}
	if f.Version == 2 {
		if err := eachEntry(o, "aspaFilters", func(e *object, i int) error {
			af, err := parseASPAFilter(e)
			f.ASPAFilters = append(f.ASPAFilters, af)
			return err
		}); err != nil {
			return err
		}
	}
	return o.done()
}

// parseAssertions reads locallyAddedAssertions, with the same member rules
// as parseFilters (RFC 8416 §3.2; draft §2).
func parseAssertions(f *File, v *value) error {
	o, err := asObject(v, pathAssertions, sectionFor(f.Version, secFile))
	if err != nil {
		return err
	}
	if err := eachEntry(o, "prefixAssertions", func(e *object, i int) error {
		pa, err := parsePrefixAssertion(e)
		f.PrefixAssertions = append(f.PrefixAssertions, pa)
		return err
	}); err != nil {
		return err
	}
	if err := eachEntry(o, "bgpsecAssertions", func(e *object, i int) error {
		ba, err := parseBGPsecAssertion(e)
		f.BGPsecAssertions = append(f.BGPsecAssertions, ba)
		return err
	}); err != nil {
		return err
	}
	if f.Version == 2 {
		if err := eachEntry(o, "aspaAssertions", func(e *object, i int) error {
			aa, err := parseASPAAssertion(e)
			f.ASPAAssertions = append(f.ASPAAssertions, aa)
			return err
		}); err != nil {
			return err
		}
	}
	return o.done()
}

// entrySection is the section that defines the entries of each array.
var entrySection = map[string]string{
	"prefixFilters":    secPrefixFilter,
	"bgpsecFilters":    secBGPsecFilter,
	"aspaFilters":      secASPAFilter,
	"prefixAssertions": secPrefixAssert,
	"bgpsecAssertions": secBGPsecAssert,
	"aspaAssertions":   secASPAAssertion,
}

// entryMembers lists the members each entry may have.
var entryMembers = map[string][]string{
	"prefixFilters":    {"prefix", "asn", "comment"},
	"bgpsecFilters":    {"asn", "SKI", "comment"},
	"aspaFilters":      {"customerAsn", "comment"},
	"prefixAssertions": {"prefix", "asn", "maxPrefixLength", "comment"},
	"bgpsecAssertions": {"asn", "SKI", "routerPublicKey", "comment"},
	"aspaAssertions":   {"customerAsn", "providerAsns", "comment"},
}

// eachEntry reads the required array member name of o and calls fn with
// each element, which must be an object; fn must consume every member it
// knows, and eachEntry rejects the rest.
func eachEntry(o *object, name string, fn func(e *object, i int) error) error {
	v, err := o.need(name)
	if err != nil {
		return err
	}
	path := o.path + "." + name
	section := entrySection[name]
	arr, err := asArray(v, path, section)
	if err != nil {
		return err
	}
	for i, ev := range arr {
		e, err := asObject(ev, entryPath(path, i), section)
		if err != nil {
			return err
		}
		if err := e.only(entryMembers[name]...); err != nil {
			return err
		}
		if err := fn(e, i); err != nil {
			return err
		}
		if err := e.done(); err != nil {
			return err
		}
	}
	return nil
}
