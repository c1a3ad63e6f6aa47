package slurm

import (
	"encoding/base64"
	"fmt"
	"slices"
	"strconv"
)

// object reads the members of one JSON object against a fixed schema: each
// member is taken at most once by name, and done reports members nobody
// took. It keeps the JSON path and section for errors.
type object struct {
	path    string
	section string
	v       *value
	taken   []bool
}

// asObject checks that v is an object.
func asObject(v *value, path, section string) (*object, error) {
	if v.kind != kindObject {
		return nil, errorf(path, section, "want an object, have a %v", v.kind)
	}
	return &object{path: path, section: section, v: v, taken: make([]bool, len(v.obj))}, nil
}

// get returns the member called name, or nil if it is absent.
func (o *object) get(name string) *value {
	for i, m := range o.v.obj {
		if m.name == name {
			o.taken[i] = true
			return m.val
		}
	}
	return nil
}

// need returns the member called name or an error if it is absent.
func (o *object) need(name string) (*value, error) {
	v := o.get(name)
	if v == nil {
		return nil, errorf(o.path, o.section, "required member %q is missing", name)
	}
	return v, nil
}

// done rejects members that were not taken: RFC 8416 §3.2 and the draft
// list the members of each object exhaustively ("exactly two members",
// "exactly three members"), and a misspelt member silently ignored would
// turn a filter into a no-op.
func (o *object) done() error {
	for i, m := range o.v.obj {
		if !o.taken[i] {
			return errorf(o.path+"."+m.name, o.section, "unknown member %q", m.name)
		}
	}
	return nil
}

// only rejects members not in names before any member is read, so that a
// misspelt member ("ASN", "ski") is reported as such and not as the absence
// of the member meant.
func (o *object) only(names ...string) error {
	for _, m := range o.v.obj {
		if !slices.Contains(names, m.name) {
			return errorf(o.path+"."+m.name, o.section, "unknown member %q", m.name)
		}
	}
	return nil
}

// asArray checks that v is an array.
func asArray(v *value, path, section string) ([]*value, error) {
	if v.kind != kindArray {
		return nil, errorf(path, section, "want an array, have a %v", v.kind)
	}
	return v.arr, nil
}

// asString checks that v is a string.
func asString(v *value, path, section string) (string, error) {
	if v.kind != kindString {
		return "", errorf(path, section, "want a string, have a %v", v.kind)
	}
	return v.text, nil
}

// asASN checks that v is an integer in 0..2^32-1: an AS number (RFC 6793).
// Fractions, exponents, signs and strings are rejected.
func asASN(v *value, path, section string) (uint32, error) {
	if v.kind != kindNumber {
		return 0, errorf(path, section, "want an AS number, have a %v", v.kind)
	}
	n, err := strconv.ParseUint(v.text, 10, 32)
	if err != nil {
		return 0, errorf(path, section, "AS number %s is not an integer in 0..4294967295", v.text)
	}
	return uint32(n), nil
}

// asSmallInt checks that v is an integer in 0..max.
func asSmallInt(v *value, path, section string, max int) (int, error) {
	if v.kind != kindNumber {
		return 0, errorf(path, section, "want a number, have a %v", v.kind)
	}
	n, err := strconv.ParseUint(v.text, 10, 8)
	if err != nil || int(n) > max {
		return 0, errorf(path, section, "%s is not an integer in 0..%d", v.text, max)
	}
	return int(n), nil
}

// optComment reads the optional "comment" member.
func optComment(o *object) (string, error) {
	v := o.get("comment")
	if v == nil {
		return "", nil
	}
	return asString(v, o.path+".comment", o.section)
}

// slurmBase64 is "the Base64 encoding without trailing '=' (Section 5 of
// [RFC4648])" of RFC 8416 §3.3.2 and §3.4.2: the URL and filename safe
// alphabet, no padding. Strict also rejects non-zero trailing bits, so
// each value has exactly one spelling.
var slurmBase64 = base64.RawURLEncoding.Strict()

// decodeBase64URL decodes s strictly. Go's decoder skips CR and LF even in
// strict mode, so the alphabet is checked first.
func decodeBase64URL(s, path, section string) ([]byte, error) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return nil, errorf(path, section,
				"character %q at %d is not in the base64url alphabet without padding (RFC 4648 §5)", c, i)
		}
	}
	b, err := slurmBase64.DecodeString(s)
	if err != nil {
		return nil, errorf(path, section, "invalid base64url: %v", err)
	}
	return b, nil
}

// decodeSKI decodes a Subject Key Identifier: 20 bytes, the SHA-1 key
// identifier of RFC 6487 §4.8.2 that RFC 8416 refers to.
func decodeSKI(v *value, path, section string) ([20]byte, error) {
	var ski [20]byte
	s, err := asString(v, path, section)
	if err != nil {
		return ski, err
	}
	b, err := decodeBase64URL(s, path, section)
	if err != nil {
		return ski, err
	}
	if len(b) != len(ski) {
		return ski, errorf(path, section, "SKI is %d bytes, want 20 (RFC 6487 §4.8.2)", len(b))
	}
	copy(ski[:], b)
	return ski, nil
}

// entryPath formats the path of element i of the array at path.
func entryPath(path string, i int) string {
	return fmt.Sprintf("%s[%d]", path, i)
}
