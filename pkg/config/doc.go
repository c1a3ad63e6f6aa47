// Package config is the daemon's configuration: the typed Config, its
// defaults (configs/validator.yaml, embedded, documents every option),
// Load (the file over the defaults) and Validate (every problem at once).
//
// Values are checked as they are decoded: listen addresses (Addr), RTR
// source prefixes (netip.Prefix), the fallback policy and log settings
// (enums whose errors name the allowed values) and the fixed clock
// (Instant, RFC 3339) decode themselves with UnmarshalText, so code after
// Load reads values and never parses strings again. Load names the line
// and key of each problem, and for an unknown key the nearest known one.
// Relative paths in a file are taken from the file's folder.
//
// May import: configs (the embedded defaults), the standard library and
// gopkg.in/yaml.v3.
package config
