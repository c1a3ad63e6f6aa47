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
