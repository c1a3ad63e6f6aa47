// Package configs embeds the operator-facing files the program ships with:
// the TALs of the five RIRs (tals/*.tal). See configs/tals/README.md for
// where each comes from and under which terms it is distributed.
//
// May import: the standard library only.
package configs
