// Package logging bridges the two logger types of the project: the daemon
// logs through zap (the card's choice), while the packages that must stay
// free of the network stack (pkg/validate and pkg/cache: zap imports
// net/http) take a standard *slog.Logger. Slog turns a zap logger into one,
// so every line still goes through the same zap core, with its level,
// format and name.
//
// May import: zap and the standard library.
package logging
