// Package configs embeds the operator-facing files the program ships with:
// the TALs of the five RIRs (tals/*.tal). See configs/tals/README.md for
// where each comes from and under which terms it is distributed.
//
// May import: the standard library only.
package configs

import "embed"

// TALs holds tals/*.tal.
//
//go:embed tals/*.tal
var TALs embed.FS

// DefaultConfig is validator.yaml: every option with its default.
//
//go:embed validator.yaml
var DefaultConfig []byte
