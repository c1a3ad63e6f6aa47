// Package config is the daemon's configuration: the typed Config, its
// defaults (configs/validator.yaml, embedded, documents every option),
// Load (the file over the defaults; unknown keys are errors) and Validate
// (every problem at once).
//
// May import: configs (the embedded defaults), the standard library and
// gopkg.in/yaml.v3.
package config
