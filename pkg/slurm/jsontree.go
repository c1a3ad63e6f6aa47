package slurm

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"
)

// kind is the JSON type of a value.
type kind uint8

const (
	kindBool kind = iota + 1
	kindNumber
	kindString
	kindArray
	kindObject
)

func (k kind) String() string {
	switch k {
	case kindBool:
		return "boolean"
	case kindNumber:
		return "number"
	case kindString:
		return "string"
	case kindArray:
		return "array"
	case kindObject:
		return "object"
	}
	return "null"
}

// value is one JSON value. The tree keeps member order and exact member
// names, which encoding/json's struct decoding does not (it folds case and
// lets a duplicate member silently win), so that the schema checks in
// parse.go can be exact.
type value struct {
	kind kind
	// text is the string contents or the number literal.
	text string
	arr  []*value
	obj  []member
}

type member struct {
	name string
	val  *value
}

// decodeTree reads exactly one JSON value from data. It rejects invalid
// UTF-8, null, duplicate member names, nesting beyond MaxDepth and
// anything after the value.
func decodeTree(data []byte) (*value, error) {
	if !utf8.Valid(data) {
		return nil, errorf("$", "RFC 8259 §8.1", "input is not valid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	tr := &treeReader{dec: dec}
	v, err := tr.readValue("$", 1)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errorf("$", secJSON, "data after the top-level object")
	}
	return v, nil
}

// treeReader builds the tree and counts its values against MaxValues.
type treeReader struct {
	dec *json.Decoder
	n   int
}

// readValue reads the value starting at the next token.
func (tr *treeReader) readValue(path string, depth int) (*value, error) {
	tok, err := tr.dec.Token()
	if err != nil {
		return nil, syntaxError(path, err)
	}
	if tr.n++; tr.n > MaxValues {
		return nil, &Error{Path: path, Section: secJSON, Err: ErrTooLarge,
			Msg: fmt.Sprintf("more than %d JSON values", MaxValues)}
	}
	switch t := tok.(type) {
	case json.Delim:
		if depth > MaxDepth {
			return nil, &Error{Path: path, Section: secJSON, Err: ErrTooLarge,
				Msg: fmt.Sprintf("nesting deeper than %d levels", MaxDepth)}
		}
		if t == '[' {
			return tr.readArray(path, depth)
		}
		return tr.readObject(path, depth)
	case string:
		return &value{kind: kindString, text: t}, nil
	case json.Number:
		return &value{kind: kindNumber, text: string(t)}, nil
	case bool:
		return &value{kind: kindBool, text: fmt.Sprint(t)}, nil
	}
	return nil, errorf(path, secJSON, "null is not allowed")
}

func (tr *treeReader) readArray(path string, depth int) (*value, error) {
	v := &value{kind: kindArray}
	for tr.dec.More() {
		if len(v.arr) >= MaxEntries {
			return nil, &Error{Path: path, Section: secJSON, Err: ErrTooLarge,
				Msg: fmt.Sprintf("more than %d elements", MaxEntries)}
		}
		e, err := tr.readValue(fmt.Sprintf("%s[%d]", path, len(v.arr)), depth+1)
		if err != nil {
			return nil, err
		}
		v.arr = append(v.arr, e)
	}
	if _, err := tr.dec.Token(); err != nil { // ']'
		return nil, syntaxError(path, err)
	}
	return v, nil
}

func (tr *treeReader) readObject(path string, depth int) (*value, error) {
	v := &value{kind: kindObject}
	for tr.dec.More() {
		if len(v.obj) >= MaxMembers {
			return nil, &Error{Path: path, Section: secJSON, Err: ErrTooLarge,
				Msg: fmt.Sprintf("more than %d members in one object", MaxMembers)}
		}
		tok, err := tr.dec.Token()
		if err != nil {
			return nil, syntaxError(path, err)
		}
		name, ok := tok.(string)
		if !ok {
			return nil, errorf(path, secJSON, "member name expected")
		}
		for _, m := range v.obj {
			if m.name == name {
				return nil, errorf(path+"."+name, "RFC 8259 §4", "duplicate member %q", name)
			}
		}
		e, err := tr.readValue(path+"."+name, depth+1)
		if err != nil {
			return nil, err
		}
		v.obj = append(v.obj, member{name: name, val: e})
	}
	if _, err := tr.dec.Token(); err != nil { // '}'
		return nil, syntaxError(path, err)
	}
	return v, nil
}

// syntaxError turns a decoder error into an *Error with the byte offset.
func syntaxError(path string, err error) *Error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return &Error{Path: path, Section: secJSON, Err: err,
			Msg: fmt.Sprintf("invalid JSON at byte %d: %v", se.Offset, se.Error())}
	}
	if err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF) {
		return &Error{Path: path, Section: secJSON, Err: err, Msg: "unexpected end of input"}
	}
	return &Error{Path: path, Section: secJSON, Err: err, Msg: "invalid JSON: " + err.Error()}
}
