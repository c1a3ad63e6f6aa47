package config

import (
	"encoding"
	"fmt"
	"reflect"
	"strings"

	"gopkg.in/yaml.v3"
)

// checkNode walks a parsed YAML node against the Go type it is about to be
// decoded into, so that each problem names its line and key: an unknown key
// (with the nearest known one) and a value its type's UnmarshalText
// refuses. yaml.v3 itself reports neither with both (a TextUnmarshaler's
// error loses the line; KnownFields gives no key path or hint).
func checkNode(n *yaml.Node, t reflect.Type, path string) []error {
	switch {
	case n.Kind == yaml.DocumentNode && len(n.Content) == 1:
		return checkNode(n.Content[0], t, path)
	case n.Kind == yaml.AliasNode && n.Alias != nil:
		return checkNode(n.Alias, t, path)
	case isText(t):
		if n.Kind != yaml.ScalarNode || n.ShortTag() == "!!null" {
			return nil // the decoder reports a wrong kind; a null keeps the default
		}
		if err := checkText(t, n.Value); err != nil {
			return []error{fmt.Errorf("line %d: %s: %w", n.Line, path, err)}
		}
	case t.Kind() == reflect.Struct && n.Kind == yaml.MappingNode:
		return checkMapping(n, t, path)
	case t.Kind() == reflect.Slice && n.Kind == yaml.SequenceNode:
		var errs []error
		for i, e := range n.Content {
			errs = append(errs, checkNode(e, t.Elem(), fmt.Sprintf("%s[%d]", path, i))...)
		}
		return errs
	}
	return nil
}

// isText reports whether *t decodes itself from text.
func isText(t reflect.Type) bool {
	return reflect.PointerTo(t).Implements(reflect.TypeFor[encoding.TextUnmarshaler]())
}

// checkText decodes s into a new value of type t. A value that decodes to
// an invalid one (netip.Prefix takes "" as its zero value) is refused too.
func checkText(t reflect.Type, s string) error {
	v := reflect.New(t)
	if err := v.Interface().(encoding.TextUnmarshaler).UnmarshalText([]byte(s)); err != nil {
		return err
	}
	if iv, ok := v.Elem().Interface().(interface{ IsValid() bool }); ok && !iv.IsValid() {
		return fmt.Errorf("%q is not valid", s)
	}
	return nil
}

// checkMapping checks each key of a mapping decoded into struct t.
func checkMapping(n *yaml.Node, t reflect.Type, path string) []error {
	fields := yamlFields(t)
	var errs []error
	for i := 0; i+1 < len(n.Content); i += 2 {
		key, val := n.Content[i], n.Content[i+1]
		f, ok := fields[key.Value]
		if !ok {
			errs = append(errs, unknownKey(key, path, fields))
			continue
		}
		errs = append(errs, checkNode(val, f.Type, join(path, key.Value))...)
	}
	return errs
}

// unknownKey names the key, its line and the nearest known key.
func unknownKey(key *yaml.Node, path string, fields map[string]reflect.StructField) error {
	known := make([]string, 0, len(fields))
	for k := range fields {
		known = append(known, k)
	}
	if near, ok := nearest(key.Value, known); ok {
		return fmt.Errorf("line %d: unknown key %s (did you mean %s?)", key.Line, join(path, key.Value), join(path, near))
	}
	return fmt.Errorf("line %d: unknown key %s (known keys here: %s)", key.Line, join(path, key.Value), strings.Join(sorted(known), ", "))
}

// yamlFields maps the YAML keys of struct t to its fields.
func yamlFields(t reflect.Type) map[string]reflect.StructField {
	out := map[string]reflect.StructField{}
	for f := range t.Fields() {
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name != "" && name != "-" && f.IsExported() {
			out[name] = f
		}
	}
	return out
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}
